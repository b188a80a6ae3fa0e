// Visits pages of a built otasite site in WebKit, the engine of iOS Safari: WebKitGTK's
// MiniBrowser behind WebKitWebDriver (under xvfb-run), one WebDriver session per visit with
// the visit's user agent. Reports what each visitor sees as JSON on stdout;
// tests/browser_webkit.rs builds the site, writes the plan and judges the report.
//
//   node tests/browser/webkit.mjs <plan.json>
//
// The plan: { site, driver, xvfb_run, minibrowser, visits: [{ name, path, user_agent,
// click, password, help_link }] }: `click` clicks the element with that id and waits for
// #copy-status to say something; `password` types it into a locked page and submits;
// `help_link` follows the page's "Nothing happens?" link to the install doctor.

import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { log, serve, withTimeout } from "./common.mjs";

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Starts WebKitWebDriver in a virtual display; resolves once it answers /status. */
async function startDriver(plan) {
  const port = await freePort();
  const child = spawn(plan.xvfb_run, ["-a", plan.driver, `--port=${port}`], {
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited: ${stderr}`);
    try {
      const status = await fetch(`${base}/status`);
      if (status.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() - started > 30000) throw new Error(`WebKitWebDriver did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  // xvfb-run starts Xvfb and the driver in its own process group: end them together.
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  };
  return { base, stop };
}

/** One W3C WebDriver command; throws on an error answer. */
async function command(base, method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${JSON.stringify(answer.value)}`);
  return answer.value;
}

/** What the visitor sees of the page now. */
const OBSERVE = `
  const text = (selector) => {
    const el = document.querySelector(selector);
    return el ? (el.innerText || el.textContent || "").replace(/\\s+/g, " ").trim() : null;
  };
  const visible = (id) => {
    const el = document.getElementById(id);
    if (!el) return false;
    const rect = el.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const ids = ["install-button", "safari-fallback", "inapp", "inapp-how", "compat", "desktop",
    "copy-link", "safari-handoff", "other-browser", "locked", "unlock-form"];
  const doctor = document.getElementById("doctor");
  const first = doctor ? doctor.querySelector("section.cause") : null;
  return {
    url: location.href,
    user_agent: navigator.userAgent,
    visitor: document.getElementById("install")?.getAttribute("data-visitor") ?? null,
    visible: Object.fromEntries(ids.map((id) => [id, visible(id)])),
    install_href: document.getElementById("install-button")?.getAttribute("href") ?? null,
    handoff_href: document.getElementById("safari-handoff-link")?.getAttribute("href") ?? null,
    inapp_name: text("#inapp-name"),
    copy_status: text("#copy-status"),
    h1: text("h1"),
    unlock_message: text("#unlock-message"),
    help_href: document.querySelector("a[href*='help/index.html']")?.href ?? null,
    doctor_first: doctor ? doctor.getAttribute("data-first") : null,
    doctor_top_text: first ? (first.innerText || "").replace(/\\s+/g, " ").trim() : null,
    expiries: Array.from(document.querySelectorAll("[data-expiry]"), (el) => ({
      text: (el.innerText || el.textContent).replace(/\\s+/g, " ").trim(),
      state: el.getAttribute("data-expiry-state"),
    })),
  };
`;

async function visit(plan, driver, origin, v) {
  const session = await command(driver.base, "POST", "/session", {
    capabilities: {
      alwaysMatch: {
        "webkitgtk:browserOptions": {
          binary: plan.minibrowser,
          args: ["--automation", `--user-agent=${v.user_agent}`],
        },
      },
    },
  });
  const at = `/session/${session.sessionId}`;
  const run = (script) => command(driver.base, "POST", `${at}/execute/sync`, { script, args: [] });
  // A W3C element reference is an object with one key, the web element identifier.
  const element = async (css) =>
    Object.values(await command(driver.base, "POST", `${at}/element`, { using: "css selector", value: css }))[0];
  const settle = async (done) => {
    const started = Date.now();
    while (!(await run(done)) && Date.now() - started < 20000) await new Promise((r) => setTimeout(r, 100));
  };
  try {
    await command(driver.base, "POST", `${at}/url`, { url: origin + v.path });
    if (v.help_link) {
      const href = await run("return document.querySelector(\"a[href*='help/index.html']\")?.href ?? null");
      if (!href) throw new Error("no link to the install doctor");
      await command(driver.base, "POST", `${at}/url`, { url: href });
    }
    if (v.password != null) {
      const field = await element("#unlock-password");
      await command(driver.base, "POST", `${at}/element/${field}/value`, { text: v.password });
      await command(driver.base, "POST", `${at}/element/${await element("#unlock-form button[type=submit]")}/click`, {});
      // PBKDF2 with 600,000 rounds takes a moment; the message says "Unlocking…" meanwhile.
      await settle(`
        if (!document.getElementById("locked")) return true;
        const text = document.getElementById("unlock-message")?.textContent || "";
        return text !== "" && !text.endsWith("…");`);
    }
    if (v.click) {
      await command(driver.base, "POST", `${at}/element/${await element(`#${v.click}`)}/click`, {});
      await settle(`return (document.getElementById("copy-status")?.textContent || "") !== "";`);
    }
    return { name: v.name, seen: await run(OBSERVE) };
  } finally {
    await command(driver.base, "DELETE", at).catch(() => {});
  }
}

async function main() {
  const plan = JSON.parse(await readFile(process.argv[2], "utf8"));
  const { server, origin } = await serve(plan.site);
  let driver = await startDriver(plan);
  try {
    const visits = [];
    for (const v of plan.visits) {
      const t0 = Date.now();
      for (let attempt = 1; ; attempt++) {
        try {
          visits.push(await withTimeout(visit(plan, driver, origin, v), 45000, v.name));
          break;
        } catch (e) {
          // MiniBrowser under a loaded virtual display now and then stops answering; a
          // hung browser is restarted once and the visit made again. Any other error, or a
          // second hang, is the visit's result.
          if (!e?.timedOut || attempt > 1) {
            visits.push({ name: v.name, error: String(e && e.stack || e) });
            break;
          }
          log(`${v.name}: ${e.message}; restarting WebKit and visiting again`);
          driver.stop();
          driver = await startDriver(plan);
        }
      }
      log(`${v.name}: ${Date.now() - t0} ms`);
    }
    process.stdout.write(JSON.stringify({ origin, visits }));
  } finally {
    driver.stop();
    server.close();
  }
}

main().catch((e) => {
  process.stderr.write(`webkit driver failed: ${e && e.stack || e}\n`);
  process.exit(1);
});
