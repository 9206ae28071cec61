// A subscriber leaves with one click from a digest that was really sent
// (through the test SMTP server), in a real browser, and the next run
// skips them while the others still get theirs; then they undo it.
//
// The link: until the digests carry the signed unsubscribe link of
// digest serve in List-Unsubscribe (the mail side of the same issue), the
// test makes it itself with the web-link helper, which calls links_url()
// as the letter will.  Once the sent digest's List-Unsubscribe holds a
// signed link to this site, the test takes that one instead.
import fs from "node:fs";
import path from "node:path";
import { check, checkAccessible, digest, finish, header, launch, link,
  loadPlaywright, received, shoot, startSite, submit } from "./lib.mjs";

const ELLA = "ella@example.nl";
const BRAM = "bram@example.nl";
const DAY1 = "2026-11-29T09:30:00+01:00";
const DAY2 = "2026-11-30T09:30:00+01:00";
const EMPTY = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Dag twee</title></channel></rss>
`;
const ITEM = EMPTY.replace("</channel>", `<item>
<title>Dag twee: een nieuw bericht uit Lissabon</title>
<link>https://example.org/dag-twee</link>
<pubDate>Mon, 30 Nov 2026 07:00:00 +0000</pubDate>
<description>Alleen op de tweede dag te lezen.</description>
</item></channel>`);

const playwright = await loadPlaywright();
const feedDir = fs.mkdtempSync("/tmp/digest-browser-");
const feed = path.join(feedDir, "dag2.xml");
fs.writeFileSync(feed, EMPTY);
const site = await startSite("browser-unsubscribe", feed);
const context = await launch(playwright,
  path.join(site.directory, "chromium-profile"));

function active(address) {
  // One JSON object a line.
  const list = digest(site, "subscribers", "list", "--json").out.trim()
    .split("\n").filter(Boolean).map((line) => JSON.parse(line));
  const entry = list.find((s) => s.email === address);
  return entry ? entry.active : undefined;
}

try {
  check(digest(site, "subscribers", "add", ELLA, "--provider",
    "zeelandnet").code === 0, "add ella");
  check(digest(site, "subscribers", "add", BRAM, "--provider",
    "delta").code === 0, "add bram");
  const first = digest(site, "send", "--now", DAY1);
  check(first.code === 0 && first.out.includes("sent 2"),
    `day 1: ${first.out} ${first.err}`);
  const mail = received(site.zeeland).find((m) => m.rcpt[0] === ELLA);
  check(mail, "ella's digest arrived at ZeelandNet's server");

  const listed = (header(mail?.raw || "", "List-Unsubscribe") || "")
    .match(/<(https?:\/\/[^>]*\?t=[^>]*)>/);
  const url = listed && listed[1].startsWith(site.base)
    ? listed[1] : link(site, "unsubscribe", ELLA);
  check(url.startsWith(site.base + "/unsubscribe?t="), "a signed link");

  const page = await context.newPage();
  await page.goto(url);
  await checkAccessible(page, "unsubscribe");
  await shoot(page, "unsubscribe");
  check(active(ELLA) === true, "opening the link changes nothing");
  const buttons = await page.getByRole("button").count();
  check(buttons === 1, `one button (${buttons})`);
  await submit(page, () => page.getByRole("button").click());
  check((await page.textContent("h1")).includes("Je bent afgemeld"),
    "the page says it is done");
  await checkAccessible(page, "unsubscribed");
  await shoot(page, "unsubscribed");
  check(active(ELLA) === false, "ella is no longer active");

  // The next day brings news: bram gets it, ella does not.
  fs.writeFileSync(feed, ITEM);
  const second = digest(site, "send", "--now", DAY2);
  check(second.code === 0 && second.out.includes("sent 1"),
    `day 2: ${second.out} ${second.err}`);
  check(received(site.zeeland).filter((m) => m.rcpt[0] === ELLA)
    .length === 1, "the next run skipped ella");
  check(received(site.delta).filter((m) => m.rcpt[0] === BRAM)
    .length === 2, "bram got the next digest");

  // Undo, from the page that confirmed it.
  await submit(page, () =>
    page.getByRole("button", { name: "Ongedaan maken" }).click());
  check((await page.textContent("h1")).includes("weer aangemeld"),
    "subscribed again");
  await checkAccessible(page, "resubscribed");
  await shoot(page, "resubscribed");
  check(active(ELLA) === true, "ella is active again");
} finally {
  await context.close();
  await site.stop();
  fs.rmSync(feedDir, { recursive: true, force: true });
}
finish();
