"""digest serve stays up and answers good requests promptly whatever
clients do: oversized headers and bodies are refused, a form with too
many fields is not read, a client that trickles its request is cut off
after the request deadline (15 s) and an idle one after 10 s, 64 silent
connections hold the server only until they time out, and a flood of bad
tokens neither slows good requests nor locks anyone out.  SIGTERM with
connections open still stops it cleanly."""
import http.client
import os
import socket
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import check, finish  # noqa: E402
import webtest  # noqa: E402

ANNA = "anna@example.nl"

site = webtest.Site("limits")


def raw(data, read=True, timeout=10):
    """Sends bytes on a new connection; returns what came back."""
    with socket.create_connection(("127.0.0.1", site.port),
                                  timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except OSError:
            pass
        if not read:
            return b""
        answer = b""
        try:
            while True:
                piece = sock.recv(65536)
                if not piece:
                    break
                answer += piece
        except OSError:
            pass
        return answer


def status_of(answer):
    try:
        return int(answer.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def timed_get(path):
    started = time.monotonic()
    answer = site.get(path, timeout=30)
    return answer.status, time.monotonic() - started


def closed_after(sock, limit):
    """Seconds until the server closed sock (None: not within limit)."""
    started = time.monotonic()
    sock.settimeout(limit)
    try:
        while True:
            if not sock.recv(4096):
                return time.monotonic() - started
    except (ConnectionResetError, BrokenPipeError):
        return time.monotonic() - started
    except socket.timeout:
        return None


try:
    site.digest("subscribers", "add", ANNA)
    prefs = "/prefs?t=" + site.token("prefs", ANNA)

    # Headers past 16 KiB: refused, and the server goes on.
    answer = raw(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 +
                 b"\r\n\r\n")
    check(status_of(answer) in (None, 413, 414, 431) and
          status_of(answer) != 200, "huge headers: %r" % answer[:60])
    answer = raw(b"GET /" + b"a" * 40000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    check(status_of(answer) in (None, 413, 414, 431),
          "a huge URL: %r" % answer[:60])
    # A body declared too large is refused before it is sent.
    answer = raw(b"POST /unsubscribe HTTP/1.1\r\nHost: x\r\n"
                 b"Content-Type: application/x-www-form-urlencoded\r\n"
                 b"Content-Length: 100000\r\n\r\n")
    check(status_of(answer) == 413, "declared too large: %r" % answer[:60])
    # One that grows too large as it comes (chunked), too.
    chunk = b"t=" + b"a" * 4000
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(3))
    answer = raw(b"POST /unsubscribe HTTP/1.1\r\nHost: x\r\n"
                 b"Content-Type: application/x-www-form-urlencoded\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n" + body + b"0\r\n\r\n")
    check(status_of(answer) == 413, "chunked too large: %r" % answer[:60])
    # More fields than a form has: not read, nothing changes.
    before = site.dump()
    fields = "&".join("f%d=x" % i for i in range(40))
    answer = site.post("/prefs", (fields + "&t=" +
                                  site.token("prefs", ANNA)).encode(),
                       headers={"Content-Type":
                                "application/x-www-form-urlencoded"})
    check(answer.status == 400, "too many fields: %d" % answer.status)
    # A body that is no form.
    answer = site.post("/unsubscribe", b"\x00\x01garbage",
                       headers={"Content-Type": "application/octet-stream"})
    check(answer.status == 400, "not a form: %d" % answer.status)
    check(site.dump() == before, "nothing changed")
    check(timed_get(prefs)[0] == 200, "still answering")

    # A trickling client and an idle one, while good requests go on.
    trickler = socket.create_connection(("127.0.0.1", site.port))
    trickler.sendall(b"GET /prefs HTTP/1.1\r\nHost: x\r\n")
    idle = socket.create_connection(("127.0.0.1", site.port))
    closed = {}

    def watch(name, sock, limit):
        closed[name] = closed_after(sock, limit)

    watchers = [threading.Thread(target=watch, args=("idle", idle, 30))]
    watchers[0].start()
    started = time.monotonic()
    slow_good = []
    while time.monotonic() - started < 20:
        try:
            trickler.sendall(b"X")
        except OSError:
            break
        status, seconds = timed_get(prefs)
        slow_good.append((status, seconds))
        time.sleep(0.5)
    trickle_end = time.monotonic() - started
    watchers[0].join()
    check(trickle_end < 19, "the trickler is cut off: %.1f s" % trickle_end)
    check(closed["idle"] is not None and 8 < closed["idle"] < 14,
          "the idle connection is closed after 10 s: %r" % closed["idle"])
    check(all(status == 200 and seconds < 1 for status, seconds in
              slow_good), "good requests meanwhile: %r" % slow_good[:5])
    trickler.close()
    idle.close()

    # 64 silent connections: the next one is served once they time out.
    silent = [socket.create_connection(("127.0.0.1", site.port))
              for _ in range(64)]
    status, seconds = timed_get(prefs)
    check(status == 200 and seconds < 16,
          "served after the silent ones: %d in %.1f s" % (status, seconds))
    for sock in silent:
        sock.close()

    # A flood of bad tokens from four keep-alive clients.
    baseline = [timed_get(prefs)[1] for _ in range(40)]
    forged = site.token("prefs", ANNA)[:-3] + "AAA"
    bad_paths = ["/prefs?t=" + forged, "/prefs?t=garbage",
                 "/view?t=" + site.token("view", "x@example.nl")[:-1],
                 "/unsubscribe?t=1.." + "A" * 400]
    flood_counts = []

    def flood(number):
        connection = http.client.HTTPConnection("127.0.0.1", site.port,
                                                timeout=30)
        count = 0
        for i in range(400):
            connection.request("GET", bad_paths[(i + number) % 4])
            answer = connection.getresponse()
            answer.read()
            if answer.status in (400, 403):
                count += 1
        connection.close()
        flood_counts.append(count)

    flooders = [threading.Thread(target=flood, args=(n,)) for n in range(4)]
    for thread in flooders:
        thread.start()
    during = []
    while any(thread.is_alive() for thread in flooders):
        during.append(timed_get(prefs))
    for thread in flooders:
        thread.join()
    after = [timed_get(prefs) for _ in range(40)]
    check(flood_counts == [400] * 4, "every bad token refused: %r"
          % flood_counts)
    check(all(status == 200 for status, _ in during + after),
          "good requests answered during and after the flood")
    check(during and max(seconds for _, seconds in during) < 2,
          "during the flood: at most %.3f s" %
          max([seconds for _, seconds in during] or [0]))
    before_median = statistics.median(baseline)
    after_median = statistics.median(seconds for _, seconds in after)
    check(after_median < 3 * before_median + 0.02,
          "no slower afterwards: %.4f s, before %.4f s"
          % (after_median, before_median))
    print("good request, median: before %.2f ms, during %.2f ms, after "
          "%.2f ms; %d bad tokens refused" %
          (before_median * 1000,
           statistics.median(s for _, s in during) * 1000,
           after_median * 1000, sum(flood_counts)))

    # SIGTERM with a half-sent request open: a clean stop all the same.
    hanging = socket.create_connection(("127.0.0.1", site.port))
    hanging.sendall(b"POST /unsubscribe HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Length: 50\r\n\r\nt=")
    time.sleep(0.3)
    started = time.monotonic()
    code = site.stop()
    check(code == 0 and time.monotonic() - started < 5,
          "stopped with a request open: %r" % code)
    hanging.close()
finally:
    site.close()
finish()
