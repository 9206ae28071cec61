"""Several `digest send` runs sharing one morning on a PostgreSQL store
(tests/lib/pgserver.py) and one SMTP test server (smtpserver.py).

- Three runs at once, 3,000 subscribers: each subscriber gets exactly one
  copy, the work is spread over the three (each sends a share), one
  edition is made for the day, and status lists the three runs.
- A run killed with SIGKILL in the middle of its batch: a run started
  after it waits for its lease to run out (claim_lease), takes its batch
  over and finishes the round.  Nobody gets a second copy; everybody
  without a copy is listed as uncertain in the journal (the killed run's
  deliveries under way), and there are no more of those than the killed
  run had connections; a rerun later sends nobody anything.
- A provider limited to 20 messages a minute, three runs at once: the
  server never sees more than 20 within any minute from all of them
  together (the limit is counted in the database), and the rest arrive
  once the minute is over."""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import (DEMO_NOW, DIGEST, check, demo_config_text, finish,
                        run, tempdir, write)
import pgserver
import smtptest

reason = pgserver.missing_reason()
if reason:
    print("SKIP: %s" % reason)
    sys.exit(77)

directory = tempdir()


def configure(server, name, port, count, lease, provider_keys=""):
    """A demo setup whose state is a new database on server and whose
    zeelandnet provider is the SMTP test server, with count subscribers."""
    home = os.path.join(directory, name)
    os.makedirs(home)
    url = server.create_database(name)
    password_file = write(os.path.join(home, "pg.password"),
                          server.password + "\n", 0o600)
    text = demo_config_text(home)
    text = text.replace("state = %s/state.sqlite" % home,
                        "state = %s\nstate_password_file = %s\n"
                        "claim_lease = %s" % (url, password_file, lease))
    text = text.replace("transport = maildir", "transport = smtp")
    text = text.replace("smtps://127.0.0.1:1\ntls = implicit",
                        "smtp://127.0.0.1:%d\ntls = none\n"
                        "messages_per_connection = 20\n"
                        "max_connections = 2\n%s" % (port, provider_keys))
    config = write(os.path.join(home, "digest.ini"), text)
    rows = "".join("lezer%04d@example.nl,zeelandnet\n" % i
                   for i in range(count))
    csv = write(os.path.join(home, "subs.csv"), "email,provider\n" + rows)
    code, out, err = run(["subscribers", "import", csv], config=config)
    check(code == 0, "%s: import %d %r" % (name, code, err))
    return config


def start_send(config):
    env = dict(os.environ)
    env.pop("DIGEST_CONFIG", None)
    return subprocess.Popen([DIGEST, "--config", config, "send", "--now",
                             DEMO_NOW], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, text=True)


def copies(smtp):
    counted = {}
    for event in smtp.events("message"):
        for recipient in event["rcpt_tos"]:
            counted[recipient] = counted.get(recipient, 0) + 1
    return counted


def query(server, database, sql):
    return server.psql(sql, database).stdout.strip()


def three_at_once(server):
    with smtptest.Server(directory, "--pipelining") as smtp:
        config = configure(server, "three", smtp.port, 3000, "2m")
        runs = [start_send(config) for _ in range(3)]
        results = [proc.communicate(timeout=240) for proc in runs]
        for proc, (out, err) in zip(runs, results):
            check(proc.returncode == 0, "a run: %d %r" %
                  (proc.returncode, err[-500:]))
        got = copies(smtp)
        check(len(got) == 3000, "%d subscribers got a copy" % len(got))
        check(set(got.values()) == {1}, "most copies of one: %d" %
              max(got.values() or [0]))
        shares = [int(n) for n in query(
            server, "three", "SELECT sent FROM runs ORDER BY id").split()]
        check(len(shares) == 3 and sum(shares) == 3000,
              "the runs' counts %r" % shares)
        check(min(shares or [0]) >= 200,
              "the work is not spread over the runs: %r" % shares)
        editions = query(server, "three", "SELECT count(*) FROM editions")
        check(editions == "1", "%s editions made" % editions)
        code, out, err = run(["status"], config=config)
        check(code == 0 and out.count("sent") >= 1,
              "status: %d %r" % (code, err))
        print("three runs at once: sent %r" % shares)


def killed(server):
    with smtptest.Server(directory, "--pipelining", "--delay-reply",
                         "final", "0.02") as smtp:
        config = configure(server, "killed", smtp.port, 600, "3s")
        victim = start_send(config)
        # Kill it once it is well into its batches.
        deadline = time.time() + 120
        while len(smtp.events("message")) < 150 and time.time() < deadline:
            time.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
        victim.communicate()
        sent_by_victim = len(smtp.events("message"))
        check(sent_by_victim < 600, "the run finished before the kill")
        started = time.time()
        code, out, err = run(["send", "--now", DEMO_NOW], config=config,
                             timeout=240)
        took = time.time() - started
        check(code == 0, "the run after: %d %r" % (code, err[-500:]))
        got = copies(smtp)
        check(set(got.values()) <= {1}, "second copies: %r" %
              {k: v for k, v in got.items() if v > 1})
        uncertain = set(query(
            server, "killed",
            "SELECT email FROM journal WHERE state = 'uncertain'").split())
        everyone = set("lezer%04d@example.nl" % i for i in range(600))
        missing = everyone - set(got)
        check(missing <= uncertain, "left out, not listed: %r"
              % sorted(missing - uncertain)[:5])
        # At most the messages of the sessions under way (2 x 20).
        check(len(uncertain) <= 40, "%d uncertain" % len(uncertain))
        check(not uncertain or "uncertain" in err,
              "the run does not say: %r" % err[-300:])
        # It waited for the lease (3 s) rather than giving up at once.
        check(took >= 1, "the takeover took %.1f s" % took)
        before = len(smtp.events("message"))
        code, out, err = run(["send", "--now", DEMO_NOW], config=config)
        check(code == 0 and "sent 0," in out, "rerun: %d %r" % (code, out))
        check(len(smtp.events("message")) == before, "the rerun sent again")
        print("killed after %d messages: %d uncertain, the next run took "
              "%.1f s" % (sent_by_victim, len(uncertain), took))


def limited(server):
    with smtptest.Server(directory, "--pipelining") as smtp:
        config = configure(server, "limited", smtp.port, 30, "2m",
                           "max_per_minute = 20")
        runs = [start_send(config) for _ in range(3)]
        results = [proc.communicate(timeout=240) for proc in runs]
        for proc, (out, err) in zip(runs, results):
            check(proc.returncode == 0, "a limited run: %d %r" %
                  (proc.returncode, err[-500:]))
        got = copies(smtp)
        check(len(got) == 30 and set(got.values()) == {1},
              "limited: %d subscribers, copies %r" %
              (len(got), set(got.values())))
        times = sorted(event["time"] for event in smtp.events("message"))
        # Any 21 messages span a minute (less what a session's start may
        # shift one message against another).
        spans = [times[i + 20] - times[i] for i in range(len(times) - 20)]
        check(spans and min(spans) >= 59.0,
              "more than 20 within a minute: spans %r" % spans[:3])
        print("limited to 20 a minute: the 21st came %.1f s after the "
              "first" % (spans[0] if spans else -1))


with pgserver.PgServer() as server:
    three_at_once(server)
    killed(server)
    limited(server)

finish()
