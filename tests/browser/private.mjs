// Drives Chromium through the locked pages of a private site for tests/browser_private.rs:
// each visit opens a page, unlocks it with a password or a share link (or leaves it locked),
// then reports whether it opened, axe-core's violations in that state, the page's links and
// its install link, and any script error.
//
// Usage: node tests/browser/private.mjs <plan.json>
// The plan: { site, chromium, axe, visits: [{ name, path, password?, hash? }] }

import { readFile } from "node:fs/promises";
import { runAxe, runVisits } from "./common.mjs";

async function visit(browser, origin, axeSource, c) {
  const context = await browser.newContext({ serviceWorkers: "block" });
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  const report = { name: c.name, url: origin + c.path + (c.hash || ""), page_errors: [], console: [] };
  page.on("console", (m) => {
    if (m.type() === "error") report.console.push(m.text());
  });
  page.on("pageerror", (e) => report.page_errors.push(String(e)));
  await page.goto(report.url, { waitUntil: "load" });
  if (c.password != null) {
    await page.locator("#unlock-password").fill(c.password);
    await page.locator("#unlock-form button[type=submit]").click();
  }
  if (c.password != null || c.hash) {
    // PBKDF2 with 600,000 rounds takes a moment; the message says "Unlocking…" meanwhile.
    await page
      .waitForFunction(() => {
        if (!document.getElementById("locked")) return true;
        const text = document.getElementById("unlock-message")?.textContent || "";
        return text !== "" && !text.endsWith("…");
      }, null, { timeout: 20000 })
      .catch(() => {});
  }
  report.still_locked = await page.evaluate(() => document.getElementById("locked") !== null);
  report.title = await page.title();
  report.lang = await page.evaluate(() => document.documentElement.lang);
  report.install_href = await page.evaluate(
    () => document.getElementById("install-button")?.getAttribute("href") ?? null,
  );
  report.share_href = await page.evaluate(() => document.getElementById("share-link")?.getAttribute("href") ?? null);
  // Every link of the page as the browser resolves it.
  report.links = await page.evaluate(() => Array.from(document.querySelectorAll("a[href]"), (a) => a.href));
  report.axe = await runAxe(page, axeSource);
  await context.close();
  return report;
}

async function main() {
  const plan = JSON.parse(await readFile(process.argv[2], "utf8"));
  const axeSource = await readFile(plan.axe, "utf8");
  await runVisits(plan, plan.visits, (browser, origin, c) => visit(browser, origin, axeSource, c), 45000);
}

main().catch((e) => {
  process.stderr.write(`private browser driver failed: ${e && e.stack || e}\n`);
  process.exit(1);
});
