// Visits pages of a built otasite site in headless Chromium as visitors with given
// navigator.languages, user agents and clocks, and reports what they see as JSON on stdout:
// the page's language and direction, some texts, the language picker before and after a
// choice (and after a reload), the Safari hand-off button, the install doctor's first answer
// and axe-core's violations. tests/browser_i18n.rs builds the site, writes the plan and judges.
//
//   node tests/browser/i18n.mjs <plan.json>
//
// The plan: { site, chromium, axe, visits: [{ name, path, via_help_link, user_agent,
// max_touch_points, mobile, languages, javascript, now_ms, pick, password }] }; `password`
// types that (wrong) password into a locked page and reports its message.

import { readFile } from "node:fs/promises";
import { runAxe, runVisits } from "./common.mjs";

/** What the visitor sees of the page now. */
async function observe(page) {
  return page.evaluate(() => {
    const text = (selector) => {
      const el = document.querySelector(selector);
      return el ? (el.innerText || el.textContent || "").replace(/\s+/g, " ").trim() : null;
    };
    const visible = (id) => {
      const el = document.getElementById(id);
      if (!el) return false;
      const rect = el.getBoundingClientRect();
      return rect.width > 0 && rect.height > 0 && getComputedStyle(el).visibility !== "hidden";
    };
    const doctor = document.getElementById("doctor");
    const first = doctor ? doctor.querySelector("section.cause") : null;
    return {
      lang: document.documentElement.lang,
      dir: document.documentElement.dir,
      pending: document.documentElement.classList.contains("i18n-pending"),
      body_visible: getComputedStyle(document.body).visibility !== "hidden",
      title: document.title,
      install_button: text("#install-button"),
      facts_heading: text("#facts-heading"),
      fallback: text("#fallback-intro"),
      date: text("time[datetime]"),
      help_heading: text("h1"),
      picker_visible: visible("language-picker"),
      picker_value: document.getElementById("language-picker")?.value ?? null,
      handoff_visible: visible("safari-handoff"),
      handoff_href: document.getElementById("safari-handoff-link")?.getAttribute("href") ?? null,
      inapp_visible: visible("inapp"),
      copy_visible: visible("copy-link"),
      doctor_first: doctor ? doctor.getAttribute("data-first") : null,
      doctor_top_section: first ? first.id : null,
      doctor_top_text: first ? (first.innerText || "").replace(/\s+/g, " ").trim() : null,
      android_download: text("#apk-button"),
      android_help: text("#android-help summary"),
      android_chrome: text("#android-help li"),
      android_visitor_version: text("#android-visitor-version"),
      android_old_visible: visible("android-old"),
      register_step: text("ol.steps li:nth-child(2)"),
      locked_heading: text("#main h1"),
      inapp_how: text("#inapp-how"),
      inapp_how_visible: visible("inapp-how"),
      qr_label: document.querySelector(".qr[role=img]")?.getAttribute("aria-label") ?? null,
      changes: text("section.changes ul"),
      not_installable: text(".not-installable-reason"),
    };
  });
}

async function runVisit(browser, origin, axeSource, v) {
  const context = await browser.newContext({
    userAgent: v.user_agent,
    viewport: v.mobile ? { width: 390, height: 844 } : { width: 1280, height: 900 },
    isMobile: v.mobile,
    hasTouch: v.max_touch_points > 0,
    javaScriptEnabled: v.javascript,
    locale: v.languages[0],
    serviceWorkers: "block",
  });
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  const report = { name: v.name, console_errors: [], page_errors: [], failed_requests: [] };
  page.on("console", (m) => {
    if (m.type() === "error") report.console_errors.push(m.text());
  });
  page.on("pageerror", (e) => report.page_errors.push(String(e)));
  page.on("response", (r) => {
    if (r.status() >= 400) report.failed_requests.push(`${r.url()}: HTTP ${r.status()}`);
  });
  await page.addInitScript((languages) => {
    Object.defineProperty(Navigator.prototype, "languages", { get: () => languages, configurable: true });
    Object.defineProperty(Navigator.prototype, "language", { get: () => languages[0], configurable: true });
  }, v.languages);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setTouchEmulationEnabled", {
    enabled: v.max_touch_points > 0,
    maxTouchPoints: Math.max(1, v.max_touch_points),
  });
  if (v.now_ms != null) await page.clock.setFixedTime(new Date(v.now_ms));

  let url = origin + v.path;
  if (v.via_help_link) {
    // The install page's own link to the doctor, with what it tells about the build.
    await page.goto(url, { waitUntil: "load" });
    const href = await page.evaluate(() => document.querySelector("#fallback-intro a")?.href ?? null);
    if (!href) throw new Error(`no link to the install doctor on ${url}`);
    report.help_link = href;
    url = href;
  }
  await page.goto(url, { waitUntil: "load" });
  report.seen = await observe(page);
  if (v.javascript) report.axe = await runAxe(page, axeSource);
  if (v.password != null) {
    // A locked page: a wrong password, and what the page says then.
    await page.fill("#unlock-password", v.password);
    await page.click("#unlock-form button[type=submit]");
    await page.waitForFunction(
      () => document.getElementById("unlock-message")?.getAttribute("data-i18n") === "locked.wrong_password",
    );
    report.unlock_message = await page.evaluate(() => document.getElementById("unlock-message").textContent);
  }
  if (v.pick) {
    await page.locator("#language-picker").selectOption(v.pick);
    report.after_pick = await observe(page);
    await page.reload({ waitUntil: "load" });
    report.after_reload = await observe(page);
    report.axe_after_pick = await runAxe(page, axeSource);
  }
  await context.close();
  return report;
}

async function main() {
  const plan = JSON.parse(await readFile(process.argv[2], "utf8"));
  const axeSource = await readFile(plan.axe, "utf8");
  await runVisits(plan, plan.visits, (browser, origin, v) => runVisit(browser, origin, axeSource, v), 60000);
}

main().catch((e) => {
  process.stderr.write(`driver: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
