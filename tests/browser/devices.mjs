// Devices in Chromium: a visitor registers (the result page reads the endpoint's redirect),
// then opens build pages that do and do not list the device. Plan: { site, chromium,
// register: "<path#fragment>", builds: [{ name, path }] }; prints what each page showed.

import { readFile } from "node:fs/promises";
import path from "node:path";
import { chromium } from "playwright-core";
import { log, serve, withTimeout } from "./common.mjs";

async function shown(page, ids) {
  const out = {};
  for (const id of ids) {
    out[id] = await page.evaluate((id) => {
      const el = document.getElementById(id);
      if (!el) return null;
      let hidden = false;
      for (let e = el; e; e = e.parentElement) if (e.hidden) hidden = true;
      return { hidden, text: el.textContent.trim() };
    }, id);
  }
  return out;
}

async function visitBuilds(context, origin, builds) {
  const out = [];
  for (const b of builds) {
    const page = await context.newPage();
    await page.goto(origin + b.path, { waitUntil: "load" });
    // The answer comes after a fetch and a WebCrypto hash: wait for either line.
    await page
      .waitForSelector("#device-listed:not([hidden]), #device-unlisted:not([hidden])", { timeout: 5000 })
      .catch(() => {});
    out.push({ name: b.name, ...(await shown(page, ["device-check", "device-listed", "device-unlisted"])) });
    await page.close();
  }
  return out;
}

async function main() {
  const plan = JSON.parse(await readFile(process.argv[2], "utf8"));
  const { server, origin } = await serve(path.resolve(plan.site));
  const browser = await chromium.launch({
    executablePath: plan.chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  const errors = [];
  try {
    // A visitor who never registered: the build pages say nothing.
    const stranger = await browser.newContext();
    const before = await visitBuilds(stranger, origin, plan.builds);
    await stranger.close();

    const context = await browser.newContext();
    const page = await context.newPage();
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    log(`registering at ${plan.register}`);
    await page.goto(origin + plan.register, { waitUntil: "load" });
    await page.waitForSelector("#device-found:not([hidden])", { timeout: 5000 }).catch(() => {});
    const registered = await shown(page, ["device-found", "device-udid", "device-model", "device-version", "device-missing"]);
    registered.address = page.url();
    registered.stored = await page.evaluate(() => localStorage.getItem("otasite.device"));
    registered.mail = await page.evaluate(() => document.getElementById("device-mail").getAttribute("href"));
    await page.close();

    const after = await visitBuilds(context, origin, plan.builds);
    await context.close();
    process.stdout.write(JSON.stringify({ before, registered, after, errors }));
  } finally {
    await browser.close();
    server.close();
  }
}

await withTimeout(main(), 90000, "devices driver");
