"""5016-smtp-slow-reply: a command whose reply does not come within
timeout fails temporarily (ETEMP) and names the command; the connection
is dropped, and the next message goes over a new one with its replies in
step.  A reply after a good message keeps the connection."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5016-smtp-slow-reply")
work = smtptest.workdir()
rcpts = ["anna@example.nl", "bob@example.nl", "carl@example.nl"]

for stage, needle in (("rcpt", "no reply to RCPT TO <bob@example.nl> "
                       "within 1 s"),
                      ("mail", "no reply to MAIL FROM <%s> within 1 s"
                       % smtptest.SENDER)):
    # The second transaction, on the kept connection, gets no reply in time.
    with smtptest.Server(work, "--delay-reply", stage, "4",
                         "--delay-transaction", "2") as server:
        results, seconds = smtptest.timed_send(
            "smtp://127.0.0.1:%d" % server.port, "none", rcpts, timeout=1)
        connections = smtptest.connections_of(server)
        connects = len(server.events("connect"))
    check.status(results, rcpts[0], "OK")
    check.status(results, rcpts[1], "ETEMP", needle)
    check.status(results, rcpts[2], "OK")
    check.delivered(server, [rcpts[0], rcpts[2]])
    check.expect(connections.get(rcpts[2]) not in
                 (None, connections.get(rcpts[0])),
                 "%s: the message after the timeout reused the connection: "
                 "%r" % (stage, connections))
    check.expect(connects == 2, "%s: %d connections, want 2"
                 % (stage, connects))
    check.expect(seconds < 4, "%s: took %.1f s: waited for the late reply?"
                 % (stage, seconds))
check.finish()
