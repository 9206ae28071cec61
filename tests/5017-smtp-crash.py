"""5017-smtp-crash: the server dies after two messages, taking its
connections with it.  The two before are delivered; the ones after fail
temporarily (nothing to connect to) and are never reported as sent."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5017-smtp-crash")
work = smtptest.workdir()
rcpts = ["r%d@example.nl" % i for i in range(5)]
with smtptest.Server(work, "--crash-after", "2") as server:
    port = server.port
    results = smtptest.send("smtp://127.0.0.1:%d" % port, "none", rcpts,
                            timeout=2)
    check.expect(server.process.wait(timeout=10) == 3,
                 "the server did not crash as asked")
for rcpt in rcpts[:2]:
    check.status(results, rcpt, "OK")
for rcpt in rcpts[2:]:
    check.status(results, rcpt, "ETEMP", "cannot connect to 127.0.0.1:%d"
                 % port)
check.delivered(server, rcpts[:2])
check.finish()
