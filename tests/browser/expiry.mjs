// Visits pages of a built otasite site in headless Chromium with the browser's clock set, and
// reports each expiry line (partials/expiry.html) as the visitor sees it, as JSON on stdout.
// tests/browser_expiry.rs builds the site, writes the plan and judges the report.
//
//   node tests/browser/expiry.mjs <plan.json>
//
// The plan: { site, chromium, visits: [{ name, path, javascript, now_ms }] }.

import { readFile } from "node:fs/promises";
import { runVisits } from "./common.mjs";

async function visit(browser, origin, v) {
  const context = await browser.newContext({ javaScriptEnabled: v.javascript });
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  if (v.now_ms != null) await page.clock.setFixedTime(new Date(v.now_ms));
  await page.goto(origin + v.path, { waitUntil: "load" });
  const expiries = await page.evaluate(() =>
    Array.from(document.querySelectorAll("[data-expiry]")).map((el) => ({
      text: (el.innerText || el.textContent).replace(/\s+/g, " ").trim(),
      state: el.getAttribute("data-expiry-state"),
      color: getComputedStyle(el).color,
    })),
  );
  await context.close();
  return { name: v.name, expiries, errors };
}

async function main() {
  const plan = JSON.parse(await readFile(process.argv[2], "utf8"));
  await runVisits(plan, plan.visits, visit, 30000);
}

main().catch((e) => {
  process.stderr.write(`expiry driver failed: ${e && e.stack || e}\n`);
  process.exit(1);
});
