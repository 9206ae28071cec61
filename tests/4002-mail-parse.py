"""4002-mail-parse: compose messages with the C driver 4001-mail-compose and
parse them back with Python's email package."""

import email.header
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import mailcheck  # noqa: E402

SUBJECT = "Buitenland vandaag \u2013 zondag 29 november"
URL = ("https://nieuws.example.nl/afmelden?token=abcdef0123456789"
       "abcdef0123456789abcdef0123456789")
LIST_ID_UTF8 = ("Nieuws uit Z\u00fcrich \u2013 \u00e9\u00e9n lijst "
                "<zurich.example.nl>")
failures = 0


def check(name, raw, **kwargs):
    global failures
    try:
        return mailcheck.check_message(raw, **kwargs)
    except mailcheck.MailCheckError as error:
        print("%s: %s" % (name, error), file=sys.stderr)
        failures += 1
    return None


def expect(name, condition, what):
    global failures
    if not condition:
        print("%s: %s" % (name, what), file=sys.stderr)
        failures += 1


with tempfile.TemporaryDirectory() as outdir:
    tool = os.path.join(os.environ["DIGEST_TEST_BIN"], "4001-mail-compose")
    subprocess.run([tool, outdir], check=True)

    def read(name):
        with open(os.path.join(outdir, name + ".eml"), "rb") as f:
            return f.read()

    msg = check("full", read("full"), subject=SUBJECT,
                to_addr="ella.unal@example.nl", to_name="\u00cblla \u00dcnal",
                from_addr="nieuws@zeelandnet.nl",
                from_name="ZeelandNet webmail",
                list_id="Buitenland digest <buitenland.example.nl>",
                unsubscribe_mailto="afmelden@example.nl",
                unsubscribe_url=URL,
                text_contains=("Caf\u00e9 in Z\u00fcrich",
                               "\u201ebeste koffie\u201d"),
                html_contains=("<h1>Buitenland vandaag \u2013 zondag",
                               "utm_source=digest&amp;"))
    if msg is not None:
        date = msg["Date"].datetime
        expect("full", date.utcoffset().total_seconds() == 3600,
               "Date not in +0100: %s" % msg["Date"])
        expect("full", (date.hour, date.day) == (7, 29), "Date %s" % date)
        for part in msg.iter_parts():
            expect("full", part["Content-Transfer-Encoding"] ==
                   "quoted-printable", "non-ASCII part not QP")

    msg = check("text-only", read("text-only"), subject=SUBJECT, html=False,
                to_addr="ella.unal@example.nl", to_name="\u00cblla \u00dcnal",
                unsubscribe_mailto="afmelden@example.nl",
                text_contains=("Z\u00fcrich",))
    if msg is not None:
        expect("text-only", msg["Date"].datetime.utcoffset().total_seconds()
               == 0, "Date not UTC")

    msg = check("ascii", read("ascii"), subject="Plain ASCII subject",
                to_addr="ella.unal@example.nl",
                text_contains=("Short ASCII lines only.\nFrom here on.\n",))
    if msg is not None:
        expect("ascii", msg["List-Id"] is None, "List-Id present")
        expect("ascii", msg["List-Unsubscribe"] is None,
               "List-Unsubscribe present")
        for part in msg.iter_parts():
            expect("ascii", part["Content-Transfer-Encoding"] == "7bit",
                   "ASCII part not 7bit")

    # Regression (issue 7): a non-ASCII List-Id was once written raw.  It
    # must be 7-bit encoded words (RFC 2047) that decode to what was given,
    # with the list's identifier between the angle brackets left readable.
    raw = read("list-id-utf8")
    msg = check("list-id-utf8", raw, subject=SUBJECT,
                list_id=LIST_ID_UTF8)
    fields = [line for line in raw.split(b"\r\n\r\n", 1)[0].replace(
        b"\r\n ", b" ").replace(b"\r\n\t", b" ").split(b"\r\n")
        if line.lower().startswith(b"list-id:")]
    expect("list-id-utf8", len(fields) == 1, "List-Id fields: %r" % fields)
    if fields:
        value = fields[0][len(b"list-id:"):].strip()
        expect("list-id-utf8", all(byte < 0x80 for byte in value),
               "List-Id not 7-bit: %r" % value)
        expect("list-id-utf8", b"=?" in value and
               value.endswith(b"<zurich.example.nl>"),
               "List-Id not encoded words before <id>: %r" % value)
        decoded = str(email.header.make_header(email.header.decode_header(
            value.decode("ascii", "replace"))))
        expect("list-id-utf8", decoded == LIST_ID_UTF8,
               "List-Id decodes to %r" % decoded)

    msg = check("long-line", read("long-line"), subject=SUBJECT)
    if msg is not None:
        for part in msg.iter_parts():
            expect("long-line", part["Content-Transfer-Encoding"] ==
                   "quoted-printable", "long line not QP")
            expect("long-line", mailcheck.text_of(part) == "word " * 600 + "\n",
                   "long line changed in transit")

    # Names that look like headers or encoded words read as the text they
    # are, and add no header.
    msg = check("newline-name", read("newline-name"), subject=SUBJECT,
                to_addr="ella.unal@example.nl",
                to_name="Ella  Bcc: x@example.nl")
    if msg is not None:
        expect("newline-name", msg["Bcc"] is None, "a Bcc header appeared")
    raw = read("encoded-name")
    msg = check("encoded-name", raw, subject=SUBJECT,
                to_addr="ella.unal@example.nl",
                to_name="=?utf-8?q?x=0D=0ABcc:_evil@example.org?=",
                from_addr="nieuws@zeelandnet.nl",
                from_name="Nieuws =?iso-8859-1?q?caf=E9?= \u00ebn meer, "
                          "een heel lange naam die over de regel gaat")
    if msg is not None:
        expect("encoded-name", msg["Bcc"] is None, "a Bcc header appeared")
        expect("encoded-name", all(len(line) <= 998 for line in
                                   raw.split(b"\r\n\r\n")[0].split(b"\r\n")),
               "a header line is longer than 998")

sys.exit(1 if failures else 0)
