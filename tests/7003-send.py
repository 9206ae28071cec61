"""digest send end to end: subscribers on two providers, each a real SMTP
server on 127.0.0.1 (implicit TLS with AUTH from an environment variable;
STARTTLS with AUTH from a private password file), one reused connection per
provider, a refused recipient, a rerun that skips who already got it, a
temporary failure, a dry run, wrong passwords and an unsafe password
file.  With [web] base_url every message carries signed links: the one in
List-Unsubscribe verifies with the key of secret_file and with no other."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import DEMO_NOW, check, demo_config_text, finish, run, write
import mailcheck
import signcheck
import smtptest

EX_UNAVAILABLE, EX_IOERR, EX_TEMPFAIL, EX_CONFIG = 69, 74, 75, 78
SECRET_Z = "zeeland-Secret-42"
SECRET_D = "delta-Secret-17"
directory = smtptest.workdir()
ca, cert, key = smtptest.make_certs(directory)


day2_feed = os.path.join(directory, "day2.xml")
DAY2_EMPTY = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Dag twee</title></channel></rss>
"""
# An item the feed only carries from the second day on.
DAY2_ITEM = DAY2_EMPTY.replace("</channel>", """<item>
<title>Dag twee: een nieuw bericht uit Lissabon</title>
<link>https://example.org/dag-twee</link>
<pubDate>Tue, 01 Dec 2026 07:00:00 +0000</pubDate>
<description>Alleen op de tweede dag te lezen.</description>
</item></channel>""")
write(day2_feed, DAY2_EMPTY)


BASE_URL = "https://nieuws.example.nl/digest"
KEY = b"7003-key-made-by-the-test-0123456789abcdef"


def configure(name, zeeland_port, delta_port, web=False):
    """A config whose two providers point at the test servers; with web, a
    [web] section whose key is a file the test made."""
    text = demo_config_text(os.path.join(directory, name),
                            extra_sources="[source dag2]\nurl = file://%s\n"
                            % day2_feed)
    os.makedirs(os.path.join(directory, name), exist_ok=True)
    text = text.replace("transport = maildir", "transport = smtp")
    if web:
        key_file = os.path.join(directory, name, "link.key")
        with open(key_file, "wb") as handle:
            handle.write(KEY + b"\n")
        os.chmod(key_file, 0o600)
        text += "\n[web]\nbase_url = %s\nsecret_file = %s\n" % (
            BASE_URL, key_file)
    text = text.replace(
        "smtps://127.0.0.1:1\ntls = implicit",
        "smtps://127.0.0.1:%d\ntls = implicit\nuser = zeeland\n"
        "password_env = TEST_ZEELAND_PASSWORD\nca_file = %s\ntimeout = 10s"
        % (zeeland_port, ca))
    password_file = write(os.path.join(directory, name, "delta.pw"),
                          SECRET_D + "\n", 0o600)
    text = text.replace(
        "smtp://127.0.0.1:1\ntls = starttls",
        "smtp://127.0.0.1:%d\ntls = starttls\nuser = delta\n"
        "password_file = %s\nca_file = %s\ntimeout = 10s"
        % (delta_port, password_file, ca))
    config = write(os.path.join(directory, name, "digest.ini"), text)
    csv = write(os.path.join(directory, name, "subs.csv"),
                "email,name,provider,language,format\n"
                "anna@zeelandnet.example,Anna de Vries,zeelandnet,nl,both\n"
                "joost@delta.example,Joost Ëlsinga,delta,nl,text\n"
                "mila@example.org,Mila Janssen,,en,both\n"
                "weg@delta.example,,delta,nl,both\n")
    code, out, err = run(["subscribers", "import", csv], config=config)
    check(code == 0, "%s: import %d %r" % (name, code, err))
    return config


ENV = {"TEST_ZEELAND_PASSWORD": SECRET_Z}


def no_secret(name, *texts):
    for text in texts:
        check(SECRET_Z not in text and SECRET_D not in text,
              "%s: a password appears in the output" % name)


with smtptest.Server(directory, "--implicit-tls", cert, key,
                     auth="zeeland:" + SECRET_Z) as zeeland, \
        smtptest.Server(directory, "--starttls", cert, key,
                        "--reject", "weg@delta.example",
                        auth="delta:" + SECRET_D) as delta:
    config = configure("main", zeeland.port, delta.port, web=True)

    # A dry run composes everything and delivers nothing.
    code, out, err = run(["send", "--dry-run", "--now", DEMO_NOW],
                         config=config, env=ENV)
    check(code == 0 and "dry run" in out and "sent 4" in out,
          "dry run: %d %r %r" % (code, out, err))
    check(zeeland.events("message") == [] and delta.events("message") == [],
          "dry run delivered nothing")

    code, out, err = run(["send", "--now", DEMO_NOW], config=config, env=ENV)
    no_secret("send", out, err)
    check(code == EX_UNAVAILABLE, "a refused recipient: exit %d" % code)
    check("2026-11-29: sent 3, failed temporarily 0, failed permanently 1, "
          "skipped 0" in out, "summary: %r" % out)
    check(any("weg@delta.example" in line and "delta" in line and
              "550" in line for line in err.splitlines()),
          "the refusal names subscriber, provider and reply: %r" % err)

    zeeland_messages = zeeland.events("message")
    delta_messages = delta.events("message")
    check(sorted(r for e in zeeland_messages for r in e["rcpt_tos"]) ==
          ["anna@zeelandnet.example", "mila@example.org"],
          "the default provider carries mila: %r" % zeeland_messages)
    check(len({e["connection"] for e in zeeland_messages}) == 1,
          "one connection for both zeelandnet messages")
    check(all(e["tls"] for e in zeeland_messages + delta_messages),
          "all over TLS")
    expect = {
        "anna@zeelandnet.example": dict(
            subject="Buitenland vandaag \u2013 zondag 29 november 2026",
            to_name="Anna de Vries", from_addr="nieuws@zeelandnet.example",
            html=True, text_contains=["11 minuten geleden"]),
        "mila@example.org": dict(
            subject="Buitenland vandaag \u2013 Sunday 29 November 2026",
            from_addr="nieuws@zeelandnet.example", html=True,
            text_contains=["11 minutes ago"]),
        "joost@delta.example": dict(
            subject="Buitenland vandaag \u2013 zondag 29 november 2026",
            to_name="Joost Ëlsinga", from_addr="nieuws@delta.example",
            html=False, text_contains=["DELTA webmail"]),
    }
    for server in (zeeland, delta):
        for event in server.events("message"):
            recipient = event["rcpt_tos"][0]

            def signed_for_recipient(url):
                return signcheck.check_link(KEY, url, BASE_URL,
                                            "unsubscribe", recipient)
            try:
                message = mailcheck.check_message(
                    server.message_bytes(event), to_addr=recipient,
                    list_id="Test <test.example.nl>",
                    unsubscribe_mailto="afmelden@example.nl",
                    unsubscribe_url=signed_for_recipient,
                    **expect[recipient])
            except mailcheck.MailCheckError as error:
                check(False, "%s: %s" % (recipient, error))
                continue
            # The same link, signed with another key, is refused.
            found = str(message["List-Unsubscribe"])
            token = signcheck.token_of(
                signcheck.links_in(found, BASE_URL)[0], BASE_URL,
                "unsubscribe")
            check(signcheck.check_token(b"another key, 32 bytes or more!!",
                                        token, "unsubscribe") is None and
                  signcheck.check_token(KEY, token, "prefs") is None,
                  "%s: the token verifies only with its key and action" %
                  recipient)
            # Regression: the old link carried the bare address.
            check("email=" not in found and
                  recipient not in found.replace("mailto:", ""),
                  "%s: no address in the link: %r" % (recipient, found))

    # A rerun the same day sends nobody a second copy, and does not try
    # the refused address again that day.
    code, out, err = run(["send", "--now", DEMO_NOW], config=config, env=ENV)
    check("sent 0, failed temporarily 0, failed permanently 0, skipped 4"
          in out, "rerun skips: %r" % out)
    check(len(zeeland.events("message")) == 2 and
          len(delta.events("message")) == 1, "no second copies")

    # An overlapping run (the lock held, as a running send holds it) does
    # not deliver at all.
    import fcntl
    with open(os.path.join(directory, "main", "state.sqlite.lock"),
              "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        code, out, err = run(["send", "--now", "2026-11-30T09:30:00+01:00"],
                             config=config, env=ENV)
    check(code == EX_TEMPFAIL and "another digest send" in err,
          "overlapping run refused: %d %r" % (code, err))
    check(len(zeeland.events("message")) == 2, "nothing sent by it")

    # The next day, with nothing new in the feeds: no mail, no old news.
    code, out, err = run(["send", "--subscriber", "anna@zeelandnet.example",
                          "--now", "2026-11-30T09:30:00+01:00"],
                         config=config, env=ENV)
    check(code == 0 and "sent 0" in out and "nothing new 1" in out,
          "nothing new: %d %r %r" % (code, out, err))
    # One subscriber only, on a day with news: that day counts afresh.
    write(day2_feed, DAY2_ITEM)
    code, out, err = run(["send", "--subscriber", "anna@zeelandnet.example",
                          "--now", "2026-12-01T09:30:00+01:00"],
                         config=config, env=ENV)
    check(code == 0 and "sent 1" in out, "--subscriber: %d %r" % (code, out))
    last = zeeland.events("message")[-1]
    text = zeeland.message_bytes(last).decode("utf-8", "replace")
    check("Dag twee" in text and "Noorwegen" not in text,
          "only the new item went out: %r" % text[-600:])

    # A wrong password: provider trouble, named, the secret never shown.
    wrong = configure("wrong", zeeland.port, delta.port)
    connects = len(zeeland.events("connect"))
    code, out, err = run(["send", "--now", DEMO_NOW], config=wrong,
                         env={"TEST_ZEELAND_PASSWORD": "not-" + SECRET_Z})
    no_secret("wrong password", out, err)
    check(code == EX_CONFIG, "wrong password: exit %d %r" % (code, err))
    check("535" in err or "AUTH" in err, "says AUTH failed: %r" % err)
    # Regression: each of the provider's subscribers used to log in again
    # with the wrong password (an account lockout waiting to happen).
    check(len(zeeland.events("connect")) == connects + 1,
          "one failed login, not one per subscriber: %d" %
          (len(zeeland.events("connect")) - connects))
    check("sent 1, failed temporarily 0, failed permanently 3" in out,
          "wrong password summary: %r" % out)

    # A provider the config lost: a settings problem (78), not a refusal.
    # Regression: it used to exit 69 as if a server had refused the mail.
    lost = configure("lost", zeeland.port, delta.port)
    with open(lost, encoding="utf-8") as handle:
        text = handle.read()
    write(lost, text[:text.index("[provider delta]")])
    code, out, err = run(["send", "--now", DEMO_NOW], config=lost, env=ENV)
    check(code == EX_CONFIG, "lost provider: exit %d %r" % (code, err))
    check("sent 2, failed temporarily 0, failed permanently 2, skipped 0"
          in out, "lost provider summary: %r" % out)
    check("joost@delta.example" in err and "not configured" in err,
          "lost provider named: %r" % err)

    # An inactive subscriber named with --subscriber: said, not silent.
    code, out, err = run(["subscribers", "set", "anna@zeelandnet.example",
                          "--active", "no"], config=lost)
    code, out, err = run(["send", "--subscriber", "anna@zeelandnet.example",
                          "--now", "2026-11-30T09:30:00+01:00"],
                         config=lost, env=ENV)
    check(code == 0 and "skipped 1" in out and "not active" in err,
          "inactive --subscriber: %d %r %r" % (code, out, err))

    # A journal that cannot be written: nothing leaves unrecorded.  The
    # first delivery cannot even be begun, so nothing is sent at all, and
    # the rest are held back.  Regression: the old record was written
    # after the server's 250, so a full disk meant one second copy per run.
    norecord = configure("norecord", zeeland.port, delta.port)
    import sqlite3

    def sql(name, statement):
        database = sqlite3.connect(os.path.join(directory, name,
                                                "state.sqlite"))
        database.execute(statement)
        database.commit()
        database.close()

    sql("norecord", "CREATE TRIGGER no_record BEFORE INSERT ON journal "
        "BEGIN SELECT RAISE(FAIL, 'test: disk full'); END")
    before = len(zeeland.events("message")) + len(delta.events("message"))
    code, out, err = run(["send", "--now", "2026-12-01T09:30:00+01:00"],
                         config=norecord, env=ENV)
    after = len(zeeland.events("message")) + len(delta.events("message"))
    check(code == EX_IOERR, "unrecorded delivery: exit %d %r" % (code, err))
    check(after == before, "sent %d that were not recorded" %
          (after - before))
    check("sent 0, failed temporarily 4, failed permanently 0, skipped 0"
          in out, "unrecorded summary: %r" % out)
    check("journal cannot record it" in err and "4 subscribers not sent" in
          err, "unrecorded warnings: %r" % err)

    # Sent, but the outcome cannot be recorded: that delivery stays
    # uncertain, the rest are held back, and the next run does not send
    # it again.  The two providers send side by side, so each may have
    # had one message out before the journal failed: one or two.
    sql("norecord", "DROP TRIGGER no_record")
    sql("norecord", "CREATE TRIGGER no_outcome BEFORE UPDATE ON journal "
        "WHEN NEW.state = 'sent' BEGIN SELECT RAISE(FAIL, 'test: disk "
        "full'); END")
    before = after
    code, out, err = run(["send", "--now", "2026-12-01T09:30:00+01:00"],
                         config=norecord, env=ENV)
    after = len(zeeland.events("message")) + len(delta.events("message"))
    unsure = after - before
    check(code == EX_IOERR and 1 <= unsure <= 2,
          "one per provider sent, then held back: %d, %d sent %r" %
          (code, unsure, err))
    # Said of the one whose outcome failed, or of those written together.
    check(re.search(r"stays? uncertain and (is|are) not sent again", err),
          "says it stays uncertain: %r" % err)
    check(re.search(r"recording that \S+@\S+ was sent", err),
          "names the subscriber whose success was not recorded: %r" % err)
    sql("norecord", "DROP TRIGGER no_outcome")
    code, out, err = run(["send", "--now", "2026-12-01T09:30:00+01:00"],
                         config=norecord, env=ENV)
    after2 = len(zeeland.events("message")) + len(delta.events("message"))
    # Three could be sent (the fourth address is refused): the uncertain
    # ones are not sent again.
    check(code == EX_UNAVAILABLE and after2 == after + 3 - unsure,
          "the rest sent, the uncertain ones not: %d, %d sent %r %r" %
          (code, after2 - after, out, err))
    check("uncertain %d" % unsure in out, "counted as uncertain: %r" % out)
    code, out, err = run(["status", "--json"], config=norecord)
    check(code == 0 and '"uncertain"' in out, "status lists it: %r" % out)

    # A password file others may read is refused before connecting.
    unsafe = configure("unsafe", zeeland.port, delta.port)
    os.chmod(os.path.join(directory, "unsafe", "delta.pw"), 0o644)
    code, out, err = run(["send", "--now", DEMO_NOW], config=unsafe, env=ENV)
    check(code == EX_CONFIG and "chmod 600" in err,
          "unsafe password file: %d %r" % (code, err))
    code, out, err = run(["check-config"], config=unsafe, env=ENV)
    check(code == EX_CONFIG and "[provider delta] password_file" in err,
          "check-config flags it: %d %r" % (code, err))

    # A link key that cannot be read stops the run before anything is
    # sent, as a setup failure; check-config says so first.
    nokey = configure("nokey", zeeland.port, delta.port, web=True)
    os.chmod(os.path.join(directory, "nokey", "link.key"), 0o644)
    before = len(zeeland.events("message")) + len(delta.events("message"))
    code, out, err = run(["send", "--now", DEMO_NOW], config=nokey, env=ENV)
    after = len(zeeland.events("message")) + len(delta.events("message"))
    check(code == EX_CONFIG and "secret_file" in err and after == before,
          "unreadable key: %d, %d sent %r" % (code, after - before, err))
    code, out, err = run(["check-config"], config=nokey, env=ENV)
    check(code == EX_CONFIG and "[web]" in err and "chmod 600" in err,
          "check-config flags the key: %d %r" % (code, err))

    # The old unsigned link is refused, with what to use instead.
    with open(nokey, encoding="utf-8") as handle:
        text = handle.read()
    old = write(os.path.join(directory, "nokey", "old.ini"), text.replace(
        "list_id", "unsubscribe_url = https://nieuws.example.nl/af\nlist_id"))
    code, out, err = run(["check-config"], config=old, env=ENV)
    check(code == EX_CONFIG and "[mail] unsubscribe_url" in err and
          "[web] base_url" in err, "unsubscribe_url refused: %d %r" %
          (code, err))

# A server that answers 451, and one that is down: temporary failures.
with smtptest.Server(directory, "--implicit-tls", cert, key,
                     "--tempfail", "rcpt",
                     auth="zeeland:" + SECRET_Z) as busy:
    config = configure("busy", busy.port, smtptest.free_port())
    code, out, err = run(["send", "--now", DEMO_NOW], config=config, env=ENV)
    check(code == EX_TEMPFAIL, "only temporary failures: exit %d %r" %
          (code, err))
    check("failed temporarily 4" in out, "summary: %r" % out)
    check("451" in err, "the reply is reported: %r" % err)
    code, out, err = run(["send", "--now", DEMO_NOW], config=config, env=ENV)
    check("skipped 0" in out, "nothing was recorded as sent: %r" % out)

# A provider that is down: five tries, then its other subscribers are left
# for the next run instead of each waiting out a connect timeout.
config = configure("down", smtptest.free_port(), smtptest.free_port())
many = write(os.path.join(directory, "down", "many.csv"),
             "email,provider\n" + "".join(
                 "lezer%d@delta.example,delta\n" % i for i in range(8)))
code, out, err = run(["subscribers", "import", many], config=config)
check(code == 0, "import many: %d %r" % (code, err))
code, out, err = run(["send", "--subscriber", "lezer0@delta.example",
                      "--now", DEMO_NOW], config=config, env=ENV)
check(code == EX_TEMPFAIL, "one to a down server: exit %d" % code)
code, out, err = run(["send", "--now", DEMO_NOW], config=config, env=ENV)
tries = [line for line in err.splitlines() if "(provider delta)" in line]
check(code == EX_TEMPFAIL, "down provider: exit %d %r" % (code, err))
check(len(tries) == 5, "five tries on delta, got %d: %r" % (len(tries), err))
check("provider delta: 5 subscribers not tried" in err,
      "the rest are left for the next run: %r" % err)
check("failed temporarily 12" in out, "summary counts them: %r" % out)

finish()
