"""digest items: the demo feeds gathered (category kept, duplicates dropped,
newest first, age window and limit), --json, --source, and sources served by
a local HTTP server that are slow, missing, HTML or truncated."""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import (DEMO_NOW, SRC, check, demo_config_text, finish, run,
                        tempdir, write)

EX_USAGE, EX_UNAVAILABLE = 64, 69
directory = tempdir()
config = write(os.path.join(directory, "demo.ini"),
               demo_config_text(directory))

# Plain listing of the demo.
code, out, err = run(["items", "--now", DEMO_NOW], config=config)
check(code == 0 and err == "", "demo items: %d %r" % (code, err))
check("Noorwegen neemt drijvend windpark" in out, "demo: first item")

code, out, err = run(["items", "--json", "--now", DEMO_NOW], config=config)
check(code == 0, "json: exit %d %r" % (code, err))
items = [json.loads(line) for line in out.splitlines()]
for item in items:
    check(sorted(item) == ["link", "published", "source", "summary",
                           "title"], "json keys: %r" % sorted(item))
titles = [item["title"] for item in items]
check(len(items) == 10, "max_items = 10 keeps 10, got %d" % len(items))
check(not any(t.startswith("Sport") for t in titles),
      "the Sport item is filtered by category")
check(not any("Poolse" in t for t in titles),
      "the item older than max_age is dropped")
check(sum("windpark" in t for t in titles) == 1,
      "the windpark story appears once across two feeds: %r" % titles)
dated = [item["published"] for item in items if item["published"]]
check(dated == sorted(dated, reverse=True), "newest first: %r" % dated)
check(items[0]["published"] == "2026-11-29T08:19:00Z",
      "RFC 3339 UTC published: %r" % items[0]["published"])
check(all(item["link"].startswith("https://") for item in items),
      "absolute links")
brazil = [item for item in items if item["title"].startswith("Brazili")]
check(brazil and brazil[0]["link"] == "https://wereld.example.org/nieuws/88107",
      "xml:base resolves the Atom link: %r" % brazil)
italy = [item for item in items if "Italië" in item["title"]]
check(italy and "trackVisit" not in italy[0]["summary"] and
      "<" not in italy[0]["summary"], "summary is text without script")

# max_age widened: the older item comes back; max_items caps the count.
wide = write(os.path.join(directory, "wide.ini"),
             demo_config_text(directory).replace("max_age = 48h",
                                                 "max_age = 30d")
             .replace("max_items = 10", "max_items = 20"))
code, out, err = run(["items", "--json", "--now", DEMO_NOW], config=wide)
titles = [json.loads(line)["title"] for line in out.splitlines()]
check(any("Poolse" in t for t in titles), "30d window keeps the old item")
check(titles[-1].startswith("Zuid-Korea"), "undated item last: %r" % titles)
narrow = write(os.path.join(directory, "narrow.ini"),
               demo_config_text(directory).replace("max_items = 10",
                                                   "max_items = 3"))
code, out, err = run(["items", "--json", "--now", DEMO_NOW], config=narrow)
check(len(out.splitlines()) == 3, "max_items = 3: %r" % out)

# --source shows one feed as it is: every item, feed order, no filter.
feed = "file://" + os.path.join(SRC, "config", "demo", "buitenland.xml")
code, out, err = run(["items", "--json", "--source", feed], config=config)
raw = [json.loads(line) for line in out.splitlines()]
check(code == 0 and len(raw) == 12, "--source: 12 items, got %d" % len(raw))
check(raw[4]["title"].startswith("Sport"), "--source keeps feed order")
check(raw[-1]["published"] is None, "undated item: published null")
code, out, err = run(["items", "--source", "gopher://x"], config=config)
check(code == EX_USAGE and "gopher" in err, "--source bad scheme: %d" % code)
code, out, err = run(["items", "--source", "file:///no/such/feed.xml"],
                     config=config)
check(code == EX_UNAVAILABLE and "/no/such/feed.xml" in err,
      "--source missing file: %d %r" % (code, err))

# Titles are plain text: markup and escaped markup never reach --json.
shape = "file://" + os.path.join(SRC, "tests", "data", "feeds",
                                 "shape-title-markup.xml")
code, out, err = run(["items", "--json", "--source", shape], config=config)
titles = [json.loads(line)["title"] for line in out.splitlines()]
check(code == 0 and len(titles) == 7, "markup titles: %d %r" % (code, err))
check(not any(re.search(r"<[a-zA-Z/!]|&[a-zA-Z#]", t) for t in titles),
      "titles hold no markup or entity: %r" % titles)
check("Breaking: veerboot vast in het ijs bij Tallinn" in titles,
      "escaped markup decoded and stripped: %r" % titles)

# An item dated in the future counts as published now, with a warning
# that names its source; one a few minutes ahead keeps its date.
future = write(os.path.join(directory, "toekomst.xml"), """<rss version="2.0">
<channel><title>Toekomst</title>
<item><title>Bericht uit 2099</title><guid>urn:test:2099</guid>
<pubDate>Thu, 01 Jan 2099 00:00:00 GMT</pubDate></item>
<item><title>Klok loopt voor</title><guid>urn:test:skew</guid>
<pubDate>2026-11-29T08:33:00Z</pubDate></item>
</channel></rss>
""")
ahead = write(os.path.join(directory, "ahead.ini"), demo_config_text(
    directory, extra_sources="\n[source toekomst]\nurl = file://%s\n" %
    future))
code, out, err = run(["items", "--json", "--now", DEMO_NOW], config=ahead)
check(code == 0, "future dates: exit %d %r" % (code, err))
check(err.splitlines() == ['digest: feed "toekomst": an item is dated '
                           '2099-01-01T00:00:00Z, beyond future_tolerance: '
                           'counted as published now'],
      "one warning names the source: %r" % err)
published = {item["title"]: item["published"]
             for item in map(json.loads, out.splitlines())}
check(published.get("Bericht uit 2099") == "2026-11-29T08:30:00Z",
      "2099 counts as now: %r" % published)
check(published.get("Klok loopt voor") == "2026-11-29T08:33:00Z",
      "three minutes of skew keep their date: %r" % published)

# Sources over HTTP: one good, the others broken in each way.
server = subprocess.Popen(
    ["/usr/bin/python3", os.path.join(SRC, "tests", "lib", "httpserver.py"),
     "--root", os.path.join(SRC, "config", "demo")],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE)
try:
    port = int(server.stdout.readline())
    base = "http://127.0.0.1:%d" % port
    extra = ""
    for name, path in [("good-http", "/feed/wereld.atom"),
                       ("slow", "/slow/30"),
                       ("missing", "/status/404"),
                       ("webpage", "/html"),
                       ("cut", "/truncated")]:
        extra += "\n[source %s]\nurl = %s%s\n" % (name, base, path)
    mixed_text = demo_config_text(directory, extra_sources=extra)
    mixed_text = mixed_text.replace("[mail]", "[fetch]\ntimeout = 3s\n\n[mail]")
    mixed = write(os.path.join(directory, "mixed.ini"), mixed_text)
    started = time.monotonic()
    code, out, err = run(["items", "--json", "--now", DEMO_NOW], config=mixed)
    elapsed = time.monotonic() - started
    check(code == 0, "mixed sources still succeed: %d %r" % (code, err))
    check(elapsed < 20, "slow source bounded by timeout: %.1fs" % elapsed)
    lines = err.splitlines()
    for name, words in [("slow", "time"), ("missing", "404"),
                        ("webpage", "not a feed"), ("cut", "")]:
        check(any(line.startswith('digest: feed "%s": ' % name) and
                  words in line for line in lines),
              "a warning names %s (%r): %r" % (name, words, err))
    check(len(lines) == 4, "one line per broken source: %r" % lines)
    check(len(out.splitlines()) == 10, "items still listed")

    # No usable source at all: a clear error and a non-zero exit.
    broken_text = mixed_text
    for name in ["nzw-buitenland", "wereldpers", "good-http"]:
        broken_text = broken_text.replace("[source %s]" % name,
                                          "[source %s]\n" % name)
    broken_text = broken_text.replace(
        "file://%s/config/demo/buitenland.xml" % SRC, base + "/status/500")
    broken_text = broken_text.replace(
        "file://%s/config/demo/wereld.atom" % SRC, base + "/status/503")
    broken_text = broken_text.replace(base + "/feed/wereld.atom",
                                      base + "/html")
    broken = write(os.path.join(directory, "broken.ini"), broken_text)
    code, out, err = run(["items", "--now", DEMO_NOW], config=broken)
    check(code == EX_UNAVAILABLE, "no usable source: exit %d" % code)
    check("no news source could be read" in err, "says so: %r" % err)
    check(out == "", "prints no items")
finally:
    server.stdin.close()
    server.wait(timeout=10)

finish()
