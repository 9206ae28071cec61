"""5014-smtp-slow-final: the server's reply after the whole message has its
own limit (data_timeout), longer than the one for each command.

A final 250 within data_timeout but past timeout is a success.  One that
comes after data_timeout leaves the send uncertain (EUNCERTAIN): the server
did store that message.  The next message then goes over a new connection
and its replies are its own.  Both hold for a message with lines that
start with a dot (libcurl doubles those, and sends more than it was given)
and for one without.

Regression: the final reply had the same short limit as every other, and
the timed-out connection was reused, so the next subscriber read the late
250 out of step."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5014-smtp-slow-final")
work = smtptest.workdir()


def stored(server):
    return sorted(r for e in server.events("message") for r in e["rcpt_tos"])


for no_dots in (False, True):
    kind = "without dots" if no_dots else "with dots"
    # Slower than timeout, quicker than data_timeout: no failure.
    with smtptest.Server(work, "--delay-reply", "final", "2") as server:
        results = smtptest.send("smtp://127.0.0.1:%d" % server.port, "none",
                                ["anna@example.nl"], timeout=1,
                                data_timeout=6, no_dots=no_dots)
    check.status(results, "anna@example.nl", "OK")
    check.expect(stored(server) == ["anna@example.nl"],
                 "%s: stored %r" % (kind, stored(server)))

    # The first transaction's final reply comes 6 s late; data_timeout 2 s.
    rcpts = ["anna@example.nl", "bob@example.nl", "carl@example.nl"]
    with smtptest.Server(work, "--delay-reply", "final", "6",
                         "--delay-transaction", "1") as server:
        results, seconds = smtptest.timed_send(
            "smtp://127.0.0.1:%d" % server.port, "none", rcpts, timeout=1,
            data_timeout=2, no_dots=no_dots)
        connections = smtptest.connections_of(server)
        connects = len(server.events("connect"))
    check.status(results, "anna@example.nl", "EUNCERTAIN",
                 "no reply to the end of the message to <anna@example.nl> "
                 "within 2 s")
    check.status(results, "anna@example.nl", "EUNCERTAIN",
                 "may have stored it")
    check.status(results, "bob@example.nl", "OK")
    check.status(results, "carl@example.nl", "OK")
    # The server did store all three, each once.
    if no_dots:
        check.expect(stored(server) == rcpts,
                     "%s: stored %r" % (kind, stored(server)))
    else:
        check.delivered(server, rcpts)
    check.expect(seconds < 6, "%s: the client waited %.1f s: for the late "
                 "reply?" % (kind, seconds))
    check.expect(connections.get("bob@example.nl") not in
                 (None, connections.get("anna@example.nl")),
                 "%s: the message after the uncertain one used its "
                 "connection: %r" % (kind, connections))
    check.expect(connections.get("bob@example.nl") ==
                 connections.get("carl@example.nl"),
                 "%s: a good connection was not kept: %r"
                 % (kind, connections))
    check.expect(connects == 2, "%s: %d connections, want 2"
                 % (kind, connects))
check.finish()
