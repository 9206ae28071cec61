"""digest check-config: the sample config is valid; every kind of mistake is
one line naming file, section and key, and exit code EX_CONFIG (78)."""
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import (DEMO_NOW, SRC, check, demo_config_text, finish, run,
                        tempdir, write)

EX_USAGE, EX_NOINPUT, EX_CONFIG = 64, 66, 78

sample = os.path.join(SRC, "config", "digest.ini")
# The sample keeps its state in var/, which scripts/demo makes.
os.makedirs(os.path.join(SRC, "var"), exist_ok=True)
code, out, err = run(["check-config"], config=sample)
check(code == 0, "sample config: exit %d, stderr %r" % (code, err))
check("ok" in out, "sample config: says ok: %r" % out)

# $DIGEST_CONFIG is used when --config is absent.
code, out, err = run(["check-config"], env={"DIGEST_CONFIG": sample})
check(code == 0, "DIGEST_CONFIG: exit %d %r" % (code, err))

directory = tempdir()
good = demo_config_text(directory)
path = write(os.path.join(directory, "good.ini"), good)
code, out, err = run(["check-config"], config=path)
check(code == 0, "test config valid: %d %r" % (code, err))


def bad(name, text, expected_lines):
    """Writes text as a config and expects exit 78 and each line fragment."""
    config = write(os.path.join(directory, name + ".ini"), text)
    code, out, err = run(["check-config"], config=config)
    check(code == EX_CONFIG, "%s: exit %d, want 78; stderr %r" %
          (name, code, err))
    lines = err.splitlines()
    for fragment in expected_lines:
        check(any(fragment in line and config in line for line in lines),
              "%s: no stderr line with %r and the file name in %r" %
              (name, fragment, err))


# A key set twice: iniparser would keep the last without a word.
bad("duplicate-key", good.replace("max_items = 10",
                                  "max_items = 10\nmax_age = 36h\n"
                                  "Max_Items = 20"),
    ["[digest] max_items: set twice (lines 5 and 7)",
     "[digest] max_age: set twice (lines 6 and 8)"])
# The state database's directory must exist and be writable.
bad("no-state-dir", good.replace("state = %s/state.sqlite" % directory,
                                 "state = %s/nope/state.sqlite" % directory),
    ["[digest] state: the directory %s/nope does not exist" % directory])
bad("bad-choice", good.replace("retries = 0", "retries = 0\nuncertain = "
                               "maybe"),
    ['[mail] uncertain: "maybe" is not one of skip, resend'])
bad("unknown-section", good + "\n[colour]\nred = 1\n",
    ["[colour]: unknown section"])
bad("unknown-key", good.replace("max_items = 10",
                                "max_items = 10\nmax_itmes = 5"),
    ["[digest] max_itmes: unknown key"])
bad("password-key", good.replace("tls = starttls",
                                 "tls = starttls\npassword = s3cret"),
    ["[provider delta] password: unknown key: a password never goes in"])
bad("missing-title", good.replace("title = Buitenland vandaag\n", ""),
    ["[digest] title: missing"])
bad("bad-number", good.replace("max_items = 10", "max_items = ten"),
    ["[digest] max_items: \"ten\" is not a whole number"])
bad("number-range", good.replace("max_items = 10", "max_items = 0"),
    ["[digest] max_items:"])
bad("bad-duration", good.replace("max_age = 48h", "max_age = 2 weeks"),
    ["[digest] max_age:"])
bad("bad-language", good.replace("language = nl", "language = fr"),
    ["[digest] language: \"fr\""])
bad("bad-zone", good.replace("Europe/Amsterdam", "Europe/Atlantis"),
    ["[digest] timezone:"])
bad("bad-source-url", good.replace("url = file://", "url = gopher://"),
    ["[source nzw-buitenland] url:"])
bad("no-scheme", good.replace("url = file://", "url = "),
    ["url:"])
# A URL holding credentials is refused, and the password is never echoed.
config = write(os.path.join(directory, "userinfo.ini"),
               good.replace("smtps://127.0.0.1:1",
                            "smtps://bob:Hunter2secret@127.0.0.1:1"))
code, out, err = run(["check-config"], config=config)
check(code == EX_CONFIG and "[provider zeelandnet] smtp_url: holds a user"
      in err and "Hunter2secret" not in err,
      "credentials in smtp_url: %d %r" % (code, err))
bad("bad-smtp-url", good.replace("smtps://127.0.0.1:1", "http://x"),
    ["[provider zeelandnet] smtp_url:"])
bad("tls-mismatch", good.replace("tls = implicit", "tls = starttls"),
    ["[provider zeelandnet] tls:"])
bad("tls-mismatch2", good.replace("tls = starttls", "tls = implicit"),
    ["[provider delta] tls: implicit TLS needs an smtps:// URL"])
bad("bad-tls", good.replace("tls = starttls", "tls = maybe"),
    ["[provider delta] tls: \"maybe\""])
bad("bad-from", good.replace("from = nieuws@delta.example", "from = nieuws"),
    ["[provider delta] from:"])
bad("missing-from", good.replace("from = nieuws@delta.example\n", ""),
    ["[provider delta] from: missing"])
bad("user-no-password", good.replace("tls = starttls",
                                     "tls = starttls\nuser = someone"),
    ["[provider delta] user: AUTH needs password_env or password_file"])
bad("unknown-default", good.replace("default_provider = zeelandnet",
                                    "default_provider = kpn"),
    ["[mail] default_provider: \"kpn\" is not a configured provider"])
bad("bad-transport", good.replace("transport = maildir",
                                  "transport = pigeon"),
    ["[mail] transport:"])
# The old unsigned unsubscribe link is refused, saying what replaced it.
bad("old-unsub-url", good.replace("list_id", "unsubscribe_url = https://"
                                  "example.nl/u\nlist_id"),
    ["[mail] unsubscribe_url: no longer used", "[web] base_url"])
# Each provider may speak in its own name; what it says is checked there.
bad("provider-voice", good.replace(
    "from_name = DELTA Nieuws",
    "from_name = DELTA Nieuws\nlist_id = DELTA nieuws\n"
    "unsubscribe_mailto = afmelden at delta\nfooter = " + "lang " * 120),
    ['[provider delta] list_id: "DELTA nieuws" is not a list',
     '[provider delta] unsubscribe_mailto: "afmelden at delta" is not',
     "[provider delta] footer: must be one line of UTF-8"])
bad("mail-list-id", good.replace("list_id = Test <test.example.nl>",
                                 "list_id = Test <test..example.nl>"),
    ['[mail] list_id: "Test <test..example.nl>" is not a list'])
code, out, err = run(["check-config"], config=write(
    os.path.join(directory, "voice.ini"), good.replace(
        "from_name = DELTA Nieuws",
        "from_name = DELTA Nieuws\nlist_id = DELTA <nieuws.delta.example>\n"
        "unsubscribe_mailto = afmelden@delta.example\n"
        "footer = DELTA \u00b7 Postbus 5048 \u00b7 Middelburg")))
check(code == 0, "a provider's own voice is valid: %d %r" % (code, err))
# [web] base_url needs a key; a key file others may read is refused.
key = write(os.path.join(directory, "link.key"), "k" * 40 + "\n", 0o644)
bad("web-key-mode", good + "\n[web]\nbase_url = https://example.nl/d\n"
    "secret_file = %s\n" % key, ["[web]: secret_file %s may be read by "
                                 "others" % key])
bad("web-no-key", good + "\n[web]\nbase_url = https://example.nl/d\n",
    ["[web] secret_file: missing"])
for name, url in (("web-query", "https://example.nl/d?x=1"),
                  ("web-fragment", "https://example.nl/d#top")):
    # Quoted: iniparser would take an unquoted # as a comment.
    bad(name, good + "\n[web]\nbase_url = \"%s\"\n" % url,
        ["[web] base_url: \"%s\" must not hold a query or fragment" % url])
bad("bad-size", good + "\n[fetch]\nmax_size = huge\n",
    ["[fetch] max_size:"])
bad("bad-tolerance", good + "\n[fetch]\nfuture_tolerance = soon\n",
    ["[fetch] future_tolerance:"])
bad("tolerance-range", good + "\n[fetch]\nfuture_tolerance = 30d\n",
    ["[fetch] future_tolerance:"])
bad("no-sources", "\n".join(line for line in good.splitlines()
                             if not line.startswith("url") and
                             not line.startswith("[source") and
                             not line.startswith("category")),
    ["no news source configured"])
# Several problems at once: all are reported, one line each.
bad("several", good.replace("max_items = 10", "max_items = -1")
    .replace("language = nl", "language = xx"),
    ["[digest] max_items:", "[digest] language:"])

# A partial that the operator's templates name but that does not exist
# renders as nothing when sending (the mustache spec), so check-config is
# where the typo must surface: one line naming the config, the template file
# and line, and the partial.
templates = os.path.join(directory, "typo-templates")
shutil.copytree(os.path.join(SRC, "templates"), templates)
html_template = os.path.join(templates, "digest.html.mustache")
with open(html_template, encoding="utf-8") as handle:
    html_lines = handle.read().split("\n")
typo_line = html_lines.index("{{> footer.html}}") + 1
html_lines[typo_line - 1] = "{{> footer.htm}}"
write(html_template, "\n".join(html_lines))
typo_config = good.replace("templates = %s/templates" % SRC,
                           "templates = %s" % templates)
check(typo_config != good, "the test config names the template directory")
bad("missing-partial", typo_config,
    ["[digest] templates: %s:%d: partial 'footer.htm' not found" %
     (html_template, typo_line)])
# The same templates still render: without the footer, and without error.
config = write(os.path.join(directory, "missing-partial.ini"), typo_config)
code, out, err = run(["preview", "--format", "html", "--now", DEMO_NOW],
                     config=config)
check(code == 0 and err == "" and "<!doctype html" in out.lower() and
      "Waarom krijg je dit bericht?" not in out,
      "missing partial renders as nothing: %d %r" % (code, err))

# A provider that subscribers chose but the config no longer has strands
# them: check-config says which and how many.
stranded_dir = os.path.join(directory, "stranded")
os.makedirs(stranded_dir)
with_delta = write(os.path.join(stranded_dir, "with.ini"),
                   demo_config_text(stranded_dir))
for address in ("a@example.nl", "b@example.nl"):
    code, out, err = run(["subscribers", "add", address, "--provider",
                          "delta"], config=with_delta)
    check(code == 0, "add %s: %d %r" % (address, code, err))
text = demo_config_text(stranded_dir)
without = write(os.path.join(stranded_dir, "without.ini"),
                text[:text.index("[provider delta]")])
code, out, err = run(["check-config"], config=without)
check(code == EX_CONFIG and "[provider delta]" in err and
      "2 subscribers" in err and without in err,
      "stranded subscribers: %d %r" % (code, err))

# A syntax error names the file.
config = write(os.path.join(directory, "syntax.ini"),
               "[digest\ntitle = x\n")
code, out, err = run(["check-config"], config=config)
check(code == EX_CONFIG and config in err and len(err.splitlines()) == 1,
      "syntax error: %d %r" % (code, err))

# Regression: only the first of several syntax errors was reported, and it
# quoted the bad line, which may be a password pasted into the wrong file.
config = write(os.path.join(directory, "syntax2.ini"),
               "[digest]\ntitle = x\nhunter2\n[source a]\nS3cret!\n")
code, out, err = run(["check-config"], config=config)
lines = err.splitlines()
check(code == EX_CONFIG and len(lines) == 2 and
      all(config in line for line in lines) and "line 3" in lines[0] and
      "line 5" in lines[1] and "hunter2" not in err and "S3cret" not in err,
      "two syntax errors, two lines, no line text: %d %r" % (code, err))

# Regression: a key above the first section was silently ignored.
bad("stray-key", "title = Elders\n" + good,
    ["[] title: outside any section"])

# Regression: a control character in a value (a CR) went out raw, so the
# terminal showed the problem line garbled.
config = write(os.path.join(directory, "cr.ini"),
               good.replace("max_items = 10", "max_items = 1\r0"))
code, out, err = run(["check-config"], config=config)
check(code == EX_CONFIG and "\r" not in err and
      "[digest] max_items: \"1?0\"" in err and len(err.splitlines()) == 1,
      "control character shown as ?: %d %r" % (code, err))

# Regression: "file:PATH" sources broke when the config's directory held a
# space ("not a URL (Bad path)"): the path is now percent-encoded.
spaced = os.path.join(directory, "met spatie")
os.makedirs(os.path.join(spaced, "feeds"))
with open(os.path.join(SRC, "config", "demo", "wereld.atom"), "rb") as feed:
    with open(os.path.join(spaced, "feeds", "wereld atom.xml"), "wb") as out:
        out.write(feed.read())
# The templates are named: the built-in default is the installed copy.
config = write(os.path.join(spaced, "spaced.ini"),
               "[digest]\ntitle = x\nstate = %s/s.sqlite\n"
               "templates = %s/templates\n\n"
               "[source w]\nurl = file:feeds/wereld atom.xml\n"
               % (spaced, SRC))
code, out, err = run(["check-config"], config=config)
check(code == 0, "file: path with spaces: %d %r" % (code, err))
code, out, err = run(["items", "--now", "2026-11-29T09:30:00+01:00"],
                     config=config)
check(code == 0 and err == "" and out != "",
      "file: path with spaces is read: %d %r" % (code, err))

# A missing file is EX_NOINPUT.
code, out, err = run(["check-config"], config=directory + "/none.ini")
check(code == EX_NOINPUT and "none.ini" in err,
      "missing file: %d %r" % (code, err))

# Usage errors.
code, out, err = run(["check-config", "extra"], config=path)
check(code == EX_USAGE, "extra argument: %d" % code)
code, out, err = run(["no-such-command"], config=path)
check(code == EX_USAGE, "unknown command: %d" % code)
code, out, err = run(["check-config", "--help"], config=path)
check(code == 0 and "usage:" in out, "--help: %d %r" % (code, out))

finish()
