"""5104-esmtp-auth: AUTH over STARTTLS through libESMTP with the right
password, a wrong one (ECONFIG quoting the 535, never the password, for
every job of the batch, and no message sent) and none at all (530)."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5104-esmtp-auth")
work = smtptest.workdir()
ca, cert, key = smtptest.make_certs(work)
password = "Zeeuws-Meisje-42!"
wrong = "WrongPassword-Abc123"
with smtptest.Server(work, "--starttls", cert, key,
                     auth="nieuws:" + password) as server:
    url = "smtp://127.0.0.1:%d" % server.port
    results = smtptest.send(url, "starttls", ["anna@example.nl"], ca=ca,
                            user="nieuws", password=password,
                            esmtp=smtptest.EsmtpRun())
    check.status(results, "anna@example.nl", "OK")
    messages = check.delivered(server, ["anna@example.nl"], tls=True)
    check.expect(messages and messages[0]["auth"], "not authenticated")

    rcpts = ["bob@example.nl", "carl@example.nl"]
    run = smtptest.EsmtpRun()
    results = smtptest.send(url, "starttls", rcpts, ca=ca, user="nieuws",
                            password=wrong, esmtp=run)
    for rcpt in rcpts:
        check.status(results, rcpt, "ECONFIG",
                     'AUTH as "nieuws" at 127.0.0.1:%d refused: 535'
                     % server.port)
        check.expect(wrong not in results.get(rcpt, ("", ""))[1],
                     "the password appears in the error")
    check.expect(run.batches == ["ECONFIG"], "batch %r" % run.batches)

    results = smtptest.send(url, "starttls", ["dirk@example.nl"], ca=ca,
                            esmtp=smtptest.EsmtpRun())
    check.status(results, "dirk@example.nl", "ECONFIG", "530")
    check.expect(len(server.events("message")) == 1, "unauthenticated mail")
check.finish()
