"""5007-smtp-tempfail: 451 after DATA and 451 to RCPT are both ETEMP and
quote the reply."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5007-smtp-tempfail")
work = smtptest.workdir()
for where in ("data", "rcpt"):
    with smtptest.Server(work, "--tempfail", where) as server:
        results = smtptest.send("smtp://127.0.0.1:%d" % server.port, "none",
                                ["anna@example.nl", "bob@example.nl"])
    for rcpt in ("anna@example.nl", "bob@example.nl"):
        check.status(results, rcpt, "ETEMP", "451 4.3.0 try again later (%s)"
                     % where)
    check.expect(not server.events("message"), "%s: message kept" % where)
check.status(results, "anna@example.nl", "ETEMP", "RCPT TO <anna@")
check.finish()
