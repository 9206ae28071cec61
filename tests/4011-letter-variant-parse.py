"""4011-letter-variant-parse: the pairs of letters of 4010-letter-variant
(one built whole, one rendered once per variant) parsed back with Python's
email package: both are valid MIME without defects, every line ends in
CRLF within 998 bytes, and they carry the same headers (but the Message-ID
and the boundary), the same parts with the same headers and the same
decoded text."""

import glob
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import mailcheck  # noqa: E402

failures = 0


def fail(name, what):
    global failures
    failures += 1
    if failures <= 20:
        print("%s: %s" % (name, what), file=sys.stderr)


def headers_of(part):
    """The part's headers as (name, value) pairs, the boundary blanked."""
    pairs = []
    for name, value in part.raw_items():
        value = " ".join(str(value).split())
        if name.lower() == "message-id":
            value = "ID"
        value = re.sub(r'boundary="[^"]*"', 'boundary="B"', value)
        pairs.append((name, value))
    return pairs


def parts_of(message):
    if message.is_multipart():
        return list(message.iter_parts())
    return [message]


def compare(name, old_raw, new_raw):
    messages = []
    for label, raw in (("old", old_raw), ("new", new_raw)):
        try:
            mailcheck.check_raw(raw)
        except mailcheck.MailCheckError as error:
            fail(name, "%s: %s" % (label, error))
        message = mailcheck.parse(raw)
        if message.defects:
            fail(name, "%s: defects %r" % (label, message.defects))
        messages.append(message)
    old, new = messages
    if headers_of(old) != headers_of(new):
        fail(name, "headers differ:\n%r\n%r" % (headers_of(old),
                                                  headers_of(new)))
    # Both the decoded To and the decoded text, as a reader sees them.
    if str(old["To"]) != str(new["To"]):
        fail(name, "To %r, want %r" % (str(new["To"]), str(old["To"])))
    old_parts, new_parts = parts_of(old), parts_of(new)
    if len(old_parts) != len(new_parts):
        fail(name, "%d parts, want %d" % (len(new_parts), len(old_parts)))
        return
    for old_part, new_part in zip(old_parts, new_parts):
        if headers_of(old_part) != headers_of(new_part):
            fail(name, "part headers differ: %r, %r" % (
                headers_of(old_part), headers_of(new_part)))
        if old_part.get_content() != new_part.get_content():
            fail(name, "%s text differs" % old_part.get_content_type())
        if (old_part.get_payload(decode=True) !=
                new_part.get_payload(decode=True)):
            fail(name, "%s bytes differ" % old_part.get_content_type())


with tempfile.TemporaryDirectory() as outdir:
    tool = os.path.join(os.environ["DIGEST_TEST_BIN"], "4010-letter-variant")
    subprocess.run([tool, outdir], check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, DIGEST_TEST_DATA=os.path.join(
                       os.environ["DIGEST_SRC"], "tests", "data")))
    olds = sorted(glob.glob(os.path.join(outdir, "*-old.eml")))
    if len(olds) < 1000:
        fail("4010", "only %d pairs written" % len(olds))
    for old_path in olds:
        new_path = old_path[:-len("-old.eml")] + "-new.eml"
        with open(old_path, "rb") as handle:
            old_raw = handle.read()
        with open(new_path, "rb") as handle:
            new_raw = handle.read()
        compare(os.path.basename(old_path)[:4], old_raw, new_raw)

if failures:
    print("%d failure(s)" % failures, file=sys.stderr)
    sys.exit(1)
