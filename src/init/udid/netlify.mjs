// Netlify Function: the device registration endpoint of an otasite site, served at /udid.
// Set the webhook, if any, as the environment variable __WEBHOOK_NAME__ in the site's settings.
__CORE__
export default async (request) => handleRequest(request, process.env);

export const config = { path: "/udid" };
