"""digest bounces end to end: digests sent through a real SMTP server on
127.0.0.1 with [provider] bounce_domain set carry VERP envelope senders
(one subscriber's address is too long for one and gets the plain sender);
bounces written into a Maildir, addressed as mail servers address them
(to the VERP address, or only to the From address), are read: hard ones
are recorded in the journal and moved aside, a soft one is moved aside
but not counted, and what is no bounce, cannot be read or names no
delivery stays.  Bounces on three days switch a subscriber off even
though the server accepted each digest; a dry run changes nothing; bad
maildirs and operands get their exit codes."""
import json
import os
import shutil
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import DATA, check, demo_config_text, finish, run, write
import smtptest

EX_USAGE, EX_NOINPUT, EX_CANTCREAT = 64, 66, 73
DOMAIN = "bounces.zeelandnet.nl"
SENDER = "nieuws@zeelandnet.example"
FIXTURES = os.path.join(DATA, "bounces")
DAYS = ["2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02"]
LONG = "x" * 60 + "@" + ".".join(["lang" * 12] * 3) + ".example.nl"
SUBSCRIBERS = ["anna@example.nl", "mila@example.org", "piet@example.com",
               "sanne@outlook.example", "kees@example.nl", LONG]

directory = smtptest.workdir()


def now(day):
    return "%sT07:30:00+01:00" % day


def verp(email, day):
    local, domain = email.split("@")
    return "bounce+%s-%s=%s@%s" % (day.replace("-", ""), local, domain,
                                    DOMAIN)


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8",
              errors="surrogateescape") as handle:
        return handle.read()


def make_maildir(path):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(path, sub), exist_ok=True)
    return path


def put(maildir, folder, name, text):
    with open(os.path.join(maildir, folder, name), "w", encoding="utf-8",
              errors="surrogateescape") as handle:
        handle.write(text)


def journal(config_dir):
    db = sqlite3.connect(os.path.join(config_dir, "state.sqlite"))
    rows = db.execute("SELECT email, digest_date, state, reply FROM journal")
    found = {(email, day): (state, reply) for email, day, state, reply in rows}
    db.close()
    return found


def attention(config):
    code, out, err = run(["status", "--json"], config=config)
    check(code == 0, "status --json: %d %r" % (code, err))
    try:
        report = json.loads(out)
    except ValueError:
        check(False, "status --json is no JSON: %r" % out)
        return {}
    return {entry["email"]: entry for entry in report["attention"]}


def send(config, day, server):
    before = len(server.events("message"))
    code, out, err = run(["send", "--now", now(day)], config=config)
    check(code == 0, "send %s: %d %r %r" % (day, code, out, err))
    return server.events("message")[before:]


with smtptest.Server(directory) as server:
    home = os.path.join(directory, "run")
    os.makedirs(home)
    text = demo_config_text(home)
    text = text.replace("transport = maildir", "transport = smtp")
    text = text.replace("retries = 0", "retries = 0\ndeactivate_after = 3\n"
                        "when_empty = note")
    text = text.replace(
        "smtps://127.0.0.1:1\ntls = implicit",
        "smtp://127.0.0.1:%d\ntls = none\nbounce_domain = %s"
        % (server.port, DOMAIN))
    config = write(os.path.join(home, "digest.ini"), text)
    csv = write(os.path.join(home, "subs.csv"), "email,name,provider\n" +
                "".join("%s,,zeelandnet\n" % s for s in SUBSCRIBERS))
    code, out, err = run(["subscribers", "import", csv], config=config)
    check(code == 0, "import: %d %r" % (code, err))
    code, out, err = run(["check-config"], config=config)
    check(code == 0, "check-config with bounce_domain: %d %r" % (code, err))

    # Day one: every envelope sender names the subscriber and the day.
    sent = send(config, DAYS[0], server)
    senders = {e["rcpt_tos"][0]: e["mail_from"] for e in sent}
    check(sorted(senders) == sorted(SUBSCRIBERS), "sent to %r" % senders)
    for email in SUBSCRIBERS[:-1]:
        check(senders.get(email) == verp(email, DAYS[0]),
              "%s: envelope sender %r" % (email, senders.get(email)))
    check(senders.get(LONG) == SENDER,
          "too long for VERP: the plain sender, got %r" % senders.get(LONG))
    sanne = [e for e in sent if e["rcpt_tos"] == ["sanne@outlook.example"]]
    sanne_text = server.message_bytes(sanne[0]).decode("utf-8", "replace")
    sanne_id = [line.split("<", 1)[1].rstrip(">\r")
                for line in sanne_text.splitlines()
                if line.lower().startswith("message-id:")][0]

    # The bounce mailbox, as the MTA for bounces.zeelandnet.nl fills it.
    box = make_maildir(os.path.join(directory, "bounces"))
    put(box, "new", "1.dsn-hard", fixture("dsn-hard.eml"))
    put(box, "new", "2.qmail", fixture("qmail.eml"))
    put(box, "cur", "3.plain-exim:2,S", fixture("plain-exim.eml"))
    # To the From address only: found by its recipient and Message-ID.
    put(box, "new", "4.exchange", fixture("plain-exchange.eml").replace(
        "feedfacefeedfacefeedfacefeedface@zeelandnet.nl", sanne_id))
    put(box, "new", "5.delayed", fixture("dsn-delayed.eml")
        .replace("joost=delta.example", "kees=example.nl")
        .replace("joost@delta.example", "kees@example.nl"))
    put(box, "new", "6.vacation", fixture("not-bounce.eml"))
    put(box, "new", "7.garbage", fixture("garbage.eml"))
    put(box, "new", "8.truncated", fixture("truncated-early.eml"))
    # A day digest did not send anna anything.
    put(box, "new", "9.other-day",
        fixture("dsn-hard.eml").replace("20261129", "20261125"))
    with open(os.path.join(box, "new", "10.huge"), "wb") as handle:
        handle.truncate(10 * 1024 * 1024 + 1)
    put(box, "new", ".hidden", fixture("dsn-hard.eml"))
    os.makedirs(os.path.join(box, "new", "a-directory"))
    handled = ["new/1.dsn-hard", "new/2.qmail", "cur/3.plain-exim:2,S",
               "new/4.exchange", "new/5.delayed"]
    stays = ["new/6.vacation", "new/7.garbage", "new/8.truncated",
             "new/9.other-day", "new/10.huge", "new/.hidden"]

    code, out, err = run(["bounces", "--dry-run", box], config=config)
    check(code == 0 and "dry run" in out and "recorded 4," in out,
          "dry run: %d %r %r" % (code, out, err))
    check(all(state == "sent" for state, _ in journal(home).values()),
          "the dry run recorded nothing")
    check(not os.path.exists(os.path.join(box, ".digest-handled")),
          "the dry run moved nothing")

    code, out, err = run(["bounces", box], config=config)
    check(code == 0, "bounces: %d %r %r" % (code, out, err))
    lines = out.splitlines()
    for email in SUBSCRIBERS[:4]:
        check(any(line.startswith(email + ": the digest of 2026-11-29 "
                                  "bounced") for line in lines),
              "a line for %s: %r" % (email, out))
    check(len(lines) == 5, "four bounces and the summary: %r" % out)
    check("recorded 4, already recorded 0, soft 1, left in place 5 "
          "(no delivery of digest's 1" in lines[-1],
          "summary: %r" % lines[-1])
    check("9.other-day" in err and "2026-11-25" in err,
          "the bounce of another day is named: %r" % err)
    check("6.vacation" in err and "not a bounce" in err,
          "the auto-reply is named: %r" % err)
    entries = journal(home)
    for email in SUBSCRIBERS[:4]:
        state, reply = entries[(email, DAYS[0])]
        check(state == "bounced", "%s: journal %s" % (email, state))
        check(reply and reply.startswith("bounced (") and "5." in reply,
              "%s: reply %r" % (email, reply))
    check(entries[("kees@example.nl", DAYS[0])][0] == "sent",
          "a soft bounce changes nothing")
    for name in handled:
        folder, base = name.split("/")
        check(os.path.exists(os.path.join(box, ".digest-handled", folder,
                                          base)) and
              not os.path.exists(os.path.join(box, name)),
              "%s moved aside" % name)
    for name in stays:
        check(os.path.exists(os.path.join(box, name)), "%s stays" % name)
    check(os.path.isdir(os.path.join(box, ".digest-handled", "tmp")),
          "the handled folder is a Maildir")
    people = attention(config)
    check(people.get("anna@example.nl", {}).get("failure_days") == 1,
          "anna has one day: %r" % people.get("anna@example.nl"))

    # Again: the same mailbox has nothing new to record.
    code, out, err = run(["bounces", box], config=config)
    check(code == 0 and "recorded 0, already recorded 0, soft 0, left in "
          "place 5" in out, "rerun: %d %r" % (code, out))

    # Anna's digest is accepted and bounces on two more days: each day's
    # acceptance clears her count, each bounce puts the days together.
    for number, day in enumerate(DAYS[1:3], start=2):
        sent = send(config, day, server)
        check(any(e["rcpt_tos"] == ["anna@example.nl"] for e in sent),
              "%s: anna is sent" % day)
        put(box, "new", "anna-%s" % day, fixture("dsn-hard.eml")
            .replace("20261129", day.replace("-", "")))
        code, out, err = run(["bounces", box], config=config)
        check(code == 0 and "permanent failures on %d days" % number in out,
              "%s: bounces %d %r %r" % (day, code, out, err))
    check("switched off" in out and "--active yes" in out,
          "the third day switches anna off: %r" % out)
    people = attention(config)
    check(people.get("anna@example.nl", {}).get("active") is False,
          "anna is off: %r" % people.get("anna@example.nl"))
    check(people.get("mila@example.org", {}).get("active", True),
          "mila, bounced once, is still on")
    sent = send(config, DAYS[3], server)
    check(not any(e["rcpt_tos"] == ["anna@example.nl"] for e in sent)
          and len(sent) == len(SUBSCRIBERS) - 1,
          "anna is no longer sent: %r" % [e["rcpt_tos"] for e in sent])

# Exit codes: no operand, no Maildir, no database, a folder in the way.
code, out, err = run(["bounces"], config=config)
check(code == EX_USAGE, "no operand: %d" % code)
code, out, err = run(["bounces", os.path.join(directory, "nowhere")],
                     config=config)
check(code == EX_NOINPUT and "not a Maildir" in err,
      "no maildir: %d %r" % (code, err))
fresh = os.path.join(directory, "fresh")
os.makedirs(fresh)
write(os.path.join(fresh, "digest.ini"), demo_config_text(fresh))
code, out, err = run(["bounces", box],
                     config=os.path.join(fresh, "digest.ini"))
check(code == EX_NOINPUT and "no state database" in err,
      "no database: %d %r" % (code, err))
check(not os.path.exists(os.path.join(fresh, "state.sqlite")),
      "reading bounces creates no database")
blocked = make_maildir(os.path.join(directory, "blocked"))
write(os.path.join(blocked, ".digest-handled"), "in the way\n")
shutil.copy(os.path.join(FIXTURES, "dsn-hard.eml"),
            os.path.join(blocked, "new", "1"))
code, out, err = run(["bounces", blocked], config=config)
check(code == EX_CANTCREAT and ".digest-handled" in err,
      "handled folder cannot be made: %d %r" % (code, err))
check(os.path.exists(os.path.join(blocked, "new", "1")), "nothing lost")
finish()
