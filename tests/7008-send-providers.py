"""digest send speaks in each provider's name and carries signed links.

Two providers, each a real SMTP server on 127.0.0.1: ZeelandNet takes the
[mail] defaults (List-Id, unsubscribe address, footer line), DELTA sets its
own.  With [web] base_url every message carries List-Unsubscribe with the
provider's mailto and the reader's signed link, List-Unsubscribe-Post, and
in the footer the unsubscribe, preferences and view links; each verifies
with the key of secret_file for that reader and its own action, and with
no other key.  "Kies je webmail" comes to a reader without a provider in
the first digest that reaches them, and never again: not in a dry run's
stead, not when the delivery was refused, not the next day, not after they
chose."""
import os
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import SRC, check, finish, run, write
import mailcheck
import signcheck
import smtptest

EX_UNAVAILABLE = 69
BASE_URL = "https://nieuws.example.nl/digest"
KEY = b"7008-a-key-that-the-test-made-0123456789"
OTHER_KEY = b"7008-some-other-key-nobody-uses-01234567"
DAYS = {1: "2026-11-29T09:30:00+01:00", 2: "2026-11-30T09:30:00+01:00",
        3: "2026-12-01T09:30:00+01:00"}
PROMPT = {"nl": "Kies je webmail", "en": "Choose your webmail"}

directory = smtptest.workdir()
feed = os.path.join(directory, "dag.xml")
key_file = os.path.join(directory, "link.key")
with open(key_file, "wb") as handle:
    handle.write(KEY + b"\n")
os.chmod(key_file, 0o600)
config = os.path.join(directory, "digest.ini")


def write_feed(day):
    """A feed whose one item is that day's news."""
    write(feed, """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Dag</title><item>
<title>Bericht van dag %d</title>
<link>https://example.org/dag-%d</link>
<pubDate>%s 07:00:00 +0000</pubDate>
<description>Nieuws van dag %d.</description>
</item></channel></rss>
""" % (day, day, {1: "Sun, 29 Nov 2026", 2: "Mon, 30 Nov 2026",
                  3: "Tue, 01 Dec 2026"}[day], day))


def write_config(zeeland_port, delta_port):
    write(config, """[digest]
title = Buitenland vandaag
timezone = Europe/Amsterdam
max_age = 48h
templates = %(src)s/templates
state = %(dir)s/state.sqlite

[source dag]
url = file://%(feed)s

[mail]
transport = smtp
default_provider = zeelandnet
retries = 0
list_id = Buitenland <buitenland.zeelandnet.example>
unsubscribe_mailto = afmelden@zeelandnet.example
footer = ZeelandNet, Postbus 1, Middelburg

[web]
base_url = %(base)s
secret_file = %(key)s

[provider zeelandnet]
name = ZeelandNet webmail
smtp_url = smtp://127.0.0.1:%(zeeland)d
tls = none
from = nieuws@zeelandnet.example

[provider delta]
name = DELTA webmail
smtp_url = smtp://127.0.0.1:%(delta)d
tls = none
from = nieuws@delta.example
list_id = Buitenland DELTA <buitenland.delta.example>
unsubscribe_mailto = afmelden@delta.example
footer = DELTA, Postbus 5048, Middelburg
""" % {"src": SRC, "dir": directory, "feed": feed, "base": BASE_URL,
       "key": key_file, "zeeland": zeeland_port, "delta": delta_port})


def prompted():
    """{email: prompted_at} of the store."""
    database = sqlite3.connect(os.path.join(directory, "state.sqlite"))
    rows = dict(database.execute("SELECT email, prompted_at FROM "
                                 "subscribers"))
    database.close()
    return rows


# What each provider's messages must say in its own name.
VOICE = {
    "zeelandnet": ("Buitenland <buitenland.zeelandnet.example>",
                   "afmelden@zeelandnet.example",
                   "ZeelandNet, Postbus 1, Middelburg"),
    "delta": ("Buitenland DELTA <buitenland.delta.example>",
              "afmelden@delta.example", "DELTA, Postbus 5048, Middelburg"),
}
LANGUAGE = {"anna@zeelandnet.example": "nl", "joost@delta.example": "nl",
            "mila@example.org": "en", "piet@example.org": "nl"}


def check_message(name, server, provider, prompt):
    """The server's message to name: the provider's voice, signed links
    that verify for name only, and the prompt or not."""
    events = [e for e in server.events("message") if e["rcpt_tos"] == [name]]
    if not events:
        check(False, "%s: no message through %s" % (name, provider))
        return
    list_id, mailto, footer = VOICE[provider]
    try:
        message = mailcheck.check_message(
            server.message_bytes(events[-1]), to_addr=name,
            list_id=list_id, unsubscribe_mailto=mailto,
            unsubscribe_url=lambda url: signcheck.check_link(
                KEY, url, BASE_URL, "unsubscribe", name),
            html=name != "joost@delta.example",
            text_contains=[footer])
    except mailcheck.MailCheckError as error:
        check(False, "%s: %s" % (name, error))
        return
    parts = list(message.iter_parts()) or [message]
    text = mailcheck.text_of(parts[0])
    links = signcheck.links_in(text, BASE_URL)
    actions = sorted(link.split("/")[-1].split("?")[0] for link in links)
    want = ["prefs", "unsubscribe", "view"] + (["prefs"] if prompt else [])
    check(actions == sorted(want), "%s: links %r" % (name, actions))
    for link in links:
        action = link.split("/")[-1].split("?")[0]
        token = signcheck.token_of(link, BASE_URL, action)
        check(signcheck.check_link(KEY, link, BASE_URL, action, name),
              "%s: %s link does not verify: %s" % (name, action, link))
        check(signcheck.check_token(OTHER_KEY, token, action) is None,
              "%s: %s link verifies with another key" % (name, action))
    heading = PROMPT[LANGUAGE[name]]
    for part in parts:
        shown = heading in mailcheck.text_of(part)
        check(shown == prompt, "%s: %s prompt in %s: %s" % (
            name, provider, part.get_content_type(), shown))
    if prompt:
        words = " ".join(text.split())
        check("ZeelandNet webmail" in words and "DELTA webmail" in words,
              "%s: the prompt names both webmails" % name)


write_feed(1)
with smtptest.Server(directory) as zeeland, \
        smtptest.Server(directory, "--reject", "piet@example.org") as delta:
    write_config(zeeland.port, delta.port)
    csv = write(os.path.join(directory, "subs.csv"),
                "email,name,provider,language,format\n"
                "anna@zeelandnet.example,Anna,zeelandnet,nl,both\n"
                "joost@delta.example,Joost,delta,nl,text\n"
                "mila@example.org,Mila,,en,both\n"
                "piet@example.org,Piet,,nl,both\n")
    code, out, err = run(["subscribers", "import", csv], config=config)
    check(code == 0, "import: %d %r" % (code, err))
    code, out, err = run(["check-config"], config=config)
    check(code == 0, "check-config: %d %r" % (code, err))

    # A dry run composes the prompt but records nothing.
    code, out, err = run(["send", "--dry-run", "--now", DAYS[1]],
                         config=config)
    check(code == 0 and "sent 4" in out, "dry run: %d %r" % (code, out))
    check(set(prompted().values()) == {None}, "dry run recorded a prompt")

# Day 1: piet's address is refused by the default provider's server.
with smtptest.Server(directory, "--reject", "piet@example.org") as zeeland, \
        smtptest.Server(directory) as delta:
    write_config(zeeland.port, delta.port)
    code, out, err = run(["send", "--now", DAYS[1]], config=config)
    check(code == EX_UNAVAILABLE and "sent 3" in out,
          "day 1: %d %r %r" % (code, out, err))
    check_message("anna@zeelandnet.example", zeeland, "zeelandnet", False)
    check_message("joost@delta.example", delta, "delta", False)
    check_message("mila@example.org", zeeland, "zeelandnet", True)
    marks = prompted()
    check(marks["mila@example.org"] is not None,
          "mila's prompt is recorded: %r" % marks)
    check(marks["piet@example.org"] is None,
          "a refused delivery records no prompt: %r" % marks)
    check(marks["anna@zeelandnet.example"] is None and
          marks["joost@delta.example"] is None,
          "who chose is never prompted: %r" % marks)
    first_mark = marks["mila@example.org"]

# Day 2: everyone gets through; the prompt only for piet, who missed it.
write_feed(2)
with smtptest.Server(directory) as zeeland, smtptest.Server(directory) as \
        delta:
    write_config(zeeland.port, delta.port)
    code, out, err = run(["send", "--now", DAYS[2]], config=config)
    check(code == 0 and "sent 4" in out, "day 2: %d %r %r" % (code, out, err))
    check_message("mila@example.org", zeeland, "zeelandnet", False)
    check_message("piet@example.org", zeeland, "zeelandnet", True)
    marks = prompted()
    check(marks["mila@example.org"] == first_mark,
          "the first prompt's time stays: %r" % marks)
    check(marks["piet@example.org"] is not None, "piet's prompt recorded")

    # A preview shows what the next digest holds: no prompt for mila.
    code, out, err = run(["preview", "--subscriber", "mila@example.org",
                          "--now", DAYS[2]], config=config)
    check(code == 0 and PROMPT["en"] not in out and "/prefs?t=" in out,
          "preview after the prompt: %d %r" % (code, out[-400:]))

# Day 3: piet chose DELTA: its voice, and still no prompt.
write_feed(3)
code, out, err = run(["subscribers", "set", "piet@example.org",
                      "--provider", "delta"], config=config)
check(code == 0, "choose delta: %d %r" % (code, err))
with smtptest.Server(directory) as zeeland, smtptest.Server(directory) as \
        delta:
    write_config(zeeland.port, delta.port)
    code, out, err = run(["send", "--now", DAYS[3]], config=config)
    check(code == 0 and "sent 4" in out, "day 3: %d %r %r" % (code, out, err))
    check_message("piet@example.org", delta, "delta", False)
    check_message("mila@example.org", zeeland, "zeelandnet", False)
    check(not [e for e in zeeland.events("message")
               if e["rcpt_tos"] == ["piet@example.org"]],
          "piet's digest went through delta only")

finish()
