"""5002-smtp-plain: tls = none to a plain relay on this host; two
recipients over one transport, both messages parsed back."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5002-smtp-plain")
work = smtptest.workdir()
rcpts = ["anna@example.nl", "ella.unal@example.nl"]
with smtptest.Server(work) as server:
    results = smtptest.send("smtp://127.0.0.1:%d" % server.port, "none",
                            rcpts)
for rcpt in rcpts:
    check.status(results, rcpt, "OK")
check.delivered(server, rcpts, tls=False)
check.finish()
