// The device's enrollment answer (iOS Profile Service): a CMS-signed property list. Only the
// XML property list between "<?xml" and "</plist>" is read, and of it only the attributes
// asked for, each checked against its format; nothing else in the body is trusted or kept.
const BODY_LIMIT = 64 * 1024;
const FORMATS = {
  UDID: /^(?:[0-9A-Fa-f]{40}|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{16})$/,
  PRODUCT: /^[A-Za-z]{2,12}[0-9]{1,3},[0-9]{1,3}$/,
  VERSION: /^[0-9A-Za-z.]{1,16}$/,
  SERIAL: /^[0-9A-Za-z]{8,16}$/,
};
const REQUIRED = ["UDID", "PRODUCT", "VERSION"];

function answer(status, text, headers) {
  return {
    status,
    headers: Object.assign({ "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" }, headers || {}),
    body: text + "\n",
  };
}

// The attributes of the property list inside `bytes`, or a reason it has none.
function readAttributes(bytes) {
  const text = new TextDecoder("utf-8").decode(bytes);
  const start = text.indexOf("<?xml");
  const end = start < 0 ? -1 : text.indexOf("</plist>", start);
  if (end < 0) {
    return { error: "the body holds no XML property list" };
  }
  const plist = text.slice(start, end + "</plist>".length);
  const found = {};
  const entry = /<key>\s*([A-Z]{1,16})\s*<\/key>\s*<string>([^<]{0,128})<\/string>/g;
  let match;
  while ((match = entry.exec(plist)) !== null) {
    const [, key, value] = match;
    if (FORMATS[key] && !(key in found)) {
      if (!FORMATS[key].test(value.trim())) {
        return { error: `${key} is not in the expected format` };
      }
      found[key] = value.trim();
    }
  }
  const missing = REQUIRED.filter((key) => !(key in found));
  if (missing.length > 0) {
    return { error: `missing attributes: ${missing.join(", ")}` };
  }
  return { attributes: found };
}

// Posts the registration to the team's webhook, when one is configured; a failure is logged
// and does not stop the device's redirect.
async function forward(env, attributes) {
  const url = env[WEBHOOK_ENV];
  if (!WEBHOOK_ENV || !url) {
    return;
  }
  const text = `New device registered: ${attributes.PRODUCT}, UDID ${attributes.UDID}`;
  try {
    await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        text,
        udid: attributes.UDID,
        product: attributes.PRODUCT,
        version: attributes.VERSION,
        serial: attributes.SERIAL || null,
      }),
      signal: AbortSignal.timeout(5000),
    });
  } catch (error) {
    console.error(`forwarding the registration failed: ${error}`);
  }
}

// method, content type and the body read at most BODY_LIMIT + 1 bytes -> the answer.
async function register(method, contentType, body, env) {
  if (method !== "POST") {
    return answer(405, "only the device's POST is accepted here", { Allow: "POST" });
  }
  if (!/^application\/pkcs7-signature\b/i.test(contentType || "")) {
    return answer(415, "expected the device's signed answer (Content-Type: application/pkcs7-signature)");
  }
  if (body === null || body.length > BODY_LIMIT) {
    return answer(413, `the body is larger than ${BODY_LIMIT} bytes`);
  }
  const read = readAttributes(body);
  if (read.error) {
    return answer(400, read.error);
  }
  const a = read.attributes;
  await forward(env, a);
  const fragment = new URLSearchParams({ udid: a.UDID.toUpperCase(), product: a.PRODUCT, version: a.VERSION });
  return answer(301, "registered", { Location: `${RESULT_PAGE}#${fragment}` });
}

// At most `limit` + 1 bytes of a web-standard request's body; null when it is larger.
async function readLimited(request, limit) {
  const declared = Number(request.headers.get("content-length") || "0");
  if (declared > limit) {
    return null;
  }
  if (!request.body) {
    return new Uint8Array(0);
  }
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

async function handleRequest(request, env) {
  const body = request.method === "POST" ? await readLimited(request, BODY_LIMIT) : new Uint8Array(0);
  const result = await register(request.method, request.headers.get("content-type"), body, env);
  return new Response(result.body, { status: result.status, headers: result.headers });
}
