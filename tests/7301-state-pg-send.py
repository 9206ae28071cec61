"""digest send end to end on a PostgreSQL store: a real server started by
the test (tests/lib/pgserver.py), [digest] state a postgresql:// URL and the
password in a private state_password_file.  The demo subscribers are
imported and sent their digest into a Maildir; a rerun skips them (the
journal is on the server; several runs share a morning there instead of
taking a run lock: 7303); status shows the run with its host; check-config
logs in, and says so when the password is wrong, without ever showing it;
the password never appears in any output."""
import os
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import (DEMO_NOW, SRC, check, demo_config_text, finish, run,
                        tempdir, write)
import pgserver

EX_CONFIG = 78

reason = pgserver.missing_reason()
if reason:
    print("SKIP: %s" % reason)
    sys.exit(77)

directory = tempdir()
outbox = os.path.join(directory, "outbox")
CSV = os.path.join(SRC, "config", "demo", "subscribers.csv")


def configure(server, url, password_file):
    text = demo_config_text(directory)
    text = text.replace("state = %s/state.sqlite" % directory,
                        "state = %s\nstate_password_file = %s"
                        % (url, password_file))
    return write(os.path.join(directory, "digest.ini"), text)


def no_secret(output, secret, what):
    check(secret not in output, "%s shows the password" % what)


def count_messages():
    return len(os.listdir(os.path.join(outbox, "new")))


with pgserver.PgServer() as server:
    url = server.create_database("digest_send")
    password_file = write(os.path.join(directory, "pg.password"),
                          server.password + "\n", 0o600)
    config = configure(server, url, password_file)

    code, out, err = run(["check-config"], config=config)
    check(code == 0, "check-config: %d %s" % (code, err))
    no_secret(out + err, server.password, "check-config")

    code, out, err = run(["subscribers", "import", CSV], config=config)
    check(code == 0, "import: %d %s" % (code, err))
    subscribers = int(server.psql("SELECT count(*) FROM subscribers",
                                  "digest_send").stdout.strip())
    check(subscribers == 3, "the server holds %d subscribers" % subscribers)

    code, out, err = run(["send", "--now", DEMO_NOW], config=config)
    check(code == 0, "send: %d %s" % (code, err))
    check("sent 3," in out + err, "send's summary: %r" % (out + err))
    no_secret(out + err, server.password, "send")
    check(count_messages() == 3, "%d messages in the outbox"
          % count_messages())
    sent = server.psql("SELECT count(*) FROM journal WHERE state = 'sent'",
                       "digest_send").stdout.strip()
    check(sent == "3", "the journal on the server has %s sent" % sent)

    # The same day again: everyone already has it.
    code, out, err = run(["send", "--now", DEMO_NOW], config=config)
    check(code == 0, "second send: %d %s" % (code, err))
    check("sent 0," in out + err and "skipped 3" in out + err,
          "second send's summary: %r" % (out + err))
    check(count_messages() == 3, "the rerun sent again")
    editions = server.psql("SELECT count(*) FROM editions",
                           "digest_send").stdout.strip()
    check(editions == "1", "%s editions for one day" % editions)

    code, out, err = run(["status"], config=config)
    check(code == 0, "status: %d %s" % (code, err))
    check(socket.gethostname() in out, "status names the host: %r" % out)
    code, out, err = run(["status", "--json"], config=config)
    check('"host":"%s"' % socket.gethostname() in out.replace(" ", ""),
          "status --json names the host")

    # A wrong password: check-config and send say so, and show neither.
    write(password_file, "not-the-password\n", 0o600)
    code, out, err = run(["check-config"], config=config)
    check(code == EX_CONFIG, "check-config, wrong password: %d" % code)
    check("[digest] state:" in err and "password" in err,
          "check-config names the key: %r" % err)
    no_secret(out + err, "not-the-password", "check-config")
    code, out, err = run(["send", "--now", DEMO_NOW], config=config)
    check(code != 0, "send with a wrong password succeeded")
    no_secret(out + err, "not-the-password", "send")

finish()
