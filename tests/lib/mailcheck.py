"""Parse a composed digest message back with Python's email package and
check what mail.c promises: headers, part order, charsets, line ends."""

import email.parser
import email.policy
import re


class MailCheckError(AssertionError):
    pass


def _expect(condition, message):
    if not condition:
        raise MailCheckError(message)


def check_raw(raw):
    """Every line ends in CRLF and is at most 998 bytes long."""
    _expect(raw.endswith(b"\r\n"), "message does not end in CRLF")
    lines = raw.split(b"\r\n")
    for number, line in enumerate(lines, 1):
        _expect(b"\n" not in line and b"\r" not in line,
                "bare CR or LF in line %d" % number)
        _expect(len(line) <= 998, "line %d has %d bytes" % (number, len(line)))
    header_block = raw.split(b"\r\n\r\n", 1)[0]
    _expect(max(header_block) < 0x80, "8-bit bytes in the header")


def parse(raw):
    return email.parser.BytesParser(policy=email.policy.default).parsebytes(
        raw)


def text_of(part):
    """The decoded text of a part with CRLF turned back into LF."""
    return part.get_content().replace("\r\n", "\n")


def check_message(raw, subject=None, to_addr=None, to_name=None,
                  from_addr=None, from_name=None, html=True, list_id=None,
                  unsubscribe_mailto=None, unsubscribe_url=None,
                  text_contains=(), html_contains=()):
    """Checks one message; raises MailCheckError naming the first problem.
    Returns the parsed message."""
    check_raw(raw)
    msg = parse(raw)
    _expect(not msg.defects, "defects: %r" % msg.defects)
    _expect(msg["MIME-Version"] == "1.0", "MIME-Version %r" % msg["MIME-Version"])
    _expect(msg["Date"] is not None and msg["Date"].datetime is not None,
            "no parseable Date")
    mid = msg["Message-ID"]
    _expect(mid is not None and re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>",
                                             str(mid)),
            "Message-ID %r" % mid)
    for name in ("From", "To", "Subject", "Date", "Message-ID",
                 "MIME-Version", "List-Id", "List-Unsubscribe",
                 "List-Unsubscribe-Post"):
        _expect(len(msg.get_all(name, [])) <= 1, "%s appears twice" % name)
    if subject is not None:
        _expect(str(msg["Subject"]) == subject,
                "Subject %r, want %r" % (str(msg["Subject"]), subject))
    if to_addr is not None:
        addrs = msg["To"].addresses
        _expect(len(addrs) == 1 and addrs[0].addr_spec == to_addr,
                "To %r" % str(msg["To"]))
        if to_name is not None:
            _expect(addrs[0].display_name == to_name,
                    "To name %r, want %r" % (addrs[0].display_name, to_name))
    if from_addr is not None:
        addrs = msg["From"].addresses
        _expect(len(addrs) == 1 and addrs[0].addr_spec == from_addr,
                "From %r" % str(msg["From"]))
        if from_name is not None:
            _expect(addrs[0].display_name == from_name,
                    "From name %r" % addrs[0].display_name)
    if list_id is not None:
        _expect(str(msg["List-Id"]) == list_id, "List-Id %r" % msg["List-Id"])
    if unsubscribe_mailto is not None or unsubscribe_url is not None:
        value = " ".join(str(msg["List-Unsubscribe"] or "").split())
        uris = re.findall(r"<([^<>]*)>", value)
        want = []
        if unsubscribe_mailto is not None:
            want.append("mailto:%s?subject=unsubscribe" % unsubscribe_mailto)
        if unsubscribe_url is not None:
            want.append(unsubscribe_url)
        # A callable stands for a link that differs by message (a signed
        # one): it says whether the URI found is right.
        if callable(unsubscribe_url):
            _expect(len(uris) == len(want) and uris[:-1] == want[:-1] and
                    unsubscribe_url(uris[-1]),
                    "List-Unsubscribe %r" % uris)
        else:
            _expect(uris == want,
                    "List-Unsubscribe %r, want %r" % (uris, want))
        if unsubscribe_url is not None:
            _expect(msg["List-Unsubscribe-Post"] ==
                    "List-Unsubscribe=One-Click",
                    "List-Unsubscribe-Post %r" % msg["List-Unsubscribe-Post"])
        else:
            _expect(msg["List-Unsubscribe-Post"] is None,
                    "one-click header without an https URL")
    if html:
        _expect(msg.get_content_type() == "multipart/alternative",
                "top type %s" % msg.get_content_type())
        parts = list(msg.iter_parts())
        _expect([p.get_content_type() for p in parts] ==
                ["text/plain", "text/html"],
                "parts %r" % [p.get_content_type() for p in parts])
    else:
        _expect(msg.get_content_type() == "text/plain",
                "top type %s" % msg.get_content_type())
        parts = [msg]
    for part in parts:
        _expect(part.get_content_charset() == "utf-8",
                "%s charset %r" % (part.get_content_type(),
                                   part.get_content_charset()))
        _expect(part["Content-Transfer-Encoding"] in
                ("7bit", "quoted-printable"),
                "encoding %r" % part["Content-Transfer-Encoding"])
        body = part.get_content()
        if part["Content-Transfer-Encoding"] == "7bit":
            _expect(all(ord(c) < 0x80 for c in body), "8-bit text as 7bit")
    for needle in text_contains:
        _expect(needle in text_of(parts[0]),
                "text part lacks %r" % needle)
    for needle in html_contains:
        _expect(html and needle in text_of(parts[1]),
                "html part lacks %r" % needle)
    return msg
