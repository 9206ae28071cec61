"""5005-smtp-auth: AUTH over STARTTLS with the right password, a wrong one
(ECONFIG, and the password never shows in the message) and none at all."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5005-smtp-auth")
work = smtptest.workdir()
ca, cert, key = smtptest.make_certs(work)
password = "Zeeuws-Meisje-42!"
wrong = "WrongPassword-Abc123"
with smtptest.Server(work, "--starttls", cert, key,
                     auth="nieuws:" + password) as server:
    url = "smtp://127.0.0.1:%d" % server.port
    results = smtptest.send(url, "starttls", ["anna@example.nl"], ca=ca,
                            user="nieuws", password=password)
    check.status(results, "anna@example.nl", "OK")
    messages = check.delivered(server, ["anna@example.nl"], tls=True)
    check.expect(messages and messages[0]["auth"], "not authenticated")

    results = smtptest.send(url, "starttls", ["bob@example.nl"], ca=ca,
                            user="nieuws", password=wrong)
    check.status(results, "bob@example.nl", "ECONFIG", "AUTH")
    check.status(results, "bob@example.nl", "ECONFIG", "535")
    check.status(results, "bob@example.nl", "ECONFIG", "127.0.0.1:%d" %
                 server.port)
    check.expect(wrong not in results["bob@example.nl"][1],
                 "the password appears in the error")

    results = smtptest.send(url, "starttls", ["carl@example.nl"], ca=ca)
    check.status(results, "carl@example.nl", "ECONFIG", "530")
    check.expect(len(server.events("message")) == 1, "unauthenticated mail")
check.finish()
