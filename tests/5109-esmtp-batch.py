"""5109-esmtp-batch: a batch of 100 messages through libESMTP goes over one
connection, each to its own recipient, and pipelines where the server
offers PIPELINING: the server sees each message's DATA arrive before it
answered its RCPT.  Without the offer nothing is sent ahead (RFC 2920)."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5109-esmtp-batch")
work = smtptest.workdir()
rcpts = ["lezer%d@example.nl" % i for i in range(100)]
for pipelining in (True, False):
    flags = ["--pipelining"] if pipelining else []
    with smtptest.Server(work, *flags) as server:
        run = smtptest.EsmtpRun()
        results = smtptest.send("smtp://127.0.0.1:%d" % server.port, "none",
                                rcpts, esmtp=run)
    bad = [r for r in rcpts if results.get(r, ("",))[0] != "OK"]
    check.expect(not bad, "not OK: %r" % bad[:3])
    check.expect(run.batches == ["OK"], "batch %r" % run.batches)
    messages = server.events("message")
    check.expect(len(messages) == 100, "%d messages" % len(messages))
    check.expect(all(e["connection"] == 1 for e in messages),
                 "more than one connection")
    check.expect(len(server.events("connect")) == 1, "%d connections"
                 % len(server.events("connect")))
    # Each stored message went to its own recipient, in order.
    check.expect([e["rcpt_tos"] for e in messages] == [[r] for r in rcpts],
                 "recipients out of order")
    ahead = [e["next"] for e in server.events("ahead")]
    if pipelining:
        check.expect(ahead.count("DATA") == 100,
                     "DATA sent ahead %d times, want 100"
                     % ahead.count("DATA"))
    else:
        check.expect(not ahead, "sent ahead without PIPELINING: %r"
                     % ahead[:3])
check.delivered(server, rcpts)
check.finish()
