"""5102-esmtp-plain: tls = none to a plain relay on this host through
libESMTP: two recipients in one batch over one connection, each message
stored byte for byte as composed (libESMTP's dot-stuffing undone by the
server, no header added or lost), and the same through transport_send()."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5102-esmtp-plain")
work = smtptest.workdir()
composed = os.path.join(work, "composed")
os.makedirs(composed)
rcpts = ["anna@example.nl", "ella.unal@example.nl"]
with smtptest.Server(work) as server:
    run = smtptest.EsmtpRun(save=composed)
    results = smtptest.send("smtp://127.0.0.1:%d" % server.port, "none",
                            rcpts, esmtp=run)
for rcpt in rcpts:
    check.status(results, rcpt, "OK")
check.expect(run.batches == ["OK"], "batch statuses %r" % run.batches)
messages = check.delivered(server, rcpts, tls=False)
check.expect(len(server.events("connect")) == 1,
             "%d connections" % len(server.events("connect")))
for event in messages:
    with open(os.path.join(composed, event["rcpt_tos"][0] + ".eml"),
              "rb") as f:
        sent = f.read()
    stored = server.message_bytes(event)
    check.expect(b"\r\n.\r\n.. a line" in sent, "the test lost its dots")
    check.expect(stored == sent, "%s: stored %d bytes, composed %d"
                 % (event["rcpt_tos"][0], len(stored), len(sent)))

# One at a time: transport_send() is a batch of one, a connection each.
with smtptest.Server(work) as server:
    results = smtptest.send("smtp://127.0.0.1:%d" % server.port, "none",
                            rcpts, esmtp=smtptest.EsmtpRun(batch=1))
for rcpt in rcpts:
    check.status(results, rcpt, "OK")
check.delivered(server, rcpts)
check.expect(len(server.events("connect")) == 2,
             "%d connections for two batches of one"
             % len(server.events("connect")))
check.finish()
