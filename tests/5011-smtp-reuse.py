"""5011-smtp-reuse: several messages through one transport travel over one
connection (the libcurl handle is kept per provider)."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5011-smtp-reuse")
work = smtptest.workdir()
ca, cert, key = smtptest.make_certs(work)
rcpts = ["r%d@example.nl" % i for i in range(5)]
with smtptest.Server(work, "--starttls", cert, key) as server:
    results = smtptest.send("smtp://127.0.0.1:%d" % server.port, "starttls",
                            rcpts, ca=ca)
for rcpt in rcpts:
    check.status(results, rcpt, "OK")
messages = check.delivered(server, rcpts, tls=True)
connections = {e["connection"] for e in messages}
check.expect(len(connections) == 1, "messages came over %d connections"
             % len(connections))
check.expect(len(server.events("connect")) == 1, "%d connections"
             % len(server.events("connect")))
check.finish()
