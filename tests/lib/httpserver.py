#!/usr/bin/python3
"""A small local HTTP server for digest's tests.

Usage:
    /usr/bin/python3 tests/lib/httpserver.py [--root DIR] [--port-file FILE]
                                             [--ignore-stdin] [--lifetime S]
                                             [--log FILE]

It listens on 127.0.0.1 only, on a free port the kernel picks, and announces
the port once it is listening: "PORT\\n" on stdout, and also in FILE when
--port-file is given (written atomically, so a reader polling for the file
never sees half a number).

It stops when its stdin reaches end of file (so a test that dies takes its
server with it), on SIGTERM or SIGINT, or after --lifetime seconds (600 by
default, a safety net against strays).  A shell script that starts it in the
background, where stdin is /dev/null, must pass --ignore-stdin and stop it
with `kill $pid`:

    python3 httpserver.py --ignore-stdin --port-file port & pid=$!
    while [ ! -s port ]; do sleep 0.1; done; port=$(cat port)
    ...; kill "$pid"; wait "$pid"

From Python, hold its stdin instead:

    server = subprocess.Popen([sys.executable, "httpserver.py"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    port = int(server.stdout.readline())
    ...; server.stdin.close(); server.wait()

Paths served (all GET; HEAD works too):
    /feed/NAME          the file NAME under --root (default tests/data/feeds);
                        Content-Type from the extension (.rss, .atom, .xml,
                        .json, .html, .txt), or ?type=MIME to override it;
                        with ?etag an ETag (a digest of the content) and a
                        Last-Modified (the file's time), and 304 Not
                        Modified to a request whose If-None-Match or
                        If-Modified-Since says it has this version
    /status/CODE        that HTTP status with a short text body
    /slow/SECONDS       sleeps (fractions allowed), then a small RSS feed
    /html               an HTML page (text/html), not a feed
    /truncated          an RSS document cut in the middle, served completely
                        (correct Content-Length): a parse error, not a
                        transfer error
    /partial            announces more bytes than it sends, then closes: a
                        transfer cut short
    /redirect/N         N redirects (302, relative Location) to
                        /redirect/N-1 ... /redirect/0, which is a small feed
    /redirect-file      a redirect to file:///etc/passwd
    /redirect-to?url=U  a redirect to U, whatever it is
    /big/BYTES          exactly BYTES bytes of valid-looking RSS with a
                        Content-Length; add ?chunked (or ?nolength) to omit
                        the length, so only the bytes themselves tell
    /gzip               a small feed, gzip-compressed, Content-Encoding: gzip
    /headers            the request headers as text/plain, one per line
                        (to check a User-Agent, for instance)

--log FILE appends one line per request: "METHOD PATH User-Agent" and,
when the request was conditional, "If-None-Match=..." and
"If-Modified-Since=...".
"""

import argparse
import gzip
import http.server
import mimetypes
import os
import signal
import socketserver
import sys
import threading
import time
import urllib.parse

SMALL_FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
<title>Test feed</title>
<link>http://127.0.0.1/</link>
<description>Served by tests/lib/httpserver.py</description>
<item>
<title>First item</title>
<link>http://127.0.0.1/items/1</link>
<guid>http://127.0.0.1/items/1</guid>
<pubDate>Sun, 29 Nov 2026 07:00:00 +0000</pubDate>
<description>The first item.</description>
</item>
</channel>
</rss>
"""

HTML_PAGE = b"""<!DOCTYPE html>
<html><head><title>Not a feed</title></head>
<body><p>This page is HTML, not RSS or Atom.</p></body></html>
"""

CONTENT_TYPES = {
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".xml": "application/xml",
    ".json": "application/feed+json",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}

BIG_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<rss version="2.0"><channel><title>Big</title>\n')
BIG_TAIL = b"</channel></rss>\n"
BIG_ITEM = (b"<item><title>Filler item</title>"
            b"<description>Padding text to make the document large."
            b"</description></item>\n")


def big_chunks(total):
    """Yields exactly total bytes that look like one long RSS document."""
    if total < len(BIG_HEAD) + len(BIG_TAIL):
        yield (BIG_HEAD + BIG_TAIL)[:total]
        return
    yield BIG_HEAD
    body = total - len(BIG_HEAD) - len(BIG_TAIL)
    block = BIG_ITEM * 512
    while body >= len(block):
        yield block
        body -= len(block)
    items = body // len(BIG_ITEM)
    # Spaces between elements are harmless XML padding for the remainder.
    yield BIG_ITEM * items + b" " * (body - items * len(BIG_ITEM))
    yield BIG_TAIL


class Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.0: one request per connection, which keeps /partial and the
    # unlengthed /big honest (the end of the body is the close).
    protocol_version = "HTTP/1.0"
    server_version = "digest-test-httpserver/1"

    def log_message(self, format, *args):
        # Quiet: a test's output should be its own.
        pass

    def log_request(self, code="-", size="-"):
        log = self.server.log_path
        if log is None:
            return
        agent = self.headers.get("User-Agent", "-")
        conditions = "".join(
            " %s=%s" % (name, self.headers[name])
            for name in ("If-None-Match", "If-Modified-Since")
            if self.headers.get(name))
        with self.server.log_lock, open(log, "a", encoding="utf-8") as out:
            out.write("%s %s %s%s\n" % (self.command, self.path, agent,
                                         conditions))

    def send_body(self, code, content_type, body, extra=()):
        self.send_response(code)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def redirect(self, location):
        self.send_body(302, "text/plain", b"redirecting\n",
                       [("Location", location)])

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        parts = url.path.split("/", 2)[1:]
        name = parts[0] if parts else ""
        arg = parts[1] if len(parts) > 1 else None
        try:
            handler = getattr(self, "serve_" + name.replace("-", "_"), None)
            if handler is None:
                self.send_body(404, "text/plain", b"no such path\n")
            else:
                handler(arg, query)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a size cap or a timeout): that is the test.
            pass
        except ValueError:
            self.send_body(400, "text/plain", b"bad argument\n")

    def serve_feed(self, arg, query):
        root = os.path.realpath(self.server.root)
        path = os.path.realpath(os.path.join(root, arg or ""))
        if not path.startswith(root + os.sep) or not os.path.isfile(path):
            self.send_body(404, "text/plain", b"no such feed\n")
            return
        with open(path, "rb") as feed:
            body = feed.read()
        if "etag" in query and self.not_modified(path, body):
            return
        extra = self.validators(path, body) if "etag" in query else ()
        if "type" in query:
            content_type = query["type"][0]
        else:
            ext = os.path.splitext(path)[1].lower()
            content_type = CONTENT_TYPES.get(ext) or (
                mimetypes.guess_type(path)[0] or "application/octet-stream")
        self.send_body(200, content_type, body, extra)

    def validators(self, path, body):
        import email.utils
        import hashlib
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:16]
        modified = email.utils.formatdate(os.path.getmtime(path),
                                          usegmt=True)
        return [("ETag", etag), ("Last-Modified", modified)]

    def not_modified(self, path, body):
        """Answers 304 when the request names this version; True if so."""
        etag, modified = [v for _, v in self.validators(path, body)]
        match = self.headers.get("If-None-Match")
        since = self.headers.get("If-Modified-Since")
        if (match is not None and match == etag) or (
                match is None and since is not None and since == modified):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return True
        return False

    def serve_status(self, arg, query):
        code = int(arg)
        if code < 200 or code > 599:
            raise ValueError(arg)
        self.send_body(code, "text/plain", b"status %d\n" % code)

    def serve_slow(self, arg, query):
        seconds = float(arg)
        if seconds < 0 or seconds > 3600:
            raise ValueError(arg)
        time.sleep(seconds)
        self.send_body(200, "application/rss+xml", SMALL_FEED)

    def serve_html(self, arg, query):
        self.send_body(200, "text/html; charset=utf-8", HTML_PAGE)

    def serve_truncated(self, arg, query):
        body = SMALL_FEED[:len(SMALL_FEED) // 2]
        self.send_body(200, "application/rss+xml", body)

    def serve_partial(self, arg, query):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(SMALL_FEED) * 2))
        self.end_headers()
        self.wfile.write(SMALL_FEED)
        self.close_connection = True

    def serve_redirect(self, arg, query):
        hops = int(arg)
        if hops < 0:
            raise ValueError(arg)
        if hops == 0:
            self.send_body(200, "application/rss+xml", SMALL_FEED)
        else:
            self.redirect("/redirect/%d" % (hops - 1))

    def serve_redirect_file(self, arg, query):
        self.redirect("file:///etc/passwd")

    def serve_redirect_to(self, arg, query):
        if "url" not in query:
            raise ValueError("url")
        self.redirect(query["url"][0])

    def serve_big(self, arg, query):
        total = int(arg)
        if total < 0:
            raise ValueError(arg)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        if "chunked" not in query and "nolength" not in query:
            self.send_header("Content-Length", str(total))
        self.end_headers()
        self.close_connection = True
        if self.command == "HEAD":
            return
        for chunk in big_chunks(total):
            self.wfile.write(chunk)

    def serve_gzip(self, arg, query):
        body = gzip.compress(SMALL_FEED)
        self.send_body(200, "application/rss+xml", body,
                       [("Content-Encoding", "gzip")])

    def serve_headers(self, arg, query):
        lines = ["%s: %s\n" % (k, v) for k, v in self.headers.items()]
        self.send_body(200, "text/plain; charset=utf-8",
                       "".join(lines).encode("utf-8"))


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The default backlog of 5 makes a burst of parallel connects wait for
    # SYN retries, which would hide (or fake) a client's parallelism.
    request_queue_size = 128


def write_port_file(path, port):
    temporary = "%s.tmp.%d" % (path, os.getpid())
    with open(temporary, "w", encoding="ascii") as out:
        out.write("%d\n" % port)
    os.replace(temporary, path)


def watch_stdin(stop):
    try:
        while os.read(sys.stdin.fileno(), 4096):
            pass
    except OSError:
        pass
    stop.set()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(
        description="Local HTTP server for digest's tests (see the top of "
        "this file).")
    parser.add_argument("--root", default=os.path.join(here, "..", "data",
                                                       "feeds"),
                        help="directory served under /feed/")
    parser.add_argument("--port-file", help="also write the port here")
    parser.add_argument("--ignore-stdin", action="store_true",
                        help="do not stop when stdin closes")
    parser.add_argument("--lifetime", type=float, default=600,
                        help="stop after this many seconds (0: never)")
    parser.add_argument("--log", help="append one line per request here")
    args = parser.parse_args()

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *unused: stop.set())

    server = Server(("127.0.0.1", 0), Handler)
    server.root = args.root
    server.log_path = args.log
    server.log_lock = threading.Lock()
    port = server.server_address[1]
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()

    if args.port_file:
        write_port_file(args.port_file, port)
    sys.stdout.write("%d\n" % port)
    sys.stdout.flush()

    if not args.ignore_stdin:
        threading.Thread(target=watch_stdin, args=(stop,), daemon=True).start()
    deadline = time.monotonic() + args.lifetime if args.lifetime > 0 else None
    while not stop.is_set():
        if deadline is not None and time.monotonic() >= deadline:
            break
        stop.wait(0.2)
    server.shutdown()
    server.server_close()
    if args.port_file:
        try:
            os.unlink(args.port_file)
        except OSError:
            pass


if __name__ == "__main__":
    main()
