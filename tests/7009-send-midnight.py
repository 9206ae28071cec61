"""digest send just after midnight: the digest's day is the day in the
configured time zone (Europe/Amsterdam), so a run at 00:30 on 30 November
sends everyone who got the digest of the 29th their next one.

Regression (issue 7): the day was once taken in UTC, in which 00:30 +01:00
is still the 29th; every other test runs at 09:30 +01:00, where the two
agree, so nothing noticed that such a run skipped everyone.  The maildir
transport keeps this test free of servers.  A third feed gains an item
just after midnight, so that the run at 00:30 has news to send: each
subscriber gets only what they have not had before."""
import os
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import check, demo_config_text, finish, run, tempdir, write

directory = tempdir()
late_feed = os.path.join(directory, "laat.xml")
ITEM = ("<item><title>%s</title><link>https://laat.example/%s</link>"
        "<pubDate>%s</pubDate><category>Buitenland</category>"
        "<description>Bericht %s.</description></item>")


def write_late_feed(*items):
    write(late_feed, "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
          "<title>Laat</title><link>https://laat.example/</link>"
          "<description>d</description>%s</channel></rss>" % "".join(
              ITEM % (title, title, date, title) for title, date in items))


write_late_feed(("avond", "Sun, 29 Nov 2026 18:00:00 +0000"))
config = write(os.path.join(directory, "digest.ini"),
               demo_config_text(directory, extra_sources=(
                   "\n[source laat]\nurl = file://%s\n" % late_feed)))
csv = write(os.path.join(directory, "subs.csv"),
            "email,name,provider,language,format\n"
            "anna@zeelandnet.example,Anna de Vries,zeelandnet,nl,both\n"
            "mila@example.org,Mila Janssen,,en,text\n")
code, out, err = run(["subscribers", "import", csv], config=config)
check(code == 0, "import: %d %r" % (code, err))
outbox = os.path.join(directory, "outbox", "new")


def outbox_count():
    try:
        return len([name for name in os.listdir(outbox)
                    if name.endswith(".eml")])
    except FileNotFoundError:
        return 0


def days_recorded():
    database = sqlite3.connect(os.path.join(directory, "state.sqlite"))
    try:
        return sorted(row[0] for row in database.execute(
            "SELECT digest_date FROM journal WHERE state = 'sent'"))
    finally:
        database.close()


def send(now, summary, messages, what):
    code, out, err = run(["send", "--now", now], config=config)
    check(code == 0, "%s: exit %d %r" % (what, code, err))
    check(summary in out, "%s: summary %r, want %r" % (what, out, summary))
    check(outbox_count() == messages, "%s: %d messages in the outbox, want "
          "%d" % (what, outbox_count(), messages))


# The evening before: the digest of the 29th.
send("2026-11-29T20:00:00+01:00",
     "2026-11-29: sent 2, failed temporarily 0, failed permanently 0, "
     "skipped 0", 2, "evening of the 29th")
# A minute before midnight it is still the 29th: nobody gets a second one.
send("2026-11-29T23:59:00+01:00",
     "2026-11-29: sent 0, failed temporarily 0, failed permanently 0, "
     "skipped 2", 2, "23:59 on the 29th")
# Half past midnight is the 30th in Amsterdam (and still the 29th in UTC);
# an item came in at ten past.
write_late_feed(("avond", "Sun, 29 Nov 2026 18:00:00 +0000"),
                ("nacht", "Sun, 29 Nov 2026 23:10:00 +0000"))
send("2026-11-30T00:30:00+01:00",
     "2026-11-30: sent 2, failed temporarily 0, failed permanently 0, "
     "skipped 0", 4, "00:30 on the 30th")
# The morning run of the 30th finds everyone served.
send("2026-11-30T09:30:00+01:00",
     "2026-11-30: sent 0, failed temporarily 0, failed permanently 0, "
     "skipped 2", 4, "09:30 on the 30th")
check(days_recorded() == ["2026-11-29"] * 2 + ["2026-11-30"] * 2,
      "deliveries recorded for %r" % days_recorded())

finish()
