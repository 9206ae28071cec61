"""Shared pieces of the 8xxx tests of digest serve: a configuration with a
[web] section and two providers whose SMTP servers (smtpserver.py, TLS
with a throwaway CA) run on 127.0.0.1, `digest serve` on a free port of
127.0.0.1, an HTTP client on urllib that returns every status instead of
raising, the signed links as digest makes them (the web-link helper), and
the state database read back with sqlite3."""

import email.parser
import email.policy
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import digesttest  # noqa: E402
import smtptest  # noqa: E402

DIGEST = digesttest.DIGEST
BIN = os.environ.get("DIGEST_TEST_BIN", ".")
KEY = "a-test-key-for-signed-links-of-at-least-32-bytes"


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def form_value(self, name):
        """The value of the first input called name, or None."""
        found = re.search(r'name="%s" value="([^"]*)"' % re.escape(name),
                          self.text)
        return found.group(1).replace("&amp;", "&") if found else None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


_opener = urllib.request.build_opener(NoRedirect)


def http(method, url, data=None, headers=None, timeout=10):
    """One request; returns a Response whatever its status."""
    if isinstance(data, dict):
        data = urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers=headers or {})
    try:
        with _opener.open(request, timeout=timeout) as answer:
            return Response(answer.status, answer.headers, answer.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, error.headers, error.read())


class Site:
    """Two SMTP servers, a configuration, and digest serve on it."""

    def __init__(self, name, web_extra="", start=True, extra_sources=""):
        self.directory = os.path.join(smtptest.workdir(), name)
        os.makedirs(self.directory)
        ca, cert, key = smtptest.make_certs(self.directory)
        self.zeeland = smtptest.Server(self.directory, "--implicit-tls",
                                       cert, key)
        self.delta = smtptest.Server(self.directory, "--starttls", cert,
                                     key)
        self.port = smtptest.free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.key_file = digesttest.write(
            os.path.join(self.directory, "web.key"), KEY + "\n", 0o600)
        self.config = self._write_config(ca, web_extra, extra_sources)
        self.process = None
        self.log = []
        if start:
            self.start()

    def _write_config(self, ca, web_extra, extra_sources):
        text = digesttest.demo_config_text(self.directory, extra_sources)
        text = text.replace("transport = maildir", "transport = smtp")
        text = text.replace(
            "smtps://127.0.0.1:1\ntls = implicit",
            "smtps://127.0.0.1:%d\ntls = implicit\nca_file = %s\n"
            "timeout = 10s" % (self.zeeland.port, ca))
        text = text.replace(
            "smtp://127.0.0.1:1\ntls = starttls",
            "smtp://127.0.0.1:%d\ntls = starttls\nca_file = %s\n"
            "timeout = 10s" % (self.delta.port, ca))
        text += ("\n[web]\nbase_url = %s\nlisten = 127.0.0.1:%d\n"
                 "secret_file = %s\n%s" % (self.base, self.port,
                                           self.key_file, web_extra))
        return digesttest.write(os.path.join(self.directory, "digest.ini"),
                                text)

    def start(self):
        env = dict(os.environ)
        env.pop("DIGEST_CONFIG", None)
        self.log = []
        self.process = subprocess.Popen(
            [DIGEST, "--config", self.config, "serve"],
            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
        first = self.process.stderr.readline().decode()
        self.log.append(first)
        if "listening on port %d" % self.port not in first:
            self.process.wait(timeout=10)
            raise RuntimeError("digest serve did not start: %r %r" %
                               (first, self.process.stderr.read()))
        self._reader = threading.Thread(target=self._read_log, daemon=True)
        self._reader.start()

    def _read_log(self):
        for line in self.process.stderr:
            self.log.append(line.decode("utf-8", "replace"))

    def stop(self, sig=signal.SIGTERM):
        """Stops digest serve; returns its exit code."""
        if self.process is None:
            return None
        self.process.send_signal(sig)
        code = self.process.wait(timeout=30)
        self._reader.join(timeout=10)
        self.process = None
        return code

    def close(self):
        self.stop()
        self.zeeland.stop()
        self.delta.stop()

    def url(self, path):
        return self.base + path

    def get(self, path, **kwargs):
        return http("GET", self.url(path), **kwargs)

    def post(self, path, data=None, **kwargs):
        return http("POST", self.url(path), data=data, **kwargs)

    def link(self, action, address, issued=None):
        """The signed link as digest puts it in a mail (links_url)."""
        args = [os.path.join(BIN, "web-link"), self.config, action, address]
        if issued is not None:
            args.append(str(int(issued)))
        done = subprocess.run(args, capture_output=True, check=True)
        return done.stdout.decode().strip()

    def token(self, action, address, issued=None):
        return self.link(action, address, issued).split("?t=", 1)[1]

    def digest(self, *args, **kwargs):
        return digesttest.run(list(args), config=self.config, **kwargs)

    def db(self):
        return sqlite3.connect(os.path.join(self.directory, "state.sqlite"))

    def rows(self, sql, *params):
        with self.db() as db:
            return db.execute(sql, params).fetchall()

    def dump(self):
        """Every row of the tables the pages write, to see a change."""
        return [self.rows("SELECT * FROM %s ORDER BY 1" % table)
                for table in ("subscribers", "signups", "suppressions",
                              "journal")]

    def log_lines(self, needle):
        time.sleep(0.2)
        return [line for line in self.log if needle in line]


def messages(server):
    """The messages server received: (recipients, parsed message)."""
    found = []
    for event in server.events("message"):
        raw = server.message_bytes(event)
        parsed = email.parser.BytesParser(policy=email.policy.default) \
            .parsebytes(raw)
        found.append((event["rcpt_tos"], parsed))
    return found


def wait_for_mail(server, count, timeout=20):
    """Waits until server holds count messages; returns them."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = messages(server)
        if len(found) >= count:
            return found
        time.sleep(0.1)
    return messages(server)


def confirm_link(message):
    """The confirmation link in a confirmation mail."""
    body = message.get_body(("plain",)).get_content()
    found = re.search(r"(http://\S+/confirm\?t=\S+)", body)
    return found.group(1) if found else None
