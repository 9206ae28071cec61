"""digest serve, every page and method end to end: sign-up with a
confirmation mail through the chosen provider's SMTP server (double
opt-in), signing up twice or when active (same page, no mail), the
preferences, the data download, the digest in the browser, unsubscribing
on the page and with RFC 8058's one-click POST (urlencoded and multipart)
and undoing it, erasing, the import that leaves an erased address out,
the operator's switches for export and erase, errors and a clean stop."""
import calendar
import json
import os
import shutil
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import DEMO_NOW, check, finish, write  # noqa: E402
import webtest  # noqa: E402

# The address as she types it, and as it is stored: the domain in lower
# case; the store and the pages take any case for the same address.
ANNA = "Anna@example.nl"
DEMO_EPOCH = calendar.timegm((2026, 11, 29, 8, 30, 0))  # DEMO_NOW

site = webtest.Site("pages")
try:
    # The sign-up form, in the browser's language or the one asked for.
    page = site.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    check(page.status == 200 and 'lang="en"' in page.text and
          "Choose your webmail" in page.text, "sign-up form in English")
    for name in ("ZeelandNet webmail", "DELTA webmail",
                 "nieuws@zeelandnet.example", "nieuws@delta.example"):
        check(name in page.text, "the form explains %s" % name)
    check(page.headers["Cache-Control"] == "no-store" and
          page.headers["Referrer-Policy"] == "same-origin" and
          "default-src 'none'" in page.headers["Content-Security-Policy"],
          "personal pages are neither cached nor referred: %r"
          % dict(page.headers))
    check("<script" not in page.text and "http" not in
          page.text.split("<body>")[0].replace(site.base, ""),
          "no script, nothing from elsewhere")
    page = site.get("/", headers={"Accept-Language": "en;q=0.5, nl"})
    check('lang="nl"' in page.text and "Kies je webmail" in page.text,
          "nl preferred")
    check('lang="en"' in site.get("/?lang=en").text, "?lang=en")
    check(webtest.http("HEAD", site.url("/")).status == 200, "HEAD /")

    def signup(address, provider="zeelandnet", language="nl", **extra):
        form = site.get("/")
        data = {"f": form.form_value("f"), "email": address,
                "provider": provider, "language": language,
                "format": "both"}
        data.update(extra)
        return site.post("/", data)

    # A new address: a pending sign-up and one mail through its provider.
    first = signup("Anna@Example.NL")
    check(first.status == 200 and "Kijk in je mailbox" in first.text,
          "sign-up answered: %d" % first.status)
    mails = webtest.wait_for_mail(site.zeeland, 1)
    check(len(mails) == 1 and mails[0][0] == ["Anna@example.nl"],
          "one confirmation mail through zeelandnet: %r" % mails)
    check(site.delta.events("message") == [], "none through delta")
    message = mails[0][1]
    check(message["From"].addresses[0].addr_spec ==
          "nieuws@zeelandnet.example" and "Bevestig" in message["Subject"],
          "confirmation from the chosen provider: %s" % message["Subject"])
    link = webtest.confirm_link(message)
    check(link and link.startswith(site.base + "/confirm?t="),
          "the mail holds the confirmation link: %r" % link)
    check(site.rows("SELECT count(*) FROM subscribers") == [(0,)],
          "not a subscriber before the confirmation")
    check(len(site.log_lines("waits for its confirmation")) == 1,
          "one log line for the sign-up")

    # The same address again: the same page, no second mail.
    again = signup("Anna@example.nl")
    check(again.text == first.text, "a pending address gets the same page")
    time.sleep(1)
    check(len(webtest.messages(site.zeeland)) == 1, "no second mail")

    # Following the link shows a button; only the POST confirms.
    shown = webtest.http("GET", link)
    check(shown.status == 200 and shown.form_value("t"), "confirm page")
    check(site.rows("SELECT count(*) FROM subscribers") == [(0,)],
          "GET confirms nothing")
    done = site.post("/confirm", {"t": shown.form_value("t")})
    check(done.status == 200 and "Je bent aangemeld" in done.text,
          "confirmed: %d" % done.status)
    row = site.rows("SELECT email, provider, active, origin, confirmed_at"
                    " FROM subscribers")
    check(len(row) == 1 and row[0][1:4] == ("zeelandnet", 1, "web") and
          row[0][4] > 0, "an active web subscriber: %r" % row)
    check(site.rows("SELECT count(*) FROM signups") == [(0,)],
          "the sign-up is gone")
    again = site.post("/confirm", {"t": shown.form_value("t")})
    check(again.status == 200, "confirming twice is fine")

    # An active address: the same page again, and no mail.
    active = signup(ANNA)
    check(active.text == first.text, "an active address gets the same page")
    time.sleep(1)
    check(len(webtest.messages(site.zeeland)) == 1, "no mail when active")

    # Sign-up mistakes: a 400 with the form, marked; nothing stored.
    before = site.dump()
    bad = signup("not an address")
    check(bad.status == 400 and 'aria-invalid="true"' in bad.text,
          "bad address: %d" % bad.status)
    bad = signup("b@example.nl", provider="kpn")
    check(bad.status == 400 and "provider-error" in bad.text, "bad webmail")
    bad = site.post("/", {"email": "b@example.nl", "provider": "delta"})
    check(bad.status == 403, "no form token: %d" % bad.status)
    form = site.get("/")
    bad = site.post("/", {"f": form.form_value("f"), "email": "c@e.nl",
                          "provider": "delta"},
                    headers={"Origin": "https://evil.example"})
    check(bad.status == 403, "another site's Origin: %d" % bad.status)
    bad = site.post("/", {"f": form.form_value("f"), "email": "c@e.nl",
                          "provider": "delta"},
                    headers={"Sec-Fetch-Site": "cross-site"})
    check(bad.status == 403, "a cross-site fetch: %d" % bad.status)
    check(site.dump() == before, "mistakes change nothing")

    # Preferences: shown, saved in one go, logged.
    prefs = site.get("/prefs?t=" + site.token("prefs", ANNA))
    check(prefs.status == 200 and ANNA in prefs.text and
          'value="zeelandnet" checked' in prefs.text, "prefs page")
    token = prefs.form_value("t")
    saved = site.post("/prefs", {"t": token, "provider": "delta",
                                 "language": "en", "format": "text",
                                 "name": "Anna de Vries"},
                      headers={"Origin": site.base})
    check(saved.status == 200 and "Saved." in saved.text and
          'lang="en"' in saved.text, "prefs saved: %d" % saved.status)
    check(site.rows("SELECT provider, language, format, name FROM"
                    " subscribers") ==
          [("delta", "en", "text", "Anna de Vries")], "choices stored")
    check(len(site.log_lines("chose provider delta")) == 1, "one log line")
    before = site.dump()
    for data, status in (({"t": token, "provider": "kpn"}, 400),
                         ({"t": token, "name": "a\x01b",
                           "provider": "delta"}, 400),
                         ({"provider": "zeelandnet"}, 400)):
        check(site.post("/prefs", data).status == status,
              "bad prefs %r" % data)
    check(site.post("/prefs", {"t": token, "provider": "zeelandnet"},
                    headers={"Origin": "http://evil.example"}).status ==
          403, "prefs from another site")
    check(site.dump() == before, "refused prefs change nothing")

    # A digest through DELTA now; the journal shows it; the browser view.
    code, out, err = site.digest("send", "--now", DEMO_NOW)
    check(code == 0 and "sent 1" in out, "send: %d %r %r" % (code, out, err))
    sent = webtest.messages(site.delta)
    check(len(sent) == 1 and sent[0][0] == [ANNA],
          "the digest went through delta: %r" % sent)
    view = site.get("/view?t=" + site.token("view", ANNA, DEMO_EPOCH))
    check(view.status == 200 and 'lang="en"' in view.text and
          "Anna de Vries" in view.text and "<li" not in view.text[:0],
          "the digest in the browser: %d" % view.status)
    text = sent[0][1].get_body(("plain",)).get_content()
    titles = [line.strip() for line in text.splitlines()
              if line.startswith("1.")]
    check(titles and titles[0][3:].strip()[:30] in view.text,
          "the view shows what the mail had: %r" % titles)
    other_day = site.get("/view?t=" + site.token("view", ANNA,
                                                 DEMO_EPOCH - 86400 * 2))
    check(other_day.status == 404, "no digest that day: %d"
          % other_day.status)

    # Your data: everything, as JSON, as a download.
    export = site.post("/export", {"t": token})
    check(export.status == 200 and
          export.headers["Content-Type"].startswith("application/json") and
          "attachment" in export.headers["Content-Disposition"],
          "export: %d %r" % (export.status, dict(export.headers)))
    data = json.loads(export.text)
    check(data["email"] == ANNA and data["provider"] == "delta" and
          data["origin"] == "web" and data["confirmed_at"] and
          len(data["deliveries"]) == 1 and
          data["deliveries"][0]["state"] == "sent" and
          data["deliveries"][0]["provider"] == "delta",
          "the export holds profile, opt-in and deliveries: %r" % data)
    check(site.get("/export").status == 405, "GET /export: 405")

    # Unsubscribe on the page, twice, and undo.
    unsub = site.link("unsubscribe", ANNA)
    page = webtest.http("GET", unsub)
    check(page.status == 200 and page.form_value("t"), "unsubscribe page")
    check(site.rows("SELECT active FROM subscribers") == [(1,)],
          "GET changes nothing")
    done = site.post("/unsubscribe", {"t": page.form_value("t")})
    check(done.status == 200 and done.form_value("t"),
          "unsubscribed, with undo: %d" % done.status)
    check(site.rows("SELECT active, unsubscribed_at IS NOT NULL FROM"
                    " subscribers") == [(0, 1)], "inactive")
    again = site.post("/unsubscribe", {"t": page.form_value("t")})
    check(again.status == 200, "idempotent")
    check(len(site.log_lines("unsubscribed (on the page)")) == 1,
          "one log line for one change")
    code, out, err = site.digest("send", "--subscriber", ANNA, "--now",
                                 DEMO_NOW)
    check("not active" in err, "send skips the address: %r" % err)
    back = site.post("/resubscribe", {"t": done.form_value("t")})
    check(back.status == 200 and site.rows(
        "SELECT active, unsubscribed_at FROM subscribers") == [(1, None)],
        "undo: %d" % back.status)
    check(site.post("/resubscribe", {"t": page.form_value("t")}).status ==
          403, "an unsubscribe token cannot resubscribe")

    # One click (RFC 8058): urlencoded, then multipart/form-data.
    one = webtest.http("POST", unsub, data=b"List-Unsubscribe=One-Click",
                       headers={"Content-Type":
                                "application/x-www-form-urlencoded"})
    check(one.status == 200 and site.rows(
        "SELECT active FROM subscribers") == [(0,)],
        "one-click unsubscribes at once: %d %r" % (one.status, one.text))
    site.post("/resubscribe", {"t": done.form_value("t")})
    boundary = "----digest-test"
    body = ("--%s\r\nContent-Disposition: form-data; name=\"List-"
            "Unsubscribe\"\r\n\r\nOne-Click\r\n--%s--\r\n"
            % (boundary, boundary)).encode()
    one = webtest.http("POST", unsub, data=body, headers={
        "Content-Type": "multipart/form-data; boundary=" + boundary})
    check(one.status == 200 and site.rows(
        "SELECT active FROM subscribers") == [(0,)],
        "one-click as multipart: %d %r" % (one.status, one.text))
    check(webtest.http("POST", unsub, data=b"List-Unsubscribe=One-Click",
                       headers={"Content-Type":
                                "application/x-www-form-urlencoded"})
          .status == 200, "one-click twice")

    # Erase: a confirmation page, then everything but the keyed hash.
    page = site.get("/erase?t=" + token)
    check(page.status == 200 and page.form_value("t"), "erase page")
    gone = site.post("/erase", {"t": token})
    check(gone.status == 200, "erased: %d" % gone.status)
    check(site.rows("SELECT count(*) FROM subscribers") == [(0,)] and
          site.rows("SELECT count(*) FROM journal") == [(0,)] and
          site.rows("SELECT count(*) FROM suppressions") == [(1,)],
          "only the suppression stays")
    hashed = site.rows("SELECT hash FROM suppressions")[0][0]
    check("anna" not in hashed and len(hashed) == 43, "a keyed hash")
    lines = site.log_lines("erased their data")
    check(len(lines) == 1 and "nna@" not in lines[0],
          "the log line does not name the address: %r" % lines)
    check(site.get("/prefs?t=" + token).status == 410, "prefs gone: 410")

    # An import leaves the erased address out, and says so.
    csv = write(os.path.join(site.directory, "subs.csv"),
                "email,provider\nANNA@EXAMPLE.nl,delta\nbob@example.nl,\n")
    code, out, err = site.digest("subscribers", "import", csv)
    check(code == 0 and "1 added" in out and "left out" in out and
          "subs.csv:2: ANNA@example.nl erased" in err,
          "import leaves anna out: %d %r %r" % (code, out, err))
    check(site.rows("SELECT email FROM subscribers") ==
          [("bob@example.nl",)], "only bob imported")
    plain = write(os.path.join(site.directory, "plain.ini"),
                  open(site.config).read().split("[web]")[0])
    code, out, err = webtest.digesttest.run(
        ["subscribers", "import", csv], config=plain)
    check(code == 78 and "erased" in err and site.rows(
        "SELECT count(*) FROM subscribers") == [(1,)],
        "without the key nothing is imported: %d %r" % (code, err))

    # Signing up again lifts the suppression.
    signup(ANNA, provider="delta")
    mails = webtest.wait_for_mail(site.delta, 2)
    link = webtest.confirm_link(mails[-1][1])
    site.post("/confirm", {"t": link.split("?t=")[1]})
    check(site.rows("SELECT count(*) FROM suppressions") == [(0,)] and
          site.rows("SELECT active FROM subscribers WHERE email = ?",
                    ANNA) == [(1,)], "back, with consent")

    # Routes and methods.
    for method, path, status in (("GET", "/nope", 404),
                                 ("DELETE", "/", 405), ("PUT", "/prefs", 405),
                                 ("GET", "/resubscribe", 405),
                                 ("POST", "/view", 405),
                                 ("GET", "/unsubscribe", 400),
                                 ("POST", "/unsubscribe", 400),
                                 ("POST", "/confirm", 400),
                                 ("GET", "/view", 400),
                                 ("POST", "/export", 400)):
        answer = webtest.http(method, site.url(path), data=b"" if method in
                              ("POST", "PUT") else None)
        check(answer.status == status, "%s %s: %d, want %d" %
              (method, path, answer.status, status))
        if status == 405:
            check(answer.headers["Allow"], "405 says what is allowed")

    check(site.stop() == 0 and any("stopped" in line for line in site.log),
          "SIGTERM stops cleanly")
finally:
    site.close()

# The operator switches export and erase off; SIGINT stops as well.
site = webtest.Site("off", web_extra="data_export = no\ndata_erase = no\n")
try:
    site.digest("subscribers", "add", ANNA)
    token = site.token("prefs", ANNA)
    prefs = site.get("/prefs?t=" + token)
    check(prefs.status == 200 and "/export" not in prefs.text and
          "/erase" not in prefs.text, "no export or erase offered")
    check(site.post("/export", {"t": token}).status == 403, "export off")
    check(site.get("/erase?t=" + token).status == 403, "erase off")
    check(site.post("/erase", {"t": token}).status == 403 and
          site.rows("SELECT count(*) FROM subscribers") == [(1,)],
          "erase off changes nothing")
    check(site.stop(signal.SIGINT) == 0, "SIGINT stops cleanly")
finally:
    site.close()

# A broken page template: check-config names it, serve does not start.
site = webtest.Site("broken", start=False)
try:
    check(site.digest("check-config")[0] == 0, "check-config passes")
    copy = os.path.join(site.directory, "templates")
    shutil.copytree(os.path.join(webtest.digesttest.SRC, "templates"), copy)
    with open(os.path.join(copy, "web", "prefs.html.mustache"), "a") as f:
        f.write("{{#unclosed}}\n")
    text = open(site.config).read()
    write(site.config, text.replace(
        "templates = " + os.path.join(webtest.digesttest.SRC, "templates"),
        "templates = " + copy))
    code, out, err = site.digest("check-config")
    check(code == 78 and "prefs.html.mustache" in err,
          "check-config names the page: %d %r" % (code, err))
    code, out, err = site.digest("serve", timeout=20)
    check(code == 78 and "prefs.html.mustache" in err,
          "serve refuses to start: %d %r" % (code, err))
finally:
    site.close()
finish()
