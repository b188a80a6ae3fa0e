// Cloudflare Worker (module syntax): the device registration endpoint of an otasite site.
// Deploy with `npx wrangler deploy` from this folder; set the webhook, if any, with
// `npx wrangler secret put __WEBHOOK_NAME__`.
__CORE__
export default {
  async fetch(request, env) {
    return handleRequest(request, env || {});
  },
};
