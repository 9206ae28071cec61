"""5021-smtp-out-of-step: a kept connection on which the server has said
something unasked between two messages (here a stray 250, as a late reply
would be) is not used again: the next message goes over a new connection
and is delivered, its replies its own.

Regression: libcurl reused such a connection and took the stray line for
the reply to the next MAIL, every later reply one behind."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5021-smtp-out-of-step")
work = smtptest.workdir()
rcpts = ["anna@example.nl", "bob@example.nl", "carl@example.nl"]
with smtptest.Server(work, "--extra-reply", "0.1") as server:
    results = smtptest.send("smtp://127.0.0.1:%d" % server.port, "none",
                            rcpts, pause=0.6)
    connections = smtptest.connections_of(server)
    extra = server.events("extra-reply")
for rcpt in rcpts:
    check.status(results, rcpt, "OK")
check.delivered(server, rcpts)
check.expect(len(extra) >= 2, "the server sent %d stray lines" % len(extra))
check.expect(len(set(connections.values())) == 3,
             "a connection out of step was used again: %r" % connections)
check.finish()
