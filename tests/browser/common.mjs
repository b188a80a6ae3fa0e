// What every browser-test script shares: a static server for a built site that records the
// requests, a timeout, progress lines and axe-core's violations.

import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import path from "node:path";
import { chromium } from "playwright-core";

export const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".xml": "application/atom+xml",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".plist": "application/xml",
  ".ipa": "application/octet-stream",
};

/** Rejects when `promise` takes longer than `ms`. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`${what}: no result within ${ms} ms`);
      error.timedOut = true;
      reject(error);
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Progress on stderr (the report goes to stdout). */
export function log(message) {
  process.stderr.write(`driver: ${message}\n`);
}

/** Serves `root` on 127.0.0.1 (a random port); resolves to the server and the requests it saw. */
export async function serve(root, headers = {}) {
  const seen = [];
  const server = createServer(async (req, res) => {
    seen.push(req.url);
    if (req.url === "/favicon.ico") {
      // Chromium asks for it on its own; the pages declare none.
      res.writeHead(204);
      res.end();
      return;
    }
    try {
      let rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
      if (rel.endsWith("/")) rel += "index.html";
      const file = path.join(root, rel);
      if (!file.startsWith(root + path.sep)) throw new Error("outside the site");
      const body = await readFile(file);
      const type = CONTENT_TYPES[path.extname(file)] || "application/octet-stream";
      res.writeHead(200, { ...headers, "content-type": type, "cache-control": "no-store" });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, seen, origin: `http://127.0.0.1:${server.address().port}/` };
}

export async function runAxe(page, axeSource) {
  // Evaluated as a string, so it also works where the page's own JavaScript is disabled.
  const results = await page.evaluate(
    `(function () { ${axeSource}; return axe.run(document, { resultTypes: ["violations"] }); })()`,
  );
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ")),
  }));
}


/**
 * Serves the plan's site (with `plan.headers`), runs `visit(browser, origin, case)` for each
 * case in one headless Chromium, each within `limit` ms (a failed visit is reported with its
 * error), and prints `{ origin, chromium, visits }` on stdout.
 */
export async function runVisits(plan, cases, visit, limit) {
  const { server, origin } = await serve(path.resolve(plan.site), plan.headers || {});
  const browser = await chromium.launch({
    executablePath: plan.chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  try {
    const visits = [];
    for (const c of cases) {
      const t0 = Date.now();
      try {
        visits.push(await withTimeout(visit(browser, origin, c), limit, c.name));
      } catch (e) {
        visits.push({ name: c.name, error: String(e && e.stack || e) });
      }
      log(`${c.name}: ${Date.now() - t0} ms`);
    }
    process.stdout.write(JSON.stringify({ origin, chromium: browser.version(), visits }));
  } finally {
    await browser.close();
    server.close();
  }
}
