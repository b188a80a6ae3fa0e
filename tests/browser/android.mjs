// Visits Android build and app pages as an Android phone, an iPhone and a computer, and reports
// what each visitor sees: the order of the system sections, and the Android blocks' visibility.
//
//   node tests/browser/android.mjs plan.json
//
// The plan: { site, chromium, visits: [{ name, page, user_agent, mobile }] }; see
// tests/browser_android.rs, which judges the report.

import { readFile } from "node:fs/promises";
import { runVisits } from "./common.mjs";

/** The blocks whose visibility each visit reports. */
const BLOCKS = [
  "platform-ios", "platform-android", "android-install", "apk-button", "android-old",
  "ios-visitor", "android-desktop", "android", "install-button",
];

async function visit(browser, origin, v) {
  const context = await browser.newContext({
    userAgent: v.user_agent,
    isMobile: v.mobile,
    viewport: v.mobile ? { width: 390, height: 844 } : { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(origin + v.page, { waitUntil: "load" });
  const facts = await page.evaluate((ids) => {
    const out = {};
    for (const id of ids) {
      const el = document.getElementById(id);
      out[id] = el ? { present: true, top: el.getBoundingClientRect().top + window.scrollY } : { present: false, top: null };
    }
    const first = document.querySelector("#platforms > section");
    out.first_platform = first ? first.getAttribute("data-os") : null;
    const version = document.getElementById("android-visitor-version");
    out.visitor_version = version ? version.textContent : null;
    return out;
  }, BLOCKS);
  for (const id of BLOCKS) {
    facts[id].visible = facts[id].present && (await page.locator(`#${id}`).isVisible());
  }
  await context.close();
  return { name: v.name, facts, errors };
}

async function main() {
  const plan = JSON.parse(await readFile(process.argv[2], "utf8"));
  await runVisits(plan, plan.visits, visit, 30000);
}

main().catch((e) => {
  process.stderr.write(`android driver failed: ${e && e.stack || e}\n`);
  process.exit(1);
});
