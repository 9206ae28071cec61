"""5012-transport-stdout: messages on standard output as an mboxrd stream;
each entry parses back, and a body line "From here on" is quoted."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import mailcheck  # noqa: E402
import smtptest  # noqa: E402

check = smtptest.Checker("5012-transport-stdout")
tool = os.path.join(os.environ["DIGEST_TEST_BIN"], "5001-transport")
rcpts = ["anna@example.nl", "ella.unal@example.nl"]
out = subprocess.run([tool, "stdout", smtptest.SENDER] + rcpts,
                     stdout=subprocess.PIPE, check=True).stdout
check.expect(b"\r" not in out, "CR in mbox output")
entries = re.split(rb"(?m)^From (?=\S+@\S+ \w{3} \w{3} [ \d]\d )", out)
check.expect(entries[0] == b"", "text before the first From line")
entries = entries[1:]
check.expect(len(entries) == len(rcpts), "%d entries" % len(entries))
for entry, rcpt in zip(entries, rcpts):
    head, _, body = entry.partition(b"\n")
    check.expect(head.startswith(smtptest.SENDER.encode() + b" "),
                 "From line %r" % head)
    check.expect(body.endswith(b"\n\n"), "entry not ended by a blank line")
    # Undo mboxrd quoting and go back to CRLF for the checker.
    lines = body[:-1].split(b"\n")
    lines = [line[1:] if re.match(rb">+From ", line) else line
             for line in lines]
    raw = b"\r\n".join(lines)
    check.expect(b"\n>From here on" in body or b"=\n>From" in body or
                 b">From here on" in body, "From line not quoted")
    try:
        mailcheck.check_message(raw, subject=smtptest.SUBJECT, to_addr=rcpt,
                                text_contains=("\nFrom here on\n",))
    except mailcheck.MailCheckError as error:
        check.expect(False, "%s: %s" % (rcpt, error))
check.finish()
