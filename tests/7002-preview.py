"""digest preview: text and HTML in Dutch and English at a fixed --now, one
subscriber's exact message with --format eml, and errors that print nothing
partial."""
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import (DEMO_NOW, SRC, check, demo_config_text, finish, run,
                        tempdir, write)
import mailcheck

EX_USAGE, EX_NOUSER, EX_CONFIG = 64, 67, 78
directory = tempdir()
config = write(os.path.join(directory, "demo.ini"),
               demo_config_text(directory))

code, out, err = run(["preview", "--now", DEMO_NOW], config=config)
check(code == 0 and err == "", "text preview: %d %r" % (code, err))
check("11 minuten geleden" in out, "Dutch relative time in text")
check("gisteren" in out, "gisteren in text")
check("zondag 29 november 2026" in out, "Dutch long date")
check("&amp;" not in out and "<p>" not in out, "text has no HTML")
check(all(len(line) <= 72 or line.startswith("http") or "://" in line
          for line in out.splitlines()), "text wrapped at 72 columns")
check("Sport" not in out and "Poolse" not in out, "filtered items absent")

code, out, err = run(["preview", "--lang", "en", "--now", DEMO_NOW],
                     config=config)
check(code == 0 and "11 minutes ago" in out and "yesterday" in out,
      "English preview: %d %r" % (code, out[:300]))
check("Sunday 29 November 2026" in out, "English long date")

code, html, err = run(["preview", "--format", "html", "--now", DEMO_NOW],
                      config=config)
check(code == 0 and html.lstrip().lower().startswith("<!doctype html"),
      "HTML preview starts with a doctype: %d" % code)
check("<script" not in html.lower(), "HTML has no script")
check("11 minuten geleden" in html, "HTML relative time")
check("trackVisit" not in html, "the feed's script text is gone")

# Without --now the clock is used: the demo items are then old, but the
# command still works (it may list nothing).
code, out, err = run(["preview"], config=config)
check(code == 0, "preview without --now: %d %r" % (code, err))

# Usage errors.
for args in (["preview", "--format", "pdf"], ["preview", "--lang", "de"],
             ["preview", "--format", "eml"], ["preview", "--now", "today"],
             ["preview", "--now", "2026-02-31T09:00:00Z"],
             ["preview", "extra"]):
    code, out, err = run(args, config=config)
    check(code == EX_USAGE and out == "", "%r: exit %d" % (args, code))

# One subscriber's message, exactly as send would build it.
csv = write(os.path.join(directory, "subs.csv"),
            "email,name,provider,language,format\n"
            "ella@delta.example,Ëlla Ünal,delta,nl,both\n"
            "tom@example.org,Tom Baker,,en,text\n")
code, out, err = run(["subscribers", "import", csv], config=config)
check(code == 0, "import: %d %r" % (code, err))
code, out, err = run(["preview", "--format", "eml", "--subscriber",
                      "ella@delta.example", "--now", DEMO_NOW], config=config)
check(code == 0, "eml preview: %d %r" % (code, err))
try:
    mailcheck.check_message(
        out.encode("utf-8"),
        subject="Buitenland vandaag \u2013 zondag 29 november 2026",
        to_addr="ella@delta.example", to_name="Ëlla Ünal",
        from_addr="nieuws@delta.example", from_name="DELTA Nieuws",
        html=True, list_id="Test <test.example.nl>",
        unsubscribe_mailto="afmelden@example.nl",
        text_contains=["11 minuten geleden", "DELTA webmail"],
        html_contains=["11 minuten geleden"])
except mailcheck.MailCheckError as error:
    check(False, "eml preview: %s" % error)
code, out, err = run(["preview", "--format", "eml", "--subscriber",
                      "TOM@Example.ORG", "--now", DEMO_NOW], config=config)
try:
    mailcheck.check_message(
        out.encode("utf-8"),
        subject="Buitenland vandaag \u2013 Sunday 29 November 2026",
        to_addr="tom@example.org", from_addr="nieuws@zeelandnet.example",
        html=False, text_contains=["11 minutes ago"])
except mailcheck.MailCheckError as error:
    check(False, "text-only subscriber on the default provider: %s" % error)
code, out, err = run(["preview", "--format", "eml", "--subscriber",
                      "nobody@example.org"], config=config)
check(code == EX_NOUSER and "nobody@example.org" in err and out == "",
      "unknown subscriber: %d %r" % (code, err))

# After a send, a subscriber's preview holds only what they have not had:
# nothing, the same day, with a word on stderr saying so.
code, out, err = run(["preview", "--subscriber", "ella@delta.example",
                      "--now", DEMO_NOW], config=config)
check(code == 0 and "Noorwegen" in out, "before send: %d %r" % (code, err))
code, out, err = run(["send", "--now", DEMO_NOW], config=config)
check(code == 0, "send: %d %r" % (code, err))
code, out, err = run(["preview", "--subscriber", "ella@delta.example",
                      "--now", DEMO_NOW], config=config)
check(code == 0 and "Noorwegen" not in out and "nothing new" in err,
      "after send: %d %r %r" % (code, out[-300:], err))
code, out, err = run(["preview", "--now", DEMO_NOW], config=config)
check(code == 0 and "Noorwegen" in out, "anonymous: every item: %d" % code)

# A broken template: a clear error naming the file and line, and nothing
# partial on stdout.
templates = os.path.join(directory, "templates")
shutil.copytree(os.path.join(SRC, "templates"), templates)
with open(os.path.join(templates, "digest.txt.mustache"), "a") as handle:
    handle.write("\n{{#items}}never closed\n")
broken = write(os.path.join(directory, "broken.ini"),
               demo_config_text(directory).replace(
                   "templates = %s/templates" % SRC,
                   "templates = %s" % templates))
code, out, err = run(["preview", "--now", DEMO_NOW], config=broken)
check(code == EX_CONFIG and out == "", "broken template: exit %d" % code)
check("digest.txt.mustache:" in err and "items" in err,
      "names file, line and section: %r" % err)
code, out, err = run(["check-config"], config=broken)
check(code == EX_CONFIG and "digest.txt.mustache:" in err,
      "check-config sees the broken template: %d %r" % (code, err))

# Regression: a partial is read only when a render reaches it, so
# check-config passed a broken item partial and every send then failed.
# It now renders a sample digest, so it names the partial's file and line.
shutil.copy(os.path.join(SRC, "templates", "digest.txt.mustache"), templates)
code, out, err = run(["check-config"], config=broken)
check(code == 0, "check-config with the templates repaired: %d %r"
      % (code, err))
for partial in ("item.txt.mustache", "item.html.mustache"):
    path = os.path.join(templates, partial)
    shutil.copy(os.path.join(SRC, "templates", partial), path)
    with open(path, "a") as handle:
        handle.write("\n{{#oops}}\n")
    code, out, err = run(["check-config"], config=broken)
    check(code == EX_CONFIG and partial + ":" in err and "oops" in err
          and broken in err,
          "check-config sees the broken partial %s: %d %r"
          % (partial, code, err))
    shutil.copy(os.path.join(SRC, "templates", partial), path)

finish()
