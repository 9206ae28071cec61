"""5013-smtp-drop: a server that ends a kept connection between messages
(421 to the next MAIL, or a close without a word) costs no subscriber a
failure: the transport tries that message once more on a fresh
connection.  A connection lost after the whole message went out is never
retried, so nobody gets a message twice: that send is uncertain (the
server may have stored it), not a temporary failure to be sent again.

Regression: the message that met the dead connection used to fail
temporarily (only the one after it reconnected)."""
import os
import socketserver
import sys
import threading

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5013-smtp-drop")


class Handler(socketserver.StreamRequestHandler):
    """Plain SMTP on 127.0.0.1; how it ends a connection is server.mode."""

    def say(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        server = self.server
        with server.lock:
            server.connections += 1
        self.say("220 drop test ready")
        done = 0
        rcpt = None
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode("ascii", "replace").strip().upper()
            if verb.startswith(("EHLO", "HELO", "RSET", "NOOP")):
                self.say("250 ok")
            elif verb.startswith("MAIL"):
                if done >= 1 and server.mode == "421":
                    self.say("421 4.7.0 too many messages, closing")
                    return
                if done >= 1 and server.mode == "close":
                    return
                self.say("250 ok")
            elif verb.startswith("RCPT"):
                rcpt = verb[verb.index("<") + 1:verb.index(">")].lower()
                self.say("250 ok")
            elif verb == "DATA":
                self.say("354 go ahead")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                with server.lock:
                    server.bodies.append(rcpt)
                if done >= 1 and server.mode == "after-data":
                    return
                done += 1
                self.say("250 queued")
            elif verb == "QUIT":
                self.say("221 bye")
                return
            else:
                self.say("502 not here")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mode):
        super().__init__(("127.0.0.1", 0), Handler)
        self.mode = mode
        self.lock = threading.Lock()
        self.connections = 0
        self.bodies = []
        self.thread = threading.Thread(target=self.serve_forever,
                                       daemon=True)
        self.thread.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


rcpts = ["r%d@example.nl" % i for i in range(3)]
for mode in ("421", "close"):
    with Server(mode) as server:
        results = smtptest.send("smtp://127.0.0.1:%d" % server.server_address[1],
                                "none", rcpts)
    for rcpt in rcpts:
        check.status(results, rcpt, "OK")
    check.expect(sorted(server.bodies) == rcpts,
                 "%s: the server got %r" % (mode, server.bodies))
    check.expect(server.connections == 3,
                 "%s: %d connections, want 3" % (mode, server.connections))

with Server("after-data") as server:
    results = smtptest.send("smtp://127.0.0.1:%d" % server.server_address[1],
                            "none", rcpts[:2])
check.status(results, rcpts[0], "OK")
check.status(results, rcpts[1], "EUNCERTAIN", "DATA")
check.status(results, rcpts[1], "EUNCERTAIN", "may have stored it")
check.expect(server.bodies == rcpts[:2],
             "after DATA: the server got %r (a second copy?)" % server.bodies)
check.finish()
