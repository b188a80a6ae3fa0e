// AWS Lambda handler (Node.js): the device registration endpoint of an otasite site, behind
// an API Gateway HTTP or REST API or a function URL. Set the webhook, if any, as the
// function's environment variable __WEBHOOK_NAME__.
__CORE__
export const handler = async (event) => {
  const method = event.requestContext?.http?.method || event.httpMethod || "";
  const headers = {};
  for (const [name, value] of Object.entries(event.headers || {})) {
    headers[name.toLowerCase()] = value;
  }
  let body = new Uint8Array(0);
  if (method === "POST") {
    const raw = event.body || "";
    // Base64 holds 3 bytes in 4 characters: refuse before decoding anything too large.
    const size = event.isBase64Encoded ? Math.floor((raw.length * 3) / 4) : Buffer.byteLength(raw);
    body = size > BODY_LIMIT + 2 ? null : new Uint8Array(Buffer.from(raw, event.isBase64Encoded ? "base64" : "utf8"));
  }
  const result = await register(method, headers["content-type"], body, process.env);
  return { statusCode: result.status, headers: result.headers, body: result.body };
};
