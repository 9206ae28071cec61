"""Shared pieces of the 5xxx SMTP tests: a throwaway CA, a server from
smtpserver.py on a free 127.0.0.1 port, and the 5001-transport client."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import mailcheck

LIB = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"
SUBJECT = "Buitenland vandaag \u2013 zondag 29 november"
SENDER = "nieuws@zeelandnet.nl"


def skip(reason):
    print("SKIP: " + reason)
    sys.exit(77)


def workdir():
    """A temporary directory removed when the test ends."""
    directory = tempfile.mkdtemp(prefix="digest-smtp-")
    import atexit
    atexit.register(shutil.rmtree, directory, True)
    return directory


def _openssl(*args):
    subprocess.run(("openssl",) + args, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_certs(directory):
    """Makes a CA and a server certificate for 127.0.0.1 and localhost
    signed by it.  Returns (ca_cert, server_cert, server_key)."""
    if shutil.which("openssl") is None:
        skip("no openssl command")

    def path(name):
        return os.path.join(directory, name)

    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=digest test CA", "-keyout", path("ca.key"),
             "-out", path("ca.pem"),
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    cert, key = make_server_cert(directory, "server",
                                 "IP:127.0.0.1,DNS:localhost")
    return path("ca.pem"), cert, key


def make_server_cert(directory, name, alt_names):
    """Another server certificate signed by make_certs()'s CA, for the
    subjectAltName alt_names ("DNS:mail.example.nl").  Returns (cert,
    key)."""
    def path(suffix):
        return os.path.join(directory, name + suffix)

    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj",
             "/CN=" + alt_names.split(",")[0].split(":", 1)[1],
             "-keyout", path(".key"), "-out", path(".csr"))
    with open(path(".ext"), "w") as f:
        f.write("subjectAltName=%s\n"
                "basicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n" % alt_names)
    _openssl("x509", "-req", "-in", path(".csr"),
             "-CA", os.path.join(directory, "ca.pem"),
             "-CAkey", os.path.join(directory, "ca.key"), "-CAcreateserial",
             "-days", "2", "-extfile", path(".ext"), "-out", path(".pem"))
    return path(".pem"), path(".key")


class Server:
    """smtpserver.py with the given flags; use as a context manager."""

    started = 0

    def __init__(self, directory, *flags, auth=None):
        # Numbered, not named by id(): ids are reused, and a test that
        # starts servers one after the other must not read an old log.
        Server.started += 1
        self.maildir = os.path.join(directory, "received-%d" % Server.started)
        env = dict(os.environ)
        args = [PYTHON, os.path.join(LIB, "smtpserver.py"),
                "--maildir", self.maildir] + list(flags)
        if auth is not None:
            # The credentials go through the environment, never argv.
            env["SMTPSERVER_AUTH"] = auth
            args += ["--auth", "-"]
        self.process = subprocess.Popen(args, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, env=env)
        line = self.process.stdout.readline()
        if not line:
            self.process.wait()
            raise RuntimeError("smtpserver.py did not start")
        self.port = int(line)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                self.process.wait()

    def events(self, kind=None):
        try:
            with open(os.path.join(self.maildir, "log.jsonl")) as f:
                found = [json.loads(line) for line in f]
        except FileNotFoundError:
            return []
        return [e for e in found if kind is None or e["event"] == kind]

    def message_bytes(self, event):
        with open(os.path.join(self.maildir, event["file"]), "rb") as f:
            return f.read()


def free_port():
    """A port nothing listens on (bound then released)."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client(esmtp=False):
    """The path of the 5001-transport client, or with esmtp of the
    5101-esmtp one."""
    return os.path.join(os.environ["DIGEST_TEST_BIN"],
                        "5101-esmtp" if esmtp else "5001-transport")


def send(url, tls, recipients, ca=None, user=None, password=None,
         timeout=5, connect_timeout=None, data_timeout=None, pause=None,
         no_dots=False, wrapper=(), esmtp=None):
    """Runs the client; returns {recipient: (status, message)}.  The
    limits are in seconds; the client's own defaults (5 to connect, 10 for
    the reply after the data) apply to those left None.  With pause the
    client waits that many seconds between messages, as a send loop that
    renders each one would.  With no_dots no line of the message starts
    with a dot, so that libcurl sends exactly as many bytes as it was
    given.  wrapper goes before the client's command line (valgrind and
    its options, say).  With esmtp (an EsmtpRun) the 5101-esmtp client
    sends them in batches through libESMTP, and the run keeps the hook
    calls and each batch's status."""
    env = dict(os.environ)
    for key in list(env):
        if key.startswith("SMTP_TEST_"):
            del env[key]
    env["SMTP_TEST_URL"] = url
    env["SMTP_TEST_TLS"] = tls
    env["SMTP_TEST_TIMEOUT"] = str(timeout)
    if connect_timeout is not None:
        env["SMTP_TEST_CONNECT_TIMEOUT"] = str(connect_timeout)
    if data_timeout is not None:
        env["SMTP_TEST_DATA_TIMEOUT"] = str(data_timeout)
    if no_dots:
        env["SMTP_TEST_NO_DOTS"] = "1"
    if pause is not None:
        env["SMTP_TEST_PAUSE_MS"] = str(int(pause * 1000))
    if ca:
        env["SMTP_TEST_CA"] = ca
    if user:
        env["SMTP_TEST_USER"] = user
    if password:
        env["SMTP_TEST_PASSWORD"] = password
    if esmtp is not None:
        env.update(esmtp.environment())
    done = subprocess.run(list(wrapper) + [client(esmtp is not None), "send",
                                           SENDER] + list(recipients),
                          env=env, stdout=subprocess.PIPE, check=True,
                          timeout=120)
    results = {}
    for line in done.stdout.decode().splitlines():
        if esmtp is not None and esmtp.take(line):
            continue
        recipient, status, message = line.split(" ", 2)
        results[recipient] = (status, message)
    return results


class EsmtpRun:
    """How the 5101-esmtp client sends, and what it reported beside the
    statuses: batch (jobs per batch; None: all in one), hook (call the
    before_data hook, which says -1 for the recipient hold), save (a
    directory for each composed message, RCPT.eml).  After send(),
    hooks lists the recipients the hook saw, in order, and batches each
    batch's status; order is every ("hook", recipient) and ("after",
    recipient), the after hook's calls, as they came."""

    def __init__(self, batch=None, hook=False, hold=None, save=None,
                 curl=False):
        self.batch = batch
        self.hook = hook or hold is not None
        self.hold = hold
        self.save = save
        self.curl = curl
        self.hooks = []
        self.batches = []
        self.order = []

    def environment(self):
        env = {}
        if self.batch is not None:
            env["SMTP_TEST_BATCH"] = str(self.batch)
        if self.hook:
            env["SMTP_TEST_HOOK"] = "1"
        if self.hold is not None:
            env["SMTP_TEST_HOLD"] = self.hold
        if self.save is not None:
            env["SMTP_TEST_SAVE"] = self.save
        if self.curl:
            env["SMTP_TEST_CURL"] = "1"
        return env

    def take(self, line):
        if line.startswith("hook "):
            self.hooks.append(line[5:])
            self.order.append(("hook", line[5:]))
            return True
        if line.startswith("after "):
            self.order.append(("after", line[6:]))
            return True
        if line.startswith("batch "):
            self.batches.append(line[6:])
            return True
        return False


def timed_send(*args, **kwargs):
    """As send(); returns (results, seconds the client took)."""
    import time
    started = time.monotonic()
    results = send(*args, **kwargs)
    return results, time.monotonic() - started


def connections_of(server):
    """{recipient: connection number} of each message the server stored."""
    return {r: e["connection"] for e in server.events("message")
            for r in e["rcpt_tos"]}


class Checker:
    def __init__(self, name):
        self.name = name
        self.failures = 0

    def expect(self, condition, what):
        if not condition:
            print("%s: %s" % (self.name, what), file=sys.stderr)
            self.failures += 1
        return condition

    def status(self, results, recipient, status, needle=None):
        got = results.get(recipient)
        if not self.expect(got is not None, "no result for " + recipient):
            return
        self.expect(got[0] == status, "%s: %s %s, want %s" %
                    (recipient, got[0], got[1], status))
        if needle is not None:
            self.expect(needle in got[1], "%s: %r lacks %r" %
                        (recipient, got[1], needle))

    def delivered(self, server, recipients, tls=None):
        """Every recipient got exactly one message, and it parses."""
        messages = server.events("message")
        got = sorted(r for e in messages for r in e["rcpt_tos"])
        self.expect(got == sorted(recipients),
                    "server received %r, want %r" % (got, recipients))
        for event in messages:
            self.expect(event["mail_from"] == SENDER,
                        "envelope from %r" % event["mail_from"])
            if tls is not None:
                self.expect(event["tls"] == tls, "tls %r" % event["tls"])
            try:
                mailcheck.check_message(
                    server.message_bytes(event), subject=SUBJECT,
                    to_addr=event["rcpt_tos"][0],
                    to_name="\u00cblla \u00dcnal", from_addr=SENDER,
                    from_name="ZeelandNet webmail",
                    list_id="Buitenland digest <buitenland.example.nl>",
                    unsubscribe_mailto="afmelden@example.nl",
                    unsubscribe_url="https://nieuws.example.nl/afmelden?t=1",
                    text_contains=("Caf\u00e9 in Z\u00fcrich\n.\n.. a line"
                                   " with dots\nFrom here on\n",),
                    html_contains=("<p>Caf\u00e9 in Z\u00fcrich</p>",))
            except mailcheck.MailCheckError as error:
                self.expect(False, "%s: %s" % (event["file"], error))
        return messages

    def finish(self):
        sys.exit(1 if self.failures else 0)
