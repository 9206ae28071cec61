"""5010-smtp-tls-mismatch: implicit TLS against a STARTTLS port, and STARTTLS
against an implicit-TLS port, each told plainly what to change."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5010-smtp-tls-mismatch")
work = smtptest.workdir()
ca, cert, key = smtptest.make_certs(work)
with smtptest.Server(work, "--starttls", cert, key) as server:
    results = smtptest.send("smtps://127.0.0.1:%d" % server.port,
                            "implicit", ["anna@example.nl"], ca=ca)
check.status(results, "anna@example.nl", "ECONFIG",
             "implicit TLS (smtps://) was tried but the server at "
             "127.0.0.1:%d speaks plain SMTP first: use tls = starttls "
             "with smtp://" % server.port)
with smtptest.Server(work, "--implicit-tls", cert, key) as server:
    results = smtptest.send("smtp://127.0.0.1:%d" % server.port, "starttls",
                            ["anna@example.nl"], ca=ca, timeout=2)
check.status(results, "anna@example.nl", "ECONFIG",
             "STARTTLS (smtp://) was tried but the server at 127.0.0.1:%d"
             % server.port)
check.status(results, "anna@example.nl", "ECONFIG",
             "use tls = implicit with smtps://")
check.finish()
