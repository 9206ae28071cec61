"""5108-esmtp-crash: the server dies after two messages of a batch of five.
The two before are delivered; the third, whose MAIL met the dead
connection, and the two after it are ETEMP, never reported as sent; a
second batch finds the port closed."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5108-esmtp-crash")
work = smtptest.workdir()
rcpts = ["r%d@example.nl" % i for i in range(5)]
with smtptest.Server(work, "--crash-after", "2", "--pipelining") as server:
    port = server.port
    run = smtptest.EsmtpRun(batch=5)
    results = smtptest.send("smtp://127.0.0.1:%d" % port, "none",
                            rcpts + ["late@example.nl"], timeout=2, esmtp=run)
    check.expect(server.process.wait(timeout=10) == 3,
                 "the server did not crash as asked")
for rcpt in rcpts[:2]:
    check.status(results, rcpt, "OK")
check.status(results, rcpts[2], "ETEMP",
             "MAIL FROM <%s> failed: the connection to 127.0.0.1:%d ended "
             "before its reply" % (smtptest.SENDER, port))
for rcpt in rcpts[3:]:
    check.status(results, rcpt, "ETEMP",
                 "not sent: the session with 127.0.0.1:%d broke off at the "
                 "message to <%s>" % (port, rcpts[2]))
check.status(results, "late@example.nl", "ETEMP",
             "cannot connect to 127.0.0.1:%d" % port)
check.expect(run.batches == ["ETEMP", "ETEMP"], "batches %r" % run.batches)
check.delivered(server, rcpts[:2])
check.finish()
