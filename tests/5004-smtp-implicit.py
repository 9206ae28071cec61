"""5004-smtp-implicit: implicit TLS (smtps://) with the test CA."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5004-smtp-implicit")
work = smtptest.workdir()
ca, cert, key = smtptest.make_certs(work)
rcpts = ["anna@example.nl", "ella.unal@example.nl"]
with smtptest.Server(work, "--implicit-tls", cert, key) as server:
    results = smtptest.send("smtps://127.0.0.1:%d" % server.port,
                            "implicit", rcpts, ca=ca)
for rcpt in rcpts:
    check.status(results, rcpt, "OK")
check.delivered(server, rcpts, tls=True)
check.finish()
