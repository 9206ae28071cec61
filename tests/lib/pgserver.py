"""A real PostgreSQL server for the tests, started and removed by them.

PgServer() runs initdb into a new temporary directory and starts the
server (Debian's postgresql package) on 127.0.0.1 at a free port and on a
socket in that directory; stop() shuts it down fast and removes
everything.  The superuser "digest" logs in over TCP with a password
(scram-sha-256), as a real installation would; over the socket it is
trusted, for the tests' own look behind the store's back.

initdb and the server refuse to run as root, which CI is: then they run
as "nobody" through setpriv(1), in a directory that user owns.

When the binaries are missing, missing_reason() says so: the caller exits
77, which scripts/test's DIGEST_REQUIRE_ALL=1 turns into a failure.

As a command, `pgserver.py COMMAND ARGS...` runs COMMAND with the server
up and DIGEST_TEST_STATE_URL (postgresql://digest@127.0.0.1:PORT, no
database: a test adds its own) and DIGEST_TEST_STATE_PASSWORD set, and
exits with its status.
"""

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

USER = "digest"


def bin_dir():
    """The newest installed PostgreSQL's bin directory, or None."""
    found = []
    for path in glob.glob("/usr/lib/postgresql/*/bin"):
        version = os.path.basename(os.path.dirname(path))
        if version.isdigit() and os.path.exists(
                os.path.join(path, "postgres")):
            found.append((int(version), path))
    return max(found)[1] if found else None


def missing_reason():
    """Why no server can be started here, or None when one can."""
    if bin_dir() is None:
        return "PostgreSQL is not installed (apt-get install postgresql)"
    if os.getuid() == 0 and shutil.which("setpriv") is None:
        return "running as root and setpriv(1) is missing"
    return None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PgServer:
    def __init__(self, password="test-pg-secret"):
        self.password = password
        self.bin = bin_dir()
        self.dir = tempfile.mkdtemp(prefix="digest-pg-")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.process = None
        self.as_user = []
        if os.getuid() == 0:
            # initdb and postgres refuse root; nobody owns the directory.
            nobody = pwd.getpwnam("nobody")
            os.chown(self.dir, nobody.pw_uid, nobody.pw_gid)
            self.as_user = ["setpriv", "--reuid=%d" % nobody.pw_uid,
                            "--regid=%d" % nobody.pw_gid, "--clear-groups",
                            "--"]
        try:
            self._initdb()
            self._start()
        except BaseException:
            self.stop()
            raise

    def _run_as(self, argv, **kwargs):
        return subprocess.run(self.as_user + argv, check=True,
                              stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, **kwargs)

    def _initdb(self):
        pwfile = os.path.join(self.dir, "pwfile")
        with open(pwfile, "w") as out:
            out.write(self.password + "\n")
        if self.as_user:
            os.chown(pwfile, pwd.getpwnam("nobody").pw_uid, -1)
        os.chmod(pwfile, 0o600)
        try:
            self._run_as([os.path.join(self.bin, "initdb"), "-D", self.data,
                          "-U", USER, "--pwfile", pwfile, "-E", "UTF8",
                          "--locale=C.UTF-8", "--auth-local=trust",
                          "--auth-host=scram-sha-256"])
        except subprocess.CalledProcessError as error:
            raise RuntimeError("initdb failed: %s" %
                               error.stderr.decode(errors="replace"))
        os.unlink(pwfile)

    def _start(self):
        # fsync off: the tests need no durability, and CI's disk is shared.
        self.process = subprocess.Popen(
            self.as_user + [os.path.join(self.bin, "postgres"), "-D",
                            self.data, "-p", str(self.port), "-k", self.dir,
                            "-c", "listen_addresses=127.0.0.1",
                            "-c", "fsync=off", "-c", "full_page_writes=off",
                            "-c", "synchronous_commit=off",
                            "-c", "max_connections=60"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("postgres exited: %s" %
                                   self.process.stderr.read().decode(
                                       errors="replace"))
            if self.psql("SELECT 1", check=False).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("postgres did not start within 60 s")

    def psql(self, sql, database="postgres", check=True):
        """Runs sql over the trusted socket; returns the CompletedProcess."""
        return subprocess.run(
            [os.path.join(self.bin, "psql"), "-X", "-q", "-A", "-t",
             "-v", "ON_ERROR_STOP=1", "-h", self.dir, "-p", str(self.port),
             "-U", USER, "-d", database, "-c", sql],
            check=check, capture_output=True, text=True)

    def create_database(self, name):
        """A new, empty database; returns its URL (no password in it)."""
        self.psql('CREATE DATABASE "%s" STRATEGY = FILE_COPY' % name)
        return self.url(name)

    def url(self, database=""):
        """The URL of database over TCP, as a configuration names it."""
        base = "postgresql://%s@127.0.0.1:%d" % (USER, self.port)
        return base + ("/" + database if database else "")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            # SIGINT: the fast shutdown, which ends every session.
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None:
            self.process.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def main(argv):
    if len(argv) < 2:
        print("usage: pgserver.py COMMAND [ARGS...]", file=sys.stderr)
        return 64
    reason = missing_reason()
    if reason:
        print("SKIP: %s" % reason)
        return 77
    with PgServer() as server:
        env = dict(os.environ, DIGEST_TEST_STATE_URL=server.url(),
                   DIGEST_TEST_STATE_PASSWORD=server.password,
                   DIGEST_TEST_PG_SOCKET=server.dir,
                   DIGEST_TEST_PG_PORT=str(server.port))
        return subprocess.run(argv[1:], env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
