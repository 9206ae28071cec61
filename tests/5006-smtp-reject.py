"""5006-smtp-reject: the server refuses one recipient with 550; that one is
EPERM and names the RCPT and the reply, the others are still delivered."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5006-smtp-reject")
work = smtptest.workdir()
rcpts = ["anna@example.nl", "gone@example.nl", "ella.unal@example.nl"]
with smtptest.Server(work, "--reject", "gone@example.nl") as server:
    results = smtptest.send("smtp://127.0.0.1:%d" % server.port, "none",
                            rcpts)
check.status(results, "anna@example.nl", "OK")
check.status(results, "gone@example.nl", "EPERM",
             "RCPT TO <gone@example.nl> refused: 550 5.1.1")
check.status(results, "gone@example.nl", "EPERM", "no such user")
check.status(results, "ella.unal@example.nl", "OK")
check.delivered(server, ["anna@example.nl", "ella.unal@example.nl"])
check.finish()
