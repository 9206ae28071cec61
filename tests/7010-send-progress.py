"""digest send's progress line (progress.c): on a terminal, one line that
keeps being rewritten in place ("sent N, failed N, left N, R/s, M:SS to
go", each preceded by a carriage return and an erase to the end of the
line) and wiped before the summary; under cron, where standard error is
no terminal, and on a terminal that cannot erase (TERM=dumb), none of
that, only the summary.  The terminal is a pseudo-terminal of the test's
own; the maildir transport keeps the test free of servers."""
import os
import pty
import select
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import (DIGEST, DEMO_NOW, check, demo_config_text, finish,
                        run, tempdir, write)

SUBSCRIBERS = 400
ERASE = "\r\033[K"


def make_store(name):
    directory = os.path.join(tempdir(), name)
    os.makedirs(directory)
    config = write(os.path.join(directory, "digest.ini"),
                   demo_config_text(directory))
    rows = ["email,name,provider,language,format"]
    rows += ["lezer%d@example.nl,Lezer %d,zeelandnet,nl,both" % (i, i)
             for i in range(SUBSCRIBERS)]
    csv = write(os.path.join(directory, "subs.csv"), "\n".join(rows) + "\n")
    code, out, err = run(["subscribers", "import", csv], config=config)
    check(code == 0, "import: %d %r" % (code, err))
    return config


def send_on_terminal(config, term):
    """Runs send with standard error on a pseudo-terminal; returns (exit
    code, standard output, what the terminal showed)."""
    leader, follower = pty.openpty()
    env = dict(os.environ, TERM=term)
    env.pop("DIGEST_CONFIG", None)
    proc = subprocess.Popen([DIGEST, "--config", config, "send", "--now",
                             DEMO_NOW], stdout=subprocess.PIPE,
                            stderr=follower, env=env)
    os.close(follower)
    shown = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the follower side closed: the run is over
            break
        if not chunk:
            break
        shown += chunk
    out = proc.stdout.read().decode("utf-8", "replace")
    code = proc.wait(timeout=120)
    os.close(leader)
    return code, out, shown.decode("utf-8", "replace")


# On a terminal: the line, rewritten in place, wiped at the end.
config = make_store("tty")
code, out, shown = send_on_terminal(config, "xterm")
check(code == 0, "send on a terminal: exit %d %r" % (code, shown))
check("sent %d, failed temporarily 0" % SUBSCRIBERS in out,
      "the summary on standard output: %r" % out)
lines = [part for part in shown.split(ERASE) if part.startswith("sent ")]
check(len(lines) >= 1, "a progress line was shown: %r" % shown[:300])
check(all(" to go" in line and ", left " in line and "/s, " in line
          for line in lines), "each says sent, left, rate, time to go: %r"
      % lines[:3])
check(any(line.startswith("sent %d, failed 0, left 0," % SUBSCRIBERS)
          for line in lines), "the last one counts them all: %r" % lines[-3:])
check(shown.endswith(ERASE), "wiped at the end: %r" % shown[-200:])
check("\n" not in "".join(lines), "rewritten in place, never a new line")

# Under cron: no terminal, no progress line; the same summary.
config = make_store("cron")
code, out, err = run(["send", "--now", DEMO_NOW], config=config)
check(code == 0, "send under cron: exit %d %r" % (code, err))
check("sent %d," % SUBSCRIBERS in out, "the summary: %r" % out)
check("\033[K" not in err and "to go" not in err,
      "no progress line without a terminal: %r" % err[:300])

# A terminal that cannot rewrite a line: none either.
config = make_store("dumb")
code, out, shown = send_on_terminal(config, "dumb")
check(code == 0, "send on a dumb terminal: exit %d %r" % (code, shown))
check("\033[K" not in shown and "to go" not in shown,
      "no progress line with TERM=dumb: %r" % shown[:300])

finish()
