"""5105-esmtp-refusals: in one batch through libESMTP, a recipient refused
with 550 is EPERM and names the RCPT and the reply while the others are
delivered; a 451 to RCPT or after the data is ETEMP and quotes it."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5105-esmtp-refusals")
work = smtptest.workdir()
rcpts = ["anna@example.nl", "gone@example.nl", "ella.unal@example.nl"]
with smtptest.Server(work, "--reject", "gone@example.nl") as server:
    results = smtptest.send("smtp://127.0.0.1:%d" % server.port, "none",
                            rcpts, esmtp=smtptest.EsmtpRun())
check.status(results, "anna@example.nl", "OK")
check.status(results, "gone@example.nl", "EPERM",
             "RCPT TO <gone@example.nl> refused: 550 5.1.1")
check.status(results, "gone@example.nl", "EPERM", "no such user")
check.status(results, "ella.unal@example.nl", "OK")
check.delivered(server, ["anna@example.nl", "ella.unal@example.nl"])
check.expect(len(server.events("connect")) == 1, "more than one connection")

for where in ("data", "rcpt"):
    with smtptest.Server(work, "--tempfail", where) as server:
        results = smtptest.send("smtp://127.0.0.1:%d" % server.port, "none",
                                ["anna@example.nl", "bob@example.nl"],
                                esmtp=smtptest.EsmtpRun())
    for rcpt in ("anna@example.nl", "bob@example.nl"):
        check.status(results, rcpt, "ETEMP", "451 4.3.0 try again later (%s)"
                     % where)
    check.expect(not server.events("message"), "%s: message kept" % where)
    if where == "rcpt":
        check.status(results, "anna@example.nl", "ETEMP", "RCPT TO <anna@")
    else:
        check.status(results, "anna@example.nl", "ETEMP",
                     "message to <anna@example.nl> (DATA) refused")
check.finish()
