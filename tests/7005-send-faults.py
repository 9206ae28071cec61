"""digest send when things go wrong over days: a disk that fills up in the
middle of a run (a file size limit) sends nothing it has not recorded; an
address refused on three different days is switched off and can be
switched on again; a feed that keeps failing becomes an error; `digest
status` shows all of it; and temporary failures are tried again within
the run."""
import json
import os
import resource
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import (DEMO_NOW, DIGEST, check, demo_config_text, finish,
                        run, write)
import smtptest

EX_UNAVAILABLE, EX_IOERR = 69, 74
directory = smtptest.workdir()
news_feed = os.path.join(directory, "news.xml")


def news(day, count=1):
    """A feed whose items are new on each day (2026-11-DD)."""
    items = "".join("""<item><title>Bericht %d van dag %d</title>
<link>https://example.org/%d/%d</link>
<pubDate>%s Nov 2026 07:%02d:00 +0000</pubDate></item>
""" % (n, day, day, n, day, n) for n in range(count))
    write(news_feed, '<?xml version="1.0"?><rss version="2.0"><channel>'
          "<title>Nieuws</title>%s</channel></rss>" % items)


def configure(name, port, extra_sources=""):
    text = demo_config_text(os.path.join(directory, name),
                            extra_sources="[source nieuws]\nurl = file://%s\n"
                            % news_feed + extra_sources)
    os.makedirs(os.path.join(directory, name), exist_ok=True)
    text = text.replace("transport = maildir", "transport = smtp")
    text = text.replace("smtps://127.0.0.1:1\ntls = implicit",
                        "smtp://127.0.0.1:%d\ntls = none" % port)
    return write(os.path.join(directory, name, "digest.ini"), text)


def subscribe(config, count):
    rows = "".join("lezer%03d@example.nl\n" % i for i in range(count))
    csv = write(config + ".csv", "email\n" + rows)
    code, out, err = run(["subscribers", "import", csv], config=config)
    check(code == 0, "import: %d %r" % (code, err))


def copies(server):
    counted = {}
    for event in server.events("message"):
        for recipient in event["rcpt_tos"]:
            counted[recipient] = counted.get(recipient, 0) + 1
    return counted


def status(config):
    code, out, err = run(["status", "--json"], config=config)
    check(code == 0, "status: %d %r" % (code, err))
    return json.loads(out) if code == 0 else {}


def day(n):
    return "2026-11-%02dT09:30:00+01:00" % n


# A full disk: the state database may not grow past a limit in the middle
# of a run.  The day's edition is made first (with nobody to send to), so
# that the limit bites while deliveries are being recorded.
news(29)
with smtptest.Server(directory) as server:
    config = configure("full", server.port)
    code, out, err = run(["send", "--now", DEMO_NOW], config=config)
    check(code == 0, "edition first: %d %r" % (code, err))
    subscribe(config, 200)
    state = os.path.join(directory, "full", "state.sqlite")
    limit = os.path.getsize(state) + 48 * 1024

    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = dict(os.environ)
    env.pop("DIGEST_CONFIG", None)
    proc = subprocess.run([DIGEST, "--config", config, "send", "--now",
                           DEMO_NOW], capture_output=True, env=env,
                          preexec_fn=limited, timeout=120)
    err = proc.stderr.decode("utf-8", "replace")
    check(proc.returncode == EX_IOERR, "full disk: exit %d %r" %
          (proc.returncode, err[-500:]))
    before = copies(server)
    check(0 < len(before) < 200, "the limit bit mid-run: %d sent" %
          len(before))
    code, out, err = run(["send", "--now", DEMO_NOW], config=config)
    check(code == 0, "after the disk was freed: %d %r" % (code, err[-500:]))
    counted = copies(server)
    check(max(counted.values()) == 1, "second copies after a full disk")
    missing = {"lezer%03d@example.nl" % i for i in range(200)} - set(counted)
    listed = {e["email"] for e in status(config)["uncertain"]}
    check(missing <= listed and len(listed) <= 1,
          "missing %r, uncertain %r" % (sorted(missing), sorted(listed)))

# An address refused on three days is switched off; a success in between
# would have cleared the count.
with smtptest.Server(directory, "--reject", "weg@example.nl") as server:
    config = configure("refused", server.port,
                       "[source kapot]\nurl = file://%s/missing.xml\n"
                       % directory)
    subscribe(config, 2)
    code, out, err = run(["subscribers", "add", "weg@example.nl"],
                         config=config)
    for n in (26, 27, 28):
        news(n)
        code, out, err = run(["send", "--now", day(n)], config=config)
        if n < 28:
            check(code == EX_UNAVAILABLE and "failed permanently 1" in out,
                  "day %d: %d %r" % (n, code, out))
            check('feed "kapot"' in err and "error" not in err,
                  "day %d: the feed is a warning: %r" % (n, err))
        else:
            check("switched off" in err and "weg@example.nl" in err,
                  "day 28: switched off: %r" % err)
            check('feed "kapot": error' in err,
                  "day 28: the feed is an error now: %r" % err)
    # The same day again: the 5xx is not tried a second time.
    code, out, err = run(["send", "--now", day(28)], config=config)
    check("failed permanently 0" in out, "no retry the same day: %r" % out)
    report = status(config)
    gone = [a for a in report["attention"] if a["email"] == "weg@example.nl"]
    check(gone and not gone[0]["active"] and gone[0]["failure_days"] == 3
          and gone[0]["switched_off"] is not None,
          "status lists weg: %r" % report["attention"])
    broken = [s for s in report["sources"] if s["id"] == "kapot"]
    check(broken and broken[0]["failures"] == 3,
          "status lists the feed: %r" % report["sources"])
    check(len(report["runs"]) == 4 and report["runs"][0]["date"] ==
          "2026-11-28", "four runs, newest first: %r" % report["runs"])
    # Switched off: the next day's run leaves weg alone.
    news(29)
    code, out, err = run(["send", "--now", day(29)], config=config)
    check("weg@example.nl" not in err and "sent 2" in out,
          "weg left alone: %r %r" % (out, err))
    # Switched on again by hand, weg is tried again, and the count is new.
    code, out, err = run(["subscribers", "set", "weg@example.nl",
                          "--active", "yes"], config=config)
    news(30)
    code, out, err = run(["send", "--now", day(30)], config=config)
    check("failed permanently 1" in out, "weg tried again: %r" % out)
    report = status(config)
    gone = [a for a in report["attention"] if a["email"] == "weg@example.nl"]
    check(gone and gone[0]["active"] and gone[0]["failure_days"] == 1,
          "a fresh count: %r" % gone)
    code, out, err = run(["status"], config=config)
    check(code == 0 and "weg@example.nl" in out and "kapot" in out and
          "failing for" in out, "status text: %r" % out)

# Temporary failures are tried again within the run, after a pause that
# doubles, then left for the next run.
with smtptest.Server(directory, "--tempfail", "rcpt") as server:
    config = configure("busy", server.port)
    with open(config) as handle:
        text = handle.read()
    write(config, text.replace("retries = 0", "retries = 2\nretry_delay = 1s"))
    subscribe(config, 2)
    news(29)
    code, out, err = run(["send", "--now", day(29)], config=config)
    check(code == 75 and "failed temporarily 2" in out,
          "busy: %d %r" % (code, out))
    check(len(server.events("mail")) == 6,
          "three tries each: %d MAIL FROM" % len(server.events("mail")))

finish()
