"""5023-smtp-reply-codes: every class of refusal, at RCPT TO and at the end
of DATA, is classified as the operator must act on it: 5xx is permanent
(EPERM, `digest send` exits 69), except the AUTH problems 530, 534, 535 and
538, which are the configuration's (ECONFIG); 4xx is temporary (ETEMP,
exit 75).  Each reply is quoted in the message.

Regression (issue 7): a classifier that took only 550 and up as permanent
counted 500-549 as temporary, so a refused recipient would have been
retried every run for ever; only 550 was tested."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402
from digesttest import demo_config_text, run, write  # noqa: E402

EX_UNAVAILABLE, EX_TEMPFAIL = 69, 75
PERMANENT = (500, 501, 502, 503, 504, 541, 549, 550, 551, 552, 553, 554)
AUTH = (530, 534, 535, 538)
TEMPORARY = (421, 450, 451, 452)
EXPECT = dict([(code, "EPERM") for code in PERMANENT] +
              [(code, "ECONFIG") for code in AUTH] +
              [(code, "ETEMP") for code in TEMPORARY])

check = smtptest.Checker("5023-smtp-reply-codes")
work = smtptest.workdir()
# A good recipient first and last: the connection survives the refusals.
recipients = ["anna@example.nl"]
for stage in ("rcpt", "data"):
    recipients += ["%s-%d@example.nl" % (stage, code) for code in EXPECT]
recipients.append("ella.unal@example.nl")

with smtptest.Server(work, "--reply-by-address") as server:
    url = "smtp://127.0.0.1:%d" % server.port
    results = smtptest.send(url, "none", recipients, timeout=10)
    check.delivered(server, ["anna@example.nl", "ella.unal@example.nl"])
    for stage in ("rcpt", "data"):
        for code, status in EXPECT.items():
            recipient = "%s-%d@example.nl" % (stage, code)
            check.status(results, recipient, status,
                         "%d %s.0.0 injected reply to %s" %
                         (code, str(code)[0], stage.upper()))
            if stage == "rcpt":
                check.status(results, recipient, status,
                             "RCPT TO <%s> refused" % recipient)

    # The same through `digest send`: refusals alone exit 69, temporary
    # failures alone 75.
    directory = os.path.join(work, "send")
    os.makedirs(directory)
    text = demo_config_text(directory)
    text = text.replace("transport = maildir", "transport = smtp")
    text = text.replace("smtps://127.0.0.1:1\ntls = implicit",
                        "%s\ntls = none\ntimeout = 10s" % url)
    config = write(os.path.join(directory, "digest.ini"), text)
    csv = write(os.path.join(directory, "subs.csv"),
                "email\nrcpt-501@example.nl\ndata-541@example.nl\n"
                "rcpt-452@example.nl\n")
    code, out, err = run(["subscribers", "import", csv], config=config)
    check.expect(code == 0, "import: %d %r" % (code, err))
    for who, want in ((["rcpt-501@example.nl", "data-541@example.nl"],
                       EX_UNAVAILABLE), (["rcpt-452@example.nl"],
                                         EX_TEMPFAIL)):
        for subscriber in who:
            code, out, err = run(["send", "--subscriber", subscriber,
                                  "--now", "2026-11-29T09:30:00+01:00"],
                                 config=config)
            check.expect(code == want, "send to %s: exit %d, want %d %r"
                         % (subscriber, code, want, err))
            check.expect(subscriber in err, "send to %s: not named: %r"
                         % (subscriber, err))
check.finish()
