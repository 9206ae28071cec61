"""Each subscriber's one-click unsubscribe URL: the configured base with the
address as an escaped query parameter, added with '?' to a base without a
query and with '&' to one that has a query already, in the
List-Unsubscribe header of the exact message (`digest preview --format
eml`) and in the text part.

Found by scripts/mutate (issue 7): every test used a base without a query,
so a second '?' (https://example.nl/af?list=b?email=...), which sends the
address to the wrong parameter, went unnoticed."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import (DEMO_NOW, check, demo_config_text, finish, run,
                        tempdir, write)
import mailcheck

directory = tempdir()
BASES = {
    "plain": ("https://nieuws.example.nl/afmelden",
              "https://nieuws.example.nl/afmelden?email="),
    "query": ("https://nieuws.example.nl/afmelden?lijst=buitenland",
              "https://nieuws.example.nl/afmelden?lijst=buitenland&email="),
}
ADDRESS = "o'brien+nieuws@example.org"
ESCAPED = "o%27brien%2Bnieuws%40example.org"

for name, (base, want_prefix) in BASES.items():
    text = demo_config_text(os.path.join(directory, name))
    text = text.replace("list_id", "unsubscribe_url = %s\nlist_id" % base)
    os.makedirs(os.path.join(directory, name))
    config = write(os.path.join(directory, name, "digest.ini"), text)
    csv = write(os.path.join(directory, name, "subs.csv"),
                "email,name,language,format\n%s,Pat O'Brien,en,text\n"
                % ADDRESS)
    code, out, err = run(["subscribers", "import", csv], config=config)
    check(code == 0, "%s: import %d %r" % (name, code, err))
    code, out, err = run(["preview", "--format", "eml", "--subscriber",
                          ADDRESS, "--now", DEMO_NOW], config=config)
    check(code == 0, "%s: preview %d %r" % (name, code, err))
    want = want_prefix + ESCAPED
    try:
        mailcheck.check_message(
            out.encode("utf-8"), to_addr=ADDRESS, html=False,
            unsubscribe_mailto="afmelden@example.nl", unsubscribe_url=want,
            text_contains=[want])
    except mailcheck.MailCheckError as error:
        check(False, "%s: %s" % (name, error))

finish()
