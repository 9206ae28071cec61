"""5106-esmtp-down: nothing listens on the port: every job of the batch
is ETEMP naming host:port, and so is the batch."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5106-esmtp-down")
port = smtptest.free_port()
run = smtptest.EsmtpRun()
results = smtptest.send("smtp://127.0.0.1:%d" % port, "none",
                        ["anna@example.nl", "bob@example.nl"], esmtp=run)
for rcpt in ("anna@example.nl", "bob@example.nl"):
    check.status(results, rcpt, "ETEMP",
                 "cannot connect to 127.0.0.1:%d: Connection refused" % port)
check.expect(run.batches == ["ETEMP"], "batch %r" % run.batches)
check.finish()
