"""5202-send-routes: digest send through a provider's route as its
[provider] keys shape it, against a real SMTP server (smtpserver.py):

- max_connections and messages_per_connection: every subscriber gets one
  copy, no session carries more than its share, no more sessions are open
  at once than allowed, and with a slow server more than one is;
- max_per_day: a run stops at the day's limit (counting the day's earlier
  runs), leaves the rest untouched in the journal, and the next day's run
  sends them;
- a provider that answers "421 too many" is paused and sent the same
  messages again, not failed;
- a provider that fails every message is given up after five temporary
  failures in a row: the rest are not tried, and the next run tries them.

Each scenario runs with both SMTP clients (smtp_client = libesmtp and
libcurl), since each must keep the route's promises."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import DEMO_NOW, check, demo_config_text, finish, run, write
import smtptest

EX_TEMPFAIL = 75
NEXT_DAY = "2026-11-30T09:30:00+01:00"
directory = smtptest.workdir()


def configure(name, port, client, count, provider_keys):
    """A demo setup in its own directory whose zeelandnet provider is the
    test server, with count subscribers of it."""
    home = os.path.join(directory, name + "-" + client)
    os.makedirs(home)
    text = demo_config_text(home)
    text = text.replace("transport = maildir", "transport = smtp")
    text = text.replace("smtps://127.0.0.1:1\ntls = implicit",
                        "smtp://127.0.0.1:%d\ntls = none\nsmtp_client = %s\n"
                        "%s" % (port, client, provider_keys))
    config = write(os.path.join(home, "digest.ini"), text)
    rows = "".join("lezer%03d@example.nl,zeelandnet\n" % i
                   for i in range(count))
    csv = write(os.path.join(home, "subs.csv"), "email,provider\n" + rows)
    code, out, err = run(["subscribers", "import", csv], config=config)
    check(code == 0, "%s: import %d %r" % (name, code, err))
    return config


def copies(server):
    counted = {}
    for event in server.events("message"):
        for recipient in event["rcpt_tos"]:
            counted[recipient] = counted.get(recipient, 0) + 1
    return counted


def per_connection(server):
    counted = {}
    for event in server.events("message"):
        counted[event["connection"]] = counted.get(event["connection"], 0) + 1
    return counted


def connections(client):
    """Four sessions at most, ten messages each, against a server that
    takes 30 ms over each message: the route opens more than one."""
    with smtptest.Server(directory, "--pipelining", "--delay-reply", "final",
                         "0.03") as server:
        config = configure("connections", server.port, client, 120,
                           "max_connections = 4\n"
                           "messages_per_connection = 10\n")
        code, out, err = run(["send", "--now", DEMO_NOW], config=config)
        check(code == 0 and "sent 120," in out,
              "%s connections: %d %r %r" % (client, code, out, err))
        got = copies(server)
        check(len(got) == 120 and set(got.values()) == {1},
              "%s: %d subscribers got a copy, most copies %d" %
              (client, len(got), max(got.values() or [0])))
        sessions = per_connection(server)
        check(max(sessions.values()) <= 10 and len(sessions) >= 12,
              "%s: messages per session %r" % (client, sessions))
        peak = max(event["open"] for event in server.events("connect"))
        check(2 <= peak <= 4, "%s: %d sessions open at once" % (client, peak))


def day_limit(client):
    with smtptest.Server(directory, "--pipelining") as server:
        config = configure("day", server.port, client, 25,
                           "max_per_day = 15\n"
                           "messages_per_connection = 4\n")
        code, out, err = run(["send", "--now", DEMO_NOW], config=config)
        check(code == EX_TEMPFAIL and "sent 15," in out and
              "limit of 15 a day is reached" in err,
              "%s day limit: %d %r %r" % (client, code, out, err))
        check(len(copies(server)) == 15, "%s: %d sent on the first day" %
              (client, len(copies(server))))
        # Later the same day: the limit counts the earlier run.
        code, out, err = run(["send", "--now", DEMO_NOW], config=config)
        check("sent 0," in out and len(copies(server)) == 15,
              "%s: the same day again: %d %r %r" % (client, code, out, err))
        code, out, err = run(["send", "--now", NEXT_DAY], config=config)
        got = copies(server)
        check(code == 0 and len(got) == 25 and set(got.values()) == {1},
              "%s: the next day: %d %r %r, %d subscribers" %
              (client, code, out, err, len(got)))


def busy(client):
    with smtptest.Server(directory, "--pipelining", "--busy", "2") as server:
        config = configure("busy", server.port, client, 6, "backoff = 1s\n")
        code, out, err = run(["send", "--now", DEMO_NOW], config=config)
        got = copies(server)
        check(code == 0 and "sent 6, failed temporarily 0" in out and
              "asks for less: pausing 1 s" in err,
              "%s busy: %d %r %r" % (client, code, out, err))
        check(len(got) == 6 and set(got.values()) == {1},
              "%s: copies after the pauses %r" % (client, got))


def down(client):
    with smtptest.Server(directory, "--pipelining", "--tempfail",
                         "rcpt") as server:
        config = configure("down", server.port, client, 20,
                           "messages_per_connection = 3\n")
        code, out, err = run(["send", "--now", DEMO_NOW], config=config)
        tries = len(server.events("mail"))
        # Given up at the fifth failure; the session under way may still
        # have had the rest of its three.
        check(code == EX_TEMPFAIL and 5 <= tries <= 7 and
              "5 temporary failures in a row" in err and
              "%d subscribers not tried" % (20 - tries) in err,
              "%s down: %d, %d tries, %r" % (client, code, tries, err))
        check("failed temporarily 20" in out, "%s: %r" % (client, out))
    with smtptest.Server(directory, "--pipelining") as server:
        config_text = open(config, encoding="utf-8").read()
        write(config, config_text.replace(
            "smtp://127.0.0.1:", "smtp://127.0.0.1:%d\n#" % server.port, 1))
        code, out, err = run(["send", "--now", DEMO_NOW], config=config)
        check(code == 0 and len(copies(server)) == 20,
              "%s: the next run: %d %r %r" % (client, code, out, err))


for client in ("libesmtp", "libcurl"):
    connections(client)
    day_limit(client)
    busy(client)
    down(client)
finish()
