"""5003-smtp-starttls: STARTTLS with a CA made for the test; without that CA
the certificate must be refused (verification stays on)."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5003-smtp-starttls")
work = smtptest.workdir()
ca, cert, key = smtptest.make_certs(work)
rcpts = ["anna@example.nl", "ella.unal@example.nl"]
with smtptest.Server(work, "--starttls", cert, key) as server:
    url = "smtp://127.0.0.1:%d" % server.port
    results = smtptest.send(url, "starttls", rcpts, ca=ca)
    for rcpt in rcpts:
        check.status(results, rcpt, "OK")
    check.delivered(server, rcpts, tls=True)
    # The system's CAs do not know ours: that must fail, not fall back.
    results = smtptest.send(url, "starttls", ["bob@example.nl"])
    check.status(results, "bob@example.nl", "ECONFIG", "certificate")
    check.expect(len(server.events("mail")) == 2, "MAIL after a bad cert")
check.finish()
