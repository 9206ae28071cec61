"""Small helpers shared by the Python end-to-end tests.

Each test is a script run by ctest with DIGEST (the binary), DIGEST_SRC (the
source tree) and DIGEST_TEST_DATA in its environment.  A failed check raises
AssertionError, which exits non-zero with the message.
"""
import os
import subprocess
import sys
import tempfile

DIGEST = os.environ.get("DIGEST", "digest")
SRC = os.environ.get("DIGEST_SRC", os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
DATA = os.environ.get("DIGEST_TEST_DATA", os.path.join(SRC, "tests", "data"))
DEMO_NOW = "2026-11-29T09:30:00+01:00"

failures = []


def run(args, config=None, env=None, input=None, timeout=120):
    """Runs digest with args; returns (exit code, stdout, stderr)."""
    command = [DIGEST]
    if config:
        command += ["--config", config]
    full_env = dict(os.environ)
    full_env.pop("DIGEST_CONFIG", None)
    if env:
        full_env.update(env)
    proc = subprocess.run(command + list(args), capture_output=True,
                          env=full_env, input=input, timeout=timeout)
    return (proc.returncode, proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"))


def check(condition, message):
    """Records a failed check and goes on, so one run shows them all."""
    if not condition:
        failures.append(message)
        print("FAIL:", message, file=sys.stderr)


def finish():
    if failures:
        print("%d check(s) failed" % len(failures), file=sys.stderr)
        sys.exit(1)
    print("all checks passed")
    sys.exit(0)


def tempdir():
    """A temporary directory removed when the test exits."""
    holder = tempfile.TemporaryDirectory(prefix="digest-test-")
    _keep.append(holder)
    return holder.name


_keep = []


def write(path, text, mode=0o644):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, mode)
    return path


_pg_server = None
_pg_databases = 0


def _pg_state_lines(directory):
    """With DIGEST_TEST_STORE=postgresql: the [digest] lines of a fresh
    database on the test's own PostgreSQL server (started at the first
    call, stopped when the test exits), its password in a private file
    inside directory, and a short claim lease so that a run taking over a
    killed run's batch need not wait long."""
    global _pg_server, _pg_databases
    import atexit
    import pgserver
    if _pg_server is None:
        reason = pgserver.missing_reason()
        if reason:
            print("SKIP: %s" % reason)
            sys.exit(77)
        _pg_server = pgserver.PgServer()
        atexit.register(_pg_server.stop)
    _pg_databases += 1
    url = _pg_server.create_database("digest_%d" % _pg_databases)
    os.makedirs(directory, exist_ok=True)
    password = write(os.path.join(directory, "pg.password"),
                     _pg_server.password + "\n", 0o600)
    return ("state = %s\nstate_password_file = %s\nclaim_lease = 3s"
            % (url, password))


def state_lines(directory):
    """The [digest] lines that place the state store for directory: a
    SQLite file in it, or (DIGEST_TEST_STORE=postgresql) a database on a
    PostgreSQL server, so that one end-to-end test runs on either store."""
    if os.environ.get("DIGEST_TEST_STORE") == "postgresql":
        return _pg_state_lines(directory)
    return "state = %s/state.sqlite" % directory


def demo_config_text(directory, extra_sources="", mail=None):
    """The demo configuration with state and outbox inside directory."""
    feeds = os.path.join(SRC, "config", "demo")
    # No retries within a run: a test of temporary failures need not wait.
    mail = mail or ("[mail]\ntransport = maildir\noutbox = %s/outbox\n"
                    "default_provider = zeelandnet\nretries = 0\n"
                    "list_id = Test <test.example.nl>\n"
                    "unsubscribe_mailto = afmelden@example.nl\n" % directory)
    return """[digest]
title = Buitenland vandaag
language = nl
timezone = Europe/Amsterdam
max_items = 10
max_age = 48h
templates = %(src)s/templates
%(state)s

[source nzw-buitenland]
url = file://%(feeds)s/buitenland.xml
category = Buitenland

[source wereldpers]
url = file://%(feeds)s/wereld.atom
%(extra)s
%(mail)s
[provider zeelandnet]
name = ZeelandNet webmail
smtp_url = smtps://127.0.0.1:1
tls = implicit
from = nieuws@zeelandnet.example
from_name = ZeelandNet Nieuws

[provider delta]
name = DELTA webmail
smtp_url = smtp://127.0.0.1:1
tls = starttls
from = nieuws@delta.example
from_name = DELTA Nieuws
""" % {"src": SRC, "state": state_lines(directory), "feeds": feeds,
       "extra": extra_sources, "mail": mail}
