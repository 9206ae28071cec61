// A visitor signs up in a real browser (Debian's chromium, headless),
// follows the confirmation link out of the mail that the test SMTP server
// of their webmail really received, chooses DELTA webmail on the
// preferences page with the keyboard alone, and the next `digest send`
// goes through DELTA's SMTP server.  Then the digest in the browser, the
// data pages and an error page.  Every page is checked for labels,
// contrast (light and dark) and a visible focus, and saved as a
// screenshot at 375 and 1280 px in <build>/tests/screenshots/.
import path from "node:path";
import { check, checkAccessible, DEMO_NOW, digest, finish, focusVisible,
  launch, link, loadPlaywright, received, shoot, startSite, tabTo, unQuote,
  submit, waitForMail } from "./lib.mjs";

const ADDRESS = "ella@example.nl";
const playwright = await loadPlaywright();
const site = await startSite("browser-signup");
const context = await launch(playwright,
  path.join(site.directory, "chromium-profile"));
try {
  const page = await context.newPage();

  // The sign-up form: filled in as a person would, with the keyboard.
  await page.goto(site.base + "/");
  await checkAccessible(page, "signup");
  await shoot(page, "signup");
  check(await tabTo(page, () => document.activeElement.id === "email"),
    "the address field is reached with Tab");
  check(await focusVisible(page), "the focused field shows it");
  await page.keyboard.type(ADDRESS);
  await page.getByLabel("ZeelandNet webmail").check();
  await page.getByLabel("English").check();
  await submit(page, () =>
    page.getByRole("button", { name: "Aanmelden" }).click());
  check((await page.textContent("h1")).includes("Check your mailbox"),
    "the check-your-mailbox page");
  await checkAccessible(page, "signup-sent");
  await shoot(page, "signup-sent");

  // The mail that ZeelandNet's server received holds the link.
  const mails = await waitForMail(site.zeeland, 1);
  check(mails.length === 1 && mails[0].rcpt[0] === ADDRESS,
    "one confirmation mail through ZeelandNet's SMTP server");
  const body = unQuote(mails[0]?.raw || "");
  const found = body.match(/http:\/\/\S+\/confirm\?t=\S+/);
  check(found, "the mail holds the confirmation link");
  check(body.includes("Confirm your sign-up"), "in English, as chosen");
  await page.goto(found[0]);
  await checkAccessible(page, "confirm");
  await shoot(page, "confirm");
  await submit(page, () => page.getByRole("button").click());
  check((await page.textContent("h1")).includes("You are signed up"),
    "confirmed");
  await shoot(page, "confirmed");

  // Preferences: DELTA webmail, chosen and saved with the keyboard alone.
  await submit(page, () =>
    page.getByRole("link", { name: /settings/ }).click());
  await checkAccessible(page, "prefs");
  await shoot(page, "prefs");
  check(await tabTo(page, () => document.activeElement.name === "provider"),
    "the webmail choice is reached with Tab");
  check(await focusVisible(page), "the focused choice shows it");
  await page.keyboard.press("ArrowDown");
  check(await page.isChecked("#provider-delta"),
    "the arrow key chooses DELTA webmail");
  check(await tabTo(page, () => document.activeElement.type === "submit"),
    "the save button is reached with Tab");
  await submit(page, () => page.keyboard.press("Enter"));
  check((await page.textContent("body")).includes("Saved."), "saved");
  check(await page.isChecked("#provider-delta"), "DELTA stays chosen");
  await shoot(page, "prefs-saved");

  // The next run goes through DELTA's SMTP server.
  const sent = digest(site, "send", "--now", DEMO_NOW);
  check(sent.code === 0 && sent.out.includes("sent 1"),
    `send: ${sent.code} ${sent.out} ${sent.err}`);
  const delta = received(site.delta);
  check(delta.length === 1 && delta[0].rcpt[0] === ADDRESS,
    "the digest went through DELTA's SMTP server");
  check(received(site.zeeland).length === 1,
    "ZeelandNet carried only the confirmation");
  check(/^From: .*nieuws@delta\.example/m.test(delta[0]?.raw || ""),
    "From DELTA");

  // The digest in the browser, and the pages about your data.
  // The view link of the day the digest was sent for.
  const viewUrl = link(site, "view", ADDRESS,
    Math.floor(Date.parse(DEMO_NOW) / 1000));
  check(viewUrl.includes("/view?t="), "a view link");
  await page.goto(viewUrl);
  check((await page.textContent("body")).includes("Foreign news"),
    "the digest in the browser, in English");
  await shoot(page, "view");
  await page.goto(link(site, "prefs", ADDRESS).replace("/prefs?", "/erase?"));
  await checkAccessible(page, "erase");
  await shoot(page, "erase");
  await submit(page, () => page.getByRole("button").click());
  check((await page.textContent("h1")).includes("erased"), "erased");
  await checkAccessible(page, "erased");
  await shoot(page, "erased");
  check(!digest(site, "subscribers", "list").out.includes(ADDRESS),
    "the address is gone");
  await page.goto(site.base + "/prefs?t=1.broken");
  await checkAccessible(page, "error");
  await shoot(page, "error");
} finally {
  await context.close();
  await site.stop();
}
finish();
