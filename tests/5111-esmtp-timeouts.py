"""5111-esmtp-timeouts: through libESMTP each wait has the provider's
limit, below libESMTP's RFC 5321 minimums: a RCPT reply or a greeting
that does not come within timeout fails the session (ETEMP) naming what
it waited for, well before the server's late reply."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5111-esmtp-timeouts")
work = smtptest.workdir()
with smtptest.Server(work, "--delay-reply", "rcpt", "8") as server:
    results, seconds = smtptest.timed_send(
        "smtp://127.0.0.1:%d" % server.port, "none",
        ["anna@example.nl", "bob@example.nl"], timeout=2,
        esmtp=smtptest.EsmtpRun())
check.status(results, "anna@example.nl", "ETEMP",
             "no reply to RCPT TO <anna@example.nl> within 2 s")
check.status(results, "bob@example.nl", "ETEMP", "not sent")
check.expect(1.5 < seconds < 6, "took %.1f s" % seconds)
check.expect(not server.events("message"), "a message was stored")

with smtptest.Server(work, "--silent-greeting") as server:
    results, seconds = smtptest.timed_send(
        "smtp://127.0.0.1:%d" % server.port, "none", ["anna@example.nl"],
        timeout=1, esmtp=smtptest.EsmtpRun())
check.status(results, "anna@example.nl", "ETEMP",
             "no greeting from 127.0.0.1:%d within 1 s" % server.port)
check.expect(seconds < 5, "took %.1f s" % seconds)

with smtptest.Server(work, "--greeting-delay", "2") as server:
    results = smtptest.send("smtp://127.0.0.1:%d" % server.port, "none",
                            ["anna@example.nl"], timeout=4,
                            esmtp=smtptest.EsmtpRun())
check.status(results, "anna@example.nl", "OK")
check.finish()
