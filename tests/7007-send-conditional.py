"""digest send fetches a feed only when it changed: the second day it sends
the feed's ETag (If-None-Match) and Last-Modified (If-Modified-Since), the
server answers 304 Not Modified, and that is no failure and no news; when
the feed changes, the new item goes out once.  A dry run asks for
everything."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import SRC, check, demo_config_text, finish, run, tempdir, \
    write

directory = tempdir()
feeds = os.path.join(directory, "feeds")
os.makedirs(feeds)
log = os.path.join(directory, "requests.log")


def feed(titles):
    items = "".join("""<item><title>%s</title>
<link>https://example.org/%d</link><guid>https://example.org/%d</guid>
<pubDate>Sun, 29 Nov 2026 0%d:00:00 +0000</pubDate></item>
""" % (title, n, n, n) for n, title in enumerate(titles))
    write(os.path.join(feeds, "news.xml"),
          '<?xml version="1.0"?><rss version="2.0"><channel><title>N'
          "</title>%s</channel></rss>" % items)


def requests():
    with open(log) as handle:
        return [line for line in handle if "/feed/news.xml" in line]


def outbox_count():
    path = os.path.join(directory, "outbox", "new")
    return len(os.listdir(path)) if os.path.isdir(path) else 0


feed(["Eerste bericht", "Tweede bericht"])
server = subprocess.Popen(
    [sys.executable, os.path.join(SRC, "tests", "lib", "httpserver.py"),
     "--root", feeds, "--log", log], stdin=subprocess.PIPE,
    stdout=subprocess.PIPE)
port = int(server.stdout.readline())
try:
    text = demo_config_text(directory, extra_sources=(
        "[source web]\nurl = http://127.0.0.1:%d/feed/news.xml?etag\n"
        % port))
    text = text.replace("max_age = 48h", "max_age = 7d")
    config = write(os.path.join(directory, "digest.ini"), text)
    csv = write(os.path.join(directory, "subs.csv"), "email\nanna@example.nl\n")
    code, out, err = run(["subscribers", "import", csv], config=config)

    code, out, err = run(["send", "--now", "2026-11-29T09:30:00+01:00"],
                         config=config)
    check(code == 0 and "sent 1" in out, "day one: %d %r %r" % (code, out, err))
    first = requests()
    check(len(first) == 1 and "If-None-Match" not in first[0],
          "the first fetch asks for everything: %r" % first)

    code, out, err = run(["send", "--dry-run", "--now",
                          "2026-11-30T09:30:00+01:00"], config=config)
    check("If-None-Match" not in requests()[-1],
          "a dry run asks for everything: %r" % requests()[-1])

    code, out, err = run(["send", "--now", "2026-11-30T09:30:00+01:00"],
                         config=config)
    last = requests()[-1]
    check("If-None-Match=\"" in last and "If-Modified-Since=" in last,
          "the second day asks only if changed: %r" % last)
    check(code == 0 and "nothing new 1" in out and 'feed "web"' not in err,
          "a 304 is no failure and no news: %d %r %r" % (code, out, err))
    check(outbox_count() == 1, "one message so far: %d" % outbox_count())

    feed(["Eerste bericht", "Tweede bericht", "Derde bericht, nieuw"])
    code, out, err = run(["send", "--now", "2026-12-01T09:30:00+01:00"],
                         config=config)
    check(code == 0 and "sent 1" in out, "a changed feed: %d %r %r" %
          (code, out, err))
    newest = sorted(os.listdir(os.path.join(directory, "outbox", "new")))
    with open(os.path.join(directory, "outbox", "new", newest[-1]),
              "rb") as handle:
        message = handle.read().decode("utf-8", "replace")
    check("Derde bericht" in message and "Eerste bericht" not in message,
          "only the new item went out")
finally:
    server.stdin.close()
    server.wait()

finish()
