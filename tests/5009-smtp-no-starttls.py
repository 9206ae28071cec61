"""5009-smtp-no-starttls: STARTTLS required but the server does not offer
it: ECONFIG, and no MAIL command is sent in plain text."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5009-smtp-no-starttls")
work = smtptest.workdir()
with smtptest.Server(work) as server:
    results = smtptest.send("smtp://127.0.0.1:%d" % server.port, "starttls",
                            ["anna@example.nl"])
check.status(results, "anna@example.nl", "ECONFIG",
             "STARTTLS is required but 127.0.0.1:%d does not offer it"
             % server.port)
check.expect(not server.events("mail"), "MAIL FROM sent in plain text")
check.expect(not server.events("message"), "message sent in plain text")
check.finish()
