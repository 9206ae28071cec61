"""5022-smtp-valgrind: the SMTP transport's failure paths under valgrind
(timeouts in each phase, the TLS probe, dropped and fresh connections, a
stray reply): no memory errors, no definite or indirect leaks.  Skipped
(77) without valgrind or in a sanitizer build."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

if shutil.which("valgrind") is None:
    smtptest.skip("no valgrind")
libraries = subprocess.run(["ldd", smtptest.client()], capture_output=True,
                           text=True).stdout
if "libasan" in libraries or "libubsan" in libraries:
    smtptest.skip("sanitizer build")

check = smtptest.Checker("5022-smtp-valgrind")
work = smtptest.workdir()
ca, cert, key = smtptest.make_certs(work)
valgrind = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect"]
rcpts = ["anna@example.nl", "bob@example.nl"]
cases = (
    # After a failure the next message goes over a new connection.
    ("final reply late", ["--delay-reply", "final", "8",
                          "--delay-transaction", "1"], "none",
     {"timeout": 5, "data_timeout": 2}, ("EUNCERTAIN", "OK")),
    ("RCPT reply late", ["--delay-reply", "rcpt", "8",
                         "--delay-transaction", "1"], "none",
     {"timeout": 2}, ("ETEMP", "OK")),
    # The TLS probe, which times out here and completes in the next.
    ("silent greeting", ["--silent-greeting"], "none", {"timeout": 2},
     ("ETEMP",)),
    ("TLS port", ["--implicit-tls", cert, key], "starttls", {"timeout": 3},
     ("ECONFIG",)),
    ("stray reply", ["--extra-reply", "0.1"], "none",
     {"timeout": 5, "pause": 1}, ("OK", "OK")),
)
for name, flags, tls, limits, statuses in cases:
    with smtptest.Server(work, *flags) as server:
        try:
            results = smtptest.send("smtp://127.0.0.1:%d" % server.port, tls,
                                    rcpts[:len(statuses)], ca=ca,
                                    wrapper=valgrind, **limits)
        except subprocess.CalledProcessError as error:
            check.expect(False, "%s: valgrind reports, exit %d"
                         % (name, error.returncode))
            continue
    for rcpt, status in zip(rcpts, statuses):
        check.status(results, rcpt, status)
check.finish()
