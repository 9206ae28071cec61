"""5015-smtp-greeting: a server that is slow to greet, or never greets, is
a temporary failure (ETEMP) within about the greeting's limit (timeout),
with no advice to change the TLS mode: nothing shows a TLS port.  A
greeting within the limit is fine.

Regression: a greeting 2 s late with timeout 1 s was reported as a
provider setting (exit 78) with advice to use tls = implicit."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5015-smtp-greeting")
work = smtptest.workdir()
ca, cert, key = smtptest.make_certs(work)
rcpt = "anna@example.nl"

for name, flags in (("silent", ["--silent-greeting"]),
                    ("slow", ["--greeting-delay", "2"])):
    with smtptest.Server(work, "--starttls", cert, key, *flags) as server:
        url = "smtp://127.0.0.1:%d" % server.port
        results, seconds = smtptest.timed_send(url, "starttls", [rcpt],
                                               ca=ca, timeout=1)
    check.status(results, rcpt, "ETEMP",
                 "no greeting from 127.0.0.1:%d within 1 s" % server.port)
    got = results.get(rcpt, ("", ""))[1]
    check.expect("tls =" not in got and "implicit" not in got,
                 "%s: TLS advice without evidence: %r" % (name, got))
    # The greeting's limit, up to a second late, and a TLS probe as long.
    check.expect(seconds < 5, "%s: took %.1f s" % (name, seconds))
    check.expect(not server.events("mail"), "%s: MAIL sent" % name)

# Within the limit: delivered, over STARTTLS.
with smtptest.Server(work, "--starttls", cert, key,
                     "--greeting-delay", "1") as server:
    results = smtptest.send("smtp://127.0.0.1:%d" % server.port, "starttls",
                            [rcpt], ca=ca, timeout=3)
check.status(results, rcpt, "OK")
check.delivered(server, [rcpt], tls=True)
check.finish()
