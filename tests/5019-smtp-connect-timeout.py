"""5019-smtp-connect-timeout: a port whose queue of connections is full
never completes a TCP handshake; the send fails temporarily after
connect_timeout, however long the other limits are."""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5019-smtp-connect-timeout")
# A listener that never accepts, its backlog filled: Linux then drops
# further SYNs, so a connect hangs as it would towards a dead host.
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(0)
port = listener.getsockname()[1]
fillers = []
for _ in range(4):
    filler = socket.socket()
    filler.setblocking(False)
    filler.connect_ex(("127.0.0.1", port))
    fillers.append(filler)
time.sleep(0.5)

results, seconds = smtptest.timed_send(
    "smtp://127.0.0.1:%d" % port, "none", ["anna@example.nl"],
    connect_timeout=1, timeout=20, data_timeout=20)
check.status(results, "anna@example.nl", "ETEMP",
             "cannot connect to 127.0.0.1:%d within 1 s" % port)
check.expect(seconds < 5, "took %.1f s" % seconds)
for filler in fillers:
    filler.close()
listener.close()
check.finish()
