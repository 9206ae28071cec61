"""5112-esmtp-valgrind: the libESMTP transport under valgrind, its good
path and its failure paths (STARTTLS with AUTH, a refused certificate, a
wrong password, a late final reply, a late RCPT reply, a crash mid-batch,
a held-back job): no memory errors, no definite or indirect leaks.
Regression: under valgrind the TLS 1.3 session tickets came before
libESMTP flushed its EHLO, and it waited out the timeout for a reply to a
command not sent (now TLS 1.2 only: transport_esmtp.c).
Skipped (77) without valgrind or in a sanitizer build."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

if shutil.which("valgrind") is None:
    smtptest.skip("no valgrind")
libraries = subprocess.run(["ldd", smtptest.client(esmtp=True)],
                           capture_output=True, text=True).stdout
if "libasan" in libraries or "libubsan" in libraries:
    smtptest.skip("sanitizer build")

check = smtptest.Checker("5112-esmtp-valgrind")
work = smtptest.workdir()
ca, cert, key = smtptest.make_certs(work)
valgrind = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect"]
rcpts = ["anna@example.nl", "bob@example.nl", "carl@example.nl"]
password = "Zeeuws-Meisje-42!"
tls_auth = ["--starttls", cert, key]
cases = (
    ("STARTTLS and AUTH", tls_auth, "starttls",
     {"user": "nieuws", "password": password}, ("OK", "OK")),
    ("wrong password", tls_auth, "starttls",
     {"user": "nieuws", "password": "wrong"}, ("ECONFIG", "ECONFIG")),
    ("unknown CA", ["--starttls", cert, key], "starttls", {"ca": None},
     ("ECONFIG",)),
    ("final reply late", ["--delay-reply", "final", "8",
                          "--delay-transaction", "1"], "none",
     {"timeout": 5, "data_timeout": 2}, ("EUNCERTAIN", "ETEMP")),
    ("RCPT reply late", ["--delay-reply", "rcpt", "8"], "none",
     {"timeout": 2}, ("ETEMP",)),
    ("crash", ["--crash-after", "1", "--pipelining"], "none", {},
     ("OK", "ETEMP", "ETEMP")),
    ("held back", ["--pipelining"], "none",
     {"esmtp": smtptest.EsmtpRun(hold="bob@example.nl")},
     ("OK", "ETEMP", "ETEMP")),
)
for name, flags, tls, options, statuses in cases:
    options = dict(options)
    options.setdefault("ca", ca)
    options.setdefault("esmtp", smtptest.EsmtpRun())
    auth = None
    if "user" in options:
        auth = "nieuws:" + password
    with smtptest.Server(work, *flags, auth=auth) as server:
        try:
            results = smtptest.send("smtp://127.0.0.1:%d" % server.port, tls,
                                    rcpts[:len(statuses)], wrapper=valgrind,
                                    **options)
        except subprocess.CalledProcessError as error:
            check.expect(False, "%s: valgrind reports, exit %d"
                         % (name, error.returncode))
            continue
    for rcpt, status in zip(rcpts, statuses):
        check.status(results, rcpt, status)
check.finish()
