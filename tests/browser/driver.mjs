// Visits the pages of a built otasite site in headless Chromium, one browser context per case
// (user agent, touch, JavaScript, clock), and reports what a visitor would see as JSON on
// stdout. tests/browser.rs builds the site, writes the plan this script reads, and asserts on
// the report: this script observes, it does not judge.
//
//   node tests/browser/driver.mjs <plan.json>
//
// The plan: { site, screenshots, chromium, axe, cases: [...], classify: [...] }, or for the
// security policy { site, chromium, headers: {...}, csp_visits: [...] }, or for locked pages
// { site, chromium, headers: {...}, unlock_visits: [...] }; see tests/browser.rs
// for each field. The site is served from 127.0.0.1 by a small static server in this process
// (with `headers` on every response when given); every request the pages make is recorded.

import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { log, runAxe, runVisits, serve, withTimeout } from "./common.mjs";
import { chromium } from "playwright-core";

/** The blocks whose visibility, position and text every case reports. */
const BLOCKS = [
  "install", "inapp", "inapp-name", "inapp-how", "android", "compat", "install-action",
  "install-button", "other-browser", "expired-note", "blocked", "safari-fallback",
  "fallback-intro", "page-url", "copy-link", "desktop", "desktop-text", "help", "help-trust", "help-devices",
  "help-developer-mode",
];

/**
 * Visibility (Playwright's own test), top edge in page coordinates, and text of each block.
 * Text is what shows for visible blocks, and the source text for hidden ones.
 */
async function observeBlocks(page) {
  const facts = await page.evaluate((ids) => {
    const out = {};
    for (const id of ids) {
      const el = document.getElementById(id);
      if (!el) {
        out[id] = { present: false, top: null, text: "" };
        continue;
      }
      const rect = el.getBoundingClientRect();
      const shown = rect.width > 0 && rect.height > 0;
      out[id] = {
        present: true,
        top: shown ? rect.top + window.scrollY : null,
        text: ((shown ? el.innerText : el.textContent) || "").replace(/\s+/g, " ").trim(),
      };
    }
    return out;
  }, BLOCKS);
  for (const id of BLOCKS) {
    facts[id].visible = facts[id].present && (await page.locator(`#${id}`).isVisible());
    if (!facts[id].visible) facts[id].top = null;
  }
  return facts;
}

/**
 * axe needs JavaScript, so for a visit without it: the same page in a context where JavaScript
 * runs but the page's own script is replaced by an empty one.
 */
async function axeWithoutPageScripts(browser, c, url, axeSource) {
  const context = await browser.newContext({
    userAgent: c.user_agent,
    viewport: c.viewport,
    isMobile: c.mobile,
    colorScheme: c.color_scheme || "light",
  });
  await context.route("**/*.js", (route) => route.fulfill({ contentType: "text/javascript", body: "" }));
  const page = await context.newPage();
  await page.goto(url, { waitUntil: "load" });
  const scripted = await page.evaluate(() => document.getElementById("install")?.hasAttribute("data-visitor") ?? false);
  if (scripted) throw new Error("the page's script ran where it should not");
  const violations = await runAxe(page, axeSource);
  await context.close();
  return violations;
}

async function runCase(browser, origin, plan, axeSource, c) {
  const context = await browser.newContext({
    userAgent: c.user_agent,
    viewport: c.viewport,
    isMobile: c.mobile,
    hasTouch: c.max_touch_points > 0,
    javaScriptEnabled: c.javascript,
    colorScheme: c.color_scheme || "light",
    permissions: ["clipboard-read", "clipboard-write"],
    serviceWorkers: "block",
  });
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  const report = {
    name: c.name,
    url: origin + c.path,
    requests: [],
    failed_requests: [],
    console_errors: [],
    page_errors: [],
  };
  page.on("request", (r) => report.requests.push(r.url()));
  page.on("requestfailed", (r) => report.failed_requests.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on("response", (r) => {
    if (r.status() >= 400) report.failed_requests.push(`${r.url()}: HTTP ${r.status()}`);
  });
  page.on("console", (m) => {
    if (m.type() === "error") report.console_errors.push(m.text());
  });
  page.on("pageerror", (e) => report.page_errors.push(String(e)));

  // Touch points as the device has them (Playwright's hasTouch alone reports 1).
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setTouchEmulationEnabled", {
    enabled: c.max_touch_points > 0,
    maxTouchPoints: Math.max(1, c.max_touch_points),
  });
  if (c.now_ms != null) await page.clock.setFixedTime(new Date(c.now_ms));
  if (c.copy === "fallback") {
    // A browser without the asynchronous clipboard API: the page must use its fallback.
    await page.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined, configurable: true });
    });
  }

  await page.goto(report.url, { waitUntil: "load" });
  report.max_touch_points = await page.evaluate(() => navigator.maxTouchPoints);
  report.visitor = await page.evaluate(() => document.getElementById("install")?.getAttribute("data-visitor") ?? null);
  report.blocks = await observeBlocks(page);
  report.install_href = await page.evaluate(() => document.getElementById("install-button")?.getAttribute("href") ?? null);
  // Each channel section of an app page: where it is, whether the visit scrolled to it, its link.
  report.channels = await page.evaluate(() =>
    [...document.querySelectorAll("section.channel")].map((section) => {
      const rect = section.getBoundingClientRect();
      return {
        id: section.id,
        visible: rect.width > 0 && rect.height > 0,
        in_view: rect.top >= 0 && rect.top < window.innerHeight,
        install_href: section.querySelector("a.button")?.getAttribute("href") ?? null,
        qr: section.querySelector(".qr svg") !== null,
      };
    }),
  );
  report.axe = c.javascript ? await runAxe(page, axeSource) : await axeWithoutPageScripts(browser, c, report.url, axeSource);

  const shot = path.join(plan.screenshots, `${c.name}.png`);
  await page.screenshot({ path: shot, fullPage: true });
  report.screenshot = shot;

  if (c.copy) await withClipboard(() => copyLink(context, page, origin, c, report));

  await context.close();
  return report;
}

/** The clipboard is the browser's, shared by parallel visits: one copy test at a time. */
let clipboardQueue = Promise.resolve();
function withClipboard(task) {
  const run = clipboardQueue.then(task);
  clipboardQueue = run.catch(() => {});
  return run;
}

/** Clicks "Copy link" and reads what the clipboard then holds. */
async function copyLink(context, page, origin, c, report) {
  // Something else on the clipboard first, from a page that has the API.
  const other = await context.newPage();
  await other.goto(origin + "index.html");
  await other.evaluate(() => navigator.clipboard.writeText("(clipboard untouched)"));
  await other.close();
  await page.bringToFront();
  await page.locator("#copy-link").click();
  await page
    .waitForFunction(() => document.getElementById("copy-status")?.textContent !== "", null, { timeout: 5000 })
    .catch(() => {});
  report.copy_status = await page.locator("#copy-status").textContent();
  // Read back from a page that has the API (the visit's own may lack it).
  const reader = await context.newPage();
  await reader.goto(origin + "index.html");
  report.clipboard = await reader.evaluate(() => navigator.clipboard.readText());
  await reader.close();
}

/** Runs otasite.classify over a table of user agents inside a page of the site. */
async function runClassify(browser, origin, plan) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(origin + plan.classify_page);
  const result = await page.evaluate((rows) => {
    const data = JSON.parse(document.getElementById("otasite-browsers").textContent);
    const bad = [];
    for (const list of ["in_app", "ios_browsers"]) {
      for (const entry of data[list] || []) {
        try { new RegExp(entry.pattern); } catch (e) { bad.push(`${list}/${entry.id}: ${e.message}`); }
      }
    }
    const rowsOut = rows.map((row) => {
      const v = window.otasite.classify(row.user_agent, row.max_touch_points, data);
      return {
        label: row.label,
        mode: v.mode,
        platform: v.platform,
        in_app: v.inApp ? v.inApp.id : null,
        browser: v.browser ? v.browser.id : null,
        ios_version: v.iosVersion,
        version_lower_bound: v.versionLowerBound,
      };
    });
    const compare = [["16.10", "16.2"], ["16.2", "16.10"], ["17", "17.0"], ["17.0.1", "17.0"], ["9.3", "10"]]
      .map(([a, b]) => ({ a, b, result: window.otasite.compareVersions(a, b) }));
    return { invalid_patterns: bad, in_app_ids: (data.in_app || []).map((e) => e.id), rows: rowsOut, compare };
  }, plan.classify);
  await context.close();
  return result;
}

/**
 * A fresh context (service workers blocked, `options` added) and page that record console
 * errors, script errors and every Content-Security-Policy violation the page reports (in
 * `window.__otasiteViolations`, set up before the page's own scripts run and not subject to
 * its policy).
 */
async function watchedPage(browser, url, name, options) {
  const context = await browser.newContext({ serviceWorkers: "block", ...options });
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  const report = { name, url, console: [], page_errors: [] };
  page.on("console", (m) => {
    if (m.type() === "error" || /Content[- ]Security[- ]Policy/i.test(m.text())) report.console.push(m.text());
  });
  page.on("pageerror", (e) => report.page_errors.push(String(e)));
  await page.addInitScript(() => {
    window.__otasiteViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__otasiteViolations.push({
        directive: e.effectiveDirective,
        blocked: e.blockedURI,
        source: `${e.sourceFile}:${e.lineNumber}`,
        sample: e.sample,
      });
    });
  });
  return { context, page, report };
}

/**
 * Opens a page under the site's security policy and records every violation it reports (the
 * `securitypolicyviolation` events and Chromium's console messages about the policy), with
 * the visit's copy-link click; then, as a control, inserts an inline script, which the policy
 * must block and report.
 */
async function cspVisit(browser, origin, c) {
  const { context, page, report } = await watchedPage(browser, origin + c.path, c.name, {
    userAgent: c.user_agent,
    viewport: c.viewport,
    isMobile: c.mobile,
    hasTouch: c.max_touch_points > 0,
    permissions: ["clipboard-read", "clipboard-write"],
  });
  if (c.copy === "fallback") {
    await page.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined, configurable: true });
    });
  }
  await page.goto(report.url, { waitUntil: "load" });
  report.meta_policy = await page.evaluate(
    () => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute("content") ?? null,
  );
  report.visitor = await page.evaluate(() => document.getElementById("install")?.getAttribute("data-visitor") ?? null);
  report.stylesheets = await page.evaluate(() => document.styleSheets.length);
  if (c.copy) {
    await page.locator("#copy-link").click();
    await page
      .waitForFunction(() => document.getElementById("copy-status")?.textContent !== "", null, { timeout: 5000 })
      .catch(() => {});
    report.copy_status = await page.locator("#copy-status").textContent();
  }
  // Let late reports arrive (they are dispatched as tasks).
  await page.waitForTimeout(100);
  report.violations = await page.evaluate(() => window.__otasiteViolations.splice(0));
  report.console_before_control = report.console.splice(0);
  report.control_ran = await page.evaluate(async () => {
    const script = document.createElement("script");
    script.textContent = "window.__otasiteInlineRan = true;";
    document.head.appendChild(script);
    await new Promise((resolve) => setTimeout(resolve, 100));
    return window.__otasiteInlineRan === true;
  });
  report.control_violations = await page.evaluate(() => window.__otasiteViolations.splice(0));
  await context.close();
  return report;
}

function runCspPlan(plan) {
  return runVisits(plan, plan.csp_visits, cspVisit, 30000);
}

/**
 * Opens a locked page (templates/locked.html) under the site's security policy: types the
 * password and submits, or follows a share link (the case's `hash`), then waits for the page
 * to open or for the form's message to change. Reports what then shows: the title, the install
 * link, the share link, the form's message, and every policy violation and script error.
 */
async function unlockVisit(browser, origin, c) {
  const { context, page, report } = await watchedPage(browser, origin + c.path + (c.hash || ""), c.name, {});
  await page.goto(report.url, { waitUntil: "load" });
  report.locked_title = await page.title();
  if (c.password != null) {
    await page.locator("#unlock-password").fill(c.password);
    await page.locator("#unlock-form button[type=submit]").click();
  }
  // PBKDF2 with 600,000 rounds takes a moment; the message says "Unlocking…" meanwhile.
  await page
    .waitForFunction(() => {
      if (!document.getElementById("locked")) return true;
      const text = document.getElementById("unlock-message")?.textContent || "";
      return text !== "" && !text.endsWith("…");
    }, null, { timeout: 20000 })
    .catch(() => {});
  report.still_locked = await page.evaluate(() => document.getElementById("locked") !== null);
  report.message = await page.evaluate(() => document.getElementById("unlock-message")?.textContent ?? null);
  report.title = await page.title();
  report.h1 = await page.evaluate(() => document.querySelector("h1")?.textContent?.trim() ?? null);
  report.install_href = await page.evaluate(() => document.getElementById("install-button")?.getAttribute("href") ?? null);
  report.share_href = await page.evaluate(() => document.getElementById("share-link")?.getAttribute("href") ?? null);
  report.visitor = await page.evaluate(() => document.getElementById("install")?.getAttribute("data-visitor") ?? null);
  await page.waitForTimeout(100);
  report.violations = await page.evaluate(() => window.__otasiteViolations.splice(0));
  await context.close();
  return report;
}

function runUnlockPlan(plan) {
  return runVisits(plan, plan.unlock_visits, unlockVisit, 45000);
}

async function main() {
  const plan = JSON.parse(await readFile(process.argv[2], "utf8"));
  if (plan.csp_visits) return runCspPlan(plan);
  if (plan.unlock_visits) return runUnlockPlan(plan);
  const axeSource = await readFile(plan.axe, "utf8");
  await mkdir(plan.screenshots, { recursive: true });
  const { server, origin } = await serve(path.resolve(plan.site));
  const browser = await chromium.launch({
    executablePath: plan.chromium,
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  try {
    // Two visits at a time (one per core); the report keeps the plan's order.
    const cases = new Array(plan.cases.length);
    let next = 0;
    const worker = async () => {
      while (next < plan.cases.length) {
        const index = next++;
        const c = plan.cases[index];
        const t0 = Date.now();
        try {
          cases[index] = await withTimeout(runCase(browser, origin, plan, axeSource, c), 30000, c.name);
        } catch (e) {
          cases[index] = { name: c.name, error: String(e && e.stack || e) };
        }
        log(`${c.name}: ${Date.now() - t0} ms`);
      }
    };
    await Promise.all([worker(), worker()]);
    const classify = await runClassify(browser, origin, plan);
    process.stdout.write(JSON.stringify({ origin, chromium: browser.version(), cases, classify }));
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e) => {
  process.stderr.write(`browser driver failed: ${e && e.stack || e}\n`);
  process.exit(1);
});
