"""digest send against servers that misbehave, counting subscriber by
subscriber the copies received over a first run and a rerun: one each,
none for an address refused for good.

- a final 250 that comes after data_timeout (the server stored the
  message): the delivery is uncertain, the connection is not reused, and
  the rerun does not send it again;
- a server that greets too slowly, then not at all: temporary failures
  (exit 75, no advice to change tls), and the rerun to a healthy server
  sends each once;
- a server that crashes after two messages: the rest are temporary
  failures, and the rerun sends each of them once."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import DEMO_NOW, check, demo_config_text, finish, run, write
import smtptest

EX_TEMPFAIL = 75
directory = smtptest.workdir()
PEOPLE = ["a%d@example.nl" % i for i in range(6)]


def configure(name, port, limits=""):
    text = demo_config_text(os.path.join(directory, name))
    os.makedirs(os.path.join(directory, name), exist_ok=True)
    text = text.replace("transport = maildir", "transport = smtp")
    text = text.replace("smtps://127.0.0.1:1\ntls = implicit",
                        "smtp://127.0.0.1:%d\ntls = none\n%s" % (port, limits))
    config = write(os.path.join(directory, name, "digest.ini"), text)
    rows = "".join("%s,zeelandnet\n" % p for p in PEOPLE + ["weg@example.nl"])
    csv = write(os.path.join(directory, name, "subs.csv"),
                "email,provider\n" + rows)
    code, out, err = run(["subscribers", "import", csv], config=config)
    check(code == 0, "%s: import %d %r" % (name, code, err))
    return config


def point(config, port):
    """Points the config's provider at another port."""
    with open(config) as handle:
        text = handle.read()
    import re
    write(config, re.sub(r"smtp://127.0.0.1:\d+", "smtp://127.0.0.1:%d" % port,
                         text))


def copies(*servers):
    counted = {}
    for server in servers:
        for event in server.events("message"):
            for recipient in event["rcpt_tos"]:
                counted[recipient] = counted.get(recipient, 0) + 1
    return counted


def exactly_once(name, counted, uncertain=()):
    for person in PEOPLE:
        want = {0, 1} if person in uncertain else {1}
        check(counted.get(person, 0) in want, "%s: %s got %d copies" %
              (name, person, counted.get(person, 0)))
    check(counted.get("weg@example.nl", 0) == 0,
          "%s: the refused address got a copy" % name)


# The final reply to the second message comes after data_timeout.
with smtptest.Server(directory, "--reject", "weg@example.nl",
                     "--delay-reply", "final", "3",
                     "--delay-transaction", "2") as server:
    config = configure("late", server.port, "data_timeout = 1s\n")
    code, out, err = run(["send", "--now", DEMO_NOW], config=config)
    check("uncertain 1" in out and "uncertain" in err,
          "late 250: %d %r %r" % (code, out, err[-400:]))
    connections = {e["connection"] for e in server.events("message")}
    check(len(connections) >= 2, "a fresh connection after the late reply")
    code, out, err = run(["send", "--now", DEMO_NOW], config=config)
    check("sent 0" in out, "rerun sends nothing: %r" % out)
    code, out, err = run(["status", "--json"], config=config)
    uncertain = {e["email"] for e in json.loads(out)["uncertain"]}
    check(len(uncertain) == 1, "one uncertain: %r" % uncertain)
    counted = copies(server)
    # The server stored the late one: everyone has exactly one copy.
    exactly_once("late 250", counted)

# A slow greeting, then a silent one: temporary, and no tls advice.
with smtptest.Server(directory, "--greeting-delay", "3") as slow:
    config = configure("slow", slow.port, "timeout = 1s\n")
    code, out, err = run(["send", "--now", DEMO_NOW], config=config)
    check(code == EX_TEMPFAIL, "slow greeting: exit %d %r" % (code, err))
    check("tls =" not in err and "implicit" not in err,
          "no tls advice for a slow server: %r" % err)
with smtptest.Server(directory, "--silent-greeting") as silent:
    point(config, silent.port)
    code, out, err = run(["send", "--now", DEMO_NOW], config=config)
    check(code == EX_TEMPFAIL and "tls =" not in err,
          "silent greeting: %d %r" % (code, err))
with smtptest.Server(directory, "--reject", "weg@example.nl") as good:
    point(config, good.port)
    code, out, err = run(["send", "--now", DEMO_NOW], config=config)
    check("sent 6" in out, "to the healthy server: %r" % out)
    exactly_once("slow greeting", copies(slow, silent, good))

# A server that dies after two messages; the rerun goes to a new one.
with smtptest.Server(directory, "--reject", "weg@example.nl",
                     "--crash-after", "2") as crashing:
    config = configure("crash", crashing.port)
    code, out, err = run(["send", "--now", DEMO_NOW], config=config)
    check(code == EX_TEMPFAIL and "sent 2" in out,
          "crash after two: %d %r" % (code, out))
with smtptest.Server(directory, "--reject", "weg@example.nl") as again:
    point(config, again.port)
    code, out, err = run(["send", "--now", DEMO_NOW], config=config)
    check("sent 4" in out, "the rest: %r" % out)
    exactly_once("crash", copies(crashing, again))

finish()
