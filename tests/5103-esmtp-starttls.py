"""5103-esmtp-starttls: libESMTP with STARTTLS required.  With a CA made
for the test the messages go over TLS; without that CA, with a certificate
for another host, or with a server that does not offer STARTTLS, every job
is ECONFIG and no MAIL command is sent."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5103-esmtp-starttls")
work = smtptest.workdir()
ca, cert, key = smtptest.make_certs(work)
other_cert, other_key = smtptest.make_server_cert(work, "other",
                                                  "DNS:mail.example.nl")
rcpts = ["anna@example.nl", "ella.unal@example.nl"]
with smtptest.Server(work, "--starttls", cert, key) as server:
    url = "smtp://127.0.0.1:%d" % server.port
    results = smtptest.send(url, "starttls", rcpts, ca=ca,
                            esmtp=smtptest.EsmtpRun())
    for rcpt in rcpts:
        check.status(results, rcpt, "OK")
    check.delivered(server, rcpts, tls=True)
    # The certificate names localhost too.
    results = smtptest.send("smtp://localhost:%d" % server.port, "starttls",
                            ["bob@example.nl"], ca=ca,
                            esmtp=smtptest.EsmtpRun())
    check.status(results, "bob@example.nl", "OK")
    # The system's CAs do not know ours: refused, never a fallback.
    run = smtptest.EsmtpRun()
    results = smtptest.send(url, "starttls", rcpts, esmtp=run)
    for rcpt in rcpts:
        check.status(results, rcpt, "ECONFIG",
                     "TLS certificate of 127.0.0.1:%d not accepted"
                     % server.port)
    check.expect(run.batches == ["ECONFIG"], "batch %r" % run.batches)
    check.expect(len(server.events("mail")) == 3, "MAIL after a bad cert")

# Signed by our CA, but for another host.
with smtptest.Server(work, "--starttls", other_cert, other_key) as server:
    results = smtptest.send("smtp://127.0.0.1:%d" % server.port, "starttls",
                            ["anna@example.nl"], ca=ca,
                            esmtp=smtptest.EsmtpRun())
    check.status(results, "anna@example.nl", "ECONFIG", "mismatch")
    check.expect(not server.events("mail"), "MAIL to the wrong host")

with smtptest.Server(work) as server:
    results = smtptest.send("smtp://127.0.0.1:%d" % server.port, "starttls",
                            rcpts, esmtp=smtptest.EsmtpRun())
    for rcpt in rcpts:
        check.status(results, rcpt, "ECONFIG",
                     "STARTTLS is required but 127.0.0.1:%d does not "
                     "offer it" % server.port)
    check.expect(not server.events("mail"), "MAIL FROM sent in plain text")
check.finish()
