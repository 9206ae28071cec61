// What the browser tests of digest serve share: the site (websetup.py:
// SMTP servers, configuration, digest serve), Debian's chromium through
// playwright-core (never a browser of its own), the mails the test SMTP
// servers received, screenshots at 375 and 1280 px, and the checks every
// page must pass: labels, contrast of 4.5:1 in light and dark mode, and
// a visible focus.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";

export const DIGEST = process.env.DIGEST;
export const SRC = process.env.DIGEST_SRC;
const BIN = process.env.DIGEST_TEST_BIN || ".";
export const SHOTS = path.join(BIN, "screenshots");
export const CHROMIUM = "/usr/bin/chromium";
export const DEMO_NOW = "2026-11-29T09:30:00+01:00";

let failures = 0;

export function check(condition, message) {
  if (!condition) {
    failures++;
    console.error("FAIL: " + message);
  }
}

export function finish() {
  if (failures) {
    console.error(`${failures} check(s) failed`);
    process.exit(1);
  }
  console.log("all checks passed");
  process.exit(0);
}

// Exit 77 (skip) when what the test needs is missing, and say what.
export async function loadPlaywright() {
  if (!fs.existsSync(CHROMIUM)) {
    console.log("SKIP: no " + CHROMIUM + " (Debian package chromium)");
    process.exit(77);
  }
  try {
    return await import("playwright-core");
  } catch (error) {
    console.log("SKIP: no playwright-core in tests/browser/node_modules " +
      "(scripts/install-deps runs npm ci there): " + error.message);
    process.exit(77);
  }
}

export async function launch(playwright, profile) {
  fs.rmSync(profile, { recursive: true, force: true });
  return playwright.chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu",
      "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run"],
    viewport: { width: 1280, height: 900 },
    // A Dutch visitor: the pages answer in Dutch until told otherwise.
    locale: "nl-NL",
  });
}

// Starts websetup.py; resolves to its JSON, with stop() to end it all.
export function startSite(name, extraFeed) {
  const args = [path.join(SRC, "tests/lib/websetup.py"), name];
  if (extraFeed) args.push(extraFeed);
  const child = spawn("/usr/bin/python3", args,
    { stdio: ["pipe", "pipe", "inherit"], env: process.env });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.once("line", (line) => {
      const site = JSON.parse(line);
      site.stop = () => new Promise((done) => {
        child.once("exit", done);
        child.stdin.end();
      });
      resolve(site);
    });
    child.once("exit", (code) => reject(new Error("websetup.py: " + code)));
  });
}

// Runs digest with the site's configuration; returns {code, out, err}.
export function digest(site, ...args) {
  const done = spawnSync(DIGEST, ["--config", site.config, ...args],
    { encoding: "utf-8", timeout: 120000 });
  return { code: done.status, out: done.stdout, err: done.stderr };
}

// The messages a test SMTP server received: {rcpt, raw}.
export function received(maildir) {
  const log = path.join(maildir, "log.jsonl");
  if (!fs.existsSync(log)) return [];
  return fs.readFileSync(log, "utf-8").trim().split("\n").filter(Boolean)
    .map((line) => JSON.parse(line)).filter((e) => e.event === "message")
    .map((e) => ({ rcpt: e.rcpt_tos, raw: fs.readFileSync(
      path.join(maildir, e.file), "utf-8") }));
}

export async function waitForMail(maildir, count) {
  for (let i = 0; i < 200; i++) {
    const found = received(maildir);
    if (found.length >= count) return found;
    await new Promise((done) => setTimeout(done, 100));
  }
  return received(maildir);
}

// Undoes quoted-printable: soft line breaks and =XX.
export function unQuote(text) {
  return text.replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(
      parseInt(hex, 16)));
}

export function header(raw, name) {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, " ");
  const line = head.split(/\r?\n/).find((l) =>
    l.toLowerCase().startsWith(name.toLowerCase() + ":"));
  return line ? line.slice(name.length + 1).trim() : null;
}

// A subscriber's signed link as digest makes it (links_url), from the
// web-link helper.
export function link(site, action, address, issued) {
  const args = [site.config, action, address];
  if (issued !== undefined) args.push(String(issued));
  const done = spawnSync(path.join(BIN, "web-link"), args,
    { encoding: "utf-8" });
  return done.stdout.trim();
}

// Screenshots of the page at 375 and 1280 px wide, whole.
export async function shoot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`),
      fullPage: true });
    if (width === 375) {
      const wide = await page.evaluate(() =>
        document.documentElement.scrollWidth);
      check(wide <= 375, `${name}: wider than 375 px (${wide})`);
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

// Contrast of every piece of text against what is behind it, in the page.
function contrastProblems() {
  const parse = (color) => (color.match(/[\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const channel = (c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const background = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const color = parse(getComputedStyle(e).backgroundColor);
      if (color.length === 3 || (color.length === 4 && color[3] > 0))
        return color.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const problems = [];
  for (const element of document.body.querySelectorAll("*")) {
    const own = [...element.childNodes].some((n) =>
      n.nodeType === 3 && n.textContent.trim());
    const style = getComputedStyle(element);
    if (!own || style.display === "none" || style.visibility === "hidden")
      continue;
    const fore = luminance(parse(style.color).slice(0, 3));
    const back = luminance(background(element));
    const ratio = (Math.max(fore, back) + 0.05) /
      (Math.min(fore, back) + 0.05);
    if (ratio < 4.5)
      problems.push(`${element.tagName} "${element.textContent.trim()
        .slice(0, 30)}": ${ratio.toFixed(2)}`);
  }
  return problems;
}

// Every field labelled, every group named, contrast in both schemes.
export async function checkAccessible(page, name) {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll("input:not([type=hidden]), button")]
      .filter((e) => e.tagName === "BUTTON" ? !e.textContent.trim()
        : e.labels.length === 0).map((e) => e.name || e.id));
  check(unlabelled.length === 0, `${name}: unlabelled ${unlabelled}`);
  const groups = await page.evaluate(() =>
    [...document.querySelectorAll("fieldset")].filter((f) =>
      !f.querySelector("legend")).length);
  check(groups === 0, `${name}: a fieldset without a legend`);
  check(await page.evaluate(() => document.documentElement.lang !== ""),
    `${name}: no lang`);
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    const problems = await page.evaluate(contrastProblems);
    check(problems.length === 0,
      `${name} (${scheme}): contrast below 4.5:1: ${problems.join("; ")}`);
  }
  await page.emulateMedia({ colorScheme: "light" });
}

// Presses Tab until the focused element matches test; false if never.
export async function tabTo(page, test, limit = 40) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(test)) return true;
  }
  return false;
}

// The focused element shows an outline of at least 2 px.
export async function focusVisible(page) {
  return page.evaluate(() => {
    const style = getComputedStyle(document.activeElement);
    return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  });
}

// Runs an action that submits a form or follows a link and waits for the
// page it leads to.  waitForLoadState() alone can return at once, while the
// old page is still the loaded one (a key press does not wait for the
// navigation it starts), and the next check would read the old page.
export async function submit(page, action) {
  const loaded = page.waitForEvent("load");
  await action();
  await loaded;
}
