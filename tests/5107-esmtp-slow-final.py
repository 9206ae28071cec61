"""5107-esmtp-slow-final: through libESMTP, the reply after the whole
message has its own limit (data_timeout), longer than the one for each
command.  A final 250 past timeout but within data_timeout is a success.
One that comes after data_timeout leaves that job uncertain (EUNCERTAIN:
the server did store it) and ends the connection: the jobs after it are
ETEMP and not sent, and the client does not wait for the late reply."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5107-esmtp-slow-final")
work = smtptest.workdir()


def stored(server):
    return sorted(r for e in server.events("message") for r in e["rcpt_tos"])


with smtptest.Server(work, "--delay-reply", "final", "2") as server:
    results = smtptest.send("smtp://127.0.0.1:%d" % server.port, "none",
                            ["anna@example.nl", "bob@example.nl"], timeout=1,
                            data_timeout=6, esmtp=smtptest.EsmtpRun())
check.status(results, "anna@example.nl", "OK")
check.status(results, "bob@example.nl", "OK")
check.expect(stored(server) == ["anna@example.nl", "bob@example.nl"],
             "stored %r" % stored(server))

rcpts = ["anna@example.nl", "bob@example.nl", "carl@example.nl"]
with smtptest.Server(work, "--delay-reply", "final", "6",
                     "--delay-transaction", "2") as server:
    run = smtptest.EsmtpRun()
    results, seconds = smtptest.timed_send(
        "smtp://127.0.0.1:%d" % server.port, "none", rcpts, timeout=1,
        data_timeout=2, esmtp=run)
check.status(results, "anna@example.nl", "OK")
check.status(results, "bob@example.nl", "EUNCERTAIN",
             "no reply to the end of the message to <bob@example.nl> "
             "within 2 s: the server may have stored it")
check.status(results, "carl@example.nl", "ETEMP",
             "not sent: the session with 127.0.0.1:%d broke off at the "
             "message to <bob@example.nl>" % server.port)
check.expect(stored(server) == ["anna@example.nl", "bob@example.nl"],
             "stored %r" % stored(server))
check.expect(run.batches == ["ETEMP"], "batch %r" % run.batches)
check.expect(seconds < 5, "the client waited %.1f s: for the late reply?"
             % seconds)
check.finish()
