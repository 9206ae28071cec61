"""5008-smtp-down: nothing listens on the port: ETEMP naming host:port."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5008-smtp-down")
port = smtptest.free_port()
results = smtptest.send("smtp://127.0.0.1:%d" % port, "starttls",
                        ["anna@example.nl"])
check.status(results, "anna@example.nl", "ETEMP",
             "cannot connect to 127.0.0.1:%d" % port)
check.finish()
