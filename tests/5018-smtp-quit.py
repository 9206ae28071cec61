"""5018-smtp-quit: closing a good session says QUIT, but a server that never
answers it holds the close for a few seconds, not for the long limit of
the reply after the data (libcurl's own reply timeout)."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5018-smtp-quit")
work = smtptest.workdir()
rcpts = ["anna@example.nl", "bob@example.nl"]
with smtptest.Server(work, "--silent-quit") as server:
    results, seconds = smtptest.timed_send(
        "smtp://127.0.0.1:%d" % server.port, "none", rcpts, timeout=2,
        data_timeout=40)
for rcpt in rcpts:
    check.status(results, rcpt, "OK")
check.delivered(server, rcpts)
check.expect(len(server.events("connect")) == 1, "the connection was not "
             "kept between good messages")
# The QUIT may wait 5 s; libcurl's cap here would be data_timeout + 5 s.
check.expect(seconds < 15, "closing took %.1f s" % seconds)
check.finish()
