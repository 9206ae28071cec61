"""digest subscribers add/remove/list/set: defaults, normalised addresses,
providers, --json, and each error's one-line message and exit code."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import check, demo_config_text, finish, run, tempdir, write

EX_USAGE, EX_DATAERR, EX_NOUSER, EX_IOERR = 64, 65, 67, 74

directory = tempdir()
# The demo configuration (two providers, language nl) with its state here.
CONFIG_TEXT = demo_config_text(directory)
config = write(os.path.join(directory, "test.ini"), CONFIG_TEXT)


def subs(args):
    return run(["subscribers"] + args, config=config)


def listed():
    code, out, err = subs(["list", "--json"])
    check(code == 0 and err == "", "list --json: %d %r" % (code, err))
    return {row["email"]: row for row in map(json.loads, out.splitlines())}


def one_error_line(err, expected, what):
    lines = err.splitlines()
    check(len(lines) >= 1 and lines[0] == expected,
          "%s: stderr %r, want first line %r" % (what, err, expected))


# An empty store lists nothing (the table has its header only).
code, out, err = subs(["list"])
check(code == 0 and err == "", "empty list: %d %r" % (code, err))
check(out.split() == ["EMAIL", "NAME", "PROVIDER", "LANG", "FORMAT",
                      "ACTIVE"], "empty list header: %r" % out)
check(listed() == {}, "empty --json lists nothing")

# add with defaults: no provider, the config's language, both formats.
code, out, err = subs(["add", "  Anna@Example.NL "])
check(code == 0 and err == "", "add anna: %d %r" % (code, err))
code, out, err = subs(["add", "bert@example.nl", "--name", "Bert Jansen",
                       "--provider", "delta", "--lang", "en",
                       "--format", "text"])
check(code == 0 and err == "", "add bert: %d %r" % (code, err))
code, out, err = subs(["add", "--format=html", "carl@example.nl",
                       "--name=J\u00f6rg \"Carl\" M\u00fcller"])
check(code == 0 and err == "", "add carl, options first: %d %r" % (code, err))

rows = listed()
check(sorted(rows) == ["Anna@example.nl", "bert@example.nl",
                       "carl@example.nl"], "addresses: %r" % sorted(rows))
anna = rows.get("Anna@example.nl", {})
check(anna == {"email": "Anna@example.nl", "name": None, "provider": None,
               "language": "nl", "format": "both", "active": True},
      "anna's defaults: %r" % anna)
check(rows.get("bert@example.nl", {}).get("provider") == "delta" and
      rows["bert@example.nl"]["language"] == "en" and
      rows["bert@example.nl"]["format"] == "text" and
      rows["bert@example.nl"]["name"] == "Bert Jansen", "bert: %r" % rows)
check(rows.get("carl@example.nl", {}).get("name") ==
      "J\u00f6rg \"Carl\" M\u00fcller", "carl's name survives JSON: %r"
      % rows.get("carl@example.nl"))

# The table: one row each, the default provider shown as such.
code, out, err = subs(["list"])
lines = out.splitlines()
check(code == 0 and len(lines) == 4, "table has 4 lines: %r" % out)
check(lines[1].split()[:6] == ["Anna@example.nl", "-", "(default)", "nl",
                               "both", "yes"], "anna's row: %r" % lines[1])
check(lines[2].split() == ["bert@example.nl", "Bert", "Jansen", "delta",
                           "en", "text", "yes"], "bert's row: %r" % lines[2])
# Columns line up by characters, not bytes, with a non-ASCII name.
check(lines[0].index("PROVIDER") == lines[3].index("(default)"),
      "columns align: %r" % lines)

# Errors on add.
code, out, err = subs(["add", "anna@example.nl"])
check(code == EX_DATAERR, "duplicate add exits 65: %d" % code)
one_error_line(err, "digest: subscriber anna@example.nl already exists",
               "duplicate add")
code, out, err = subs(["add", "not an address"])
check(code == EX_DATAERR, "bad address exits 65: %d" % code)
one_error_line(err, 'digest: subscribers add: "not an address": not a '
               'valid email address', "bad address")
code, out, err = subs(["add", "dirk@example.nl", "--provider", "kpn"])
check(code == EX_DATAERR, "unknown provider exits 65: %d" % code)
one_error_line(err, 'digest: subscribers add: unknown provider "kpn" '
               '(configured: zeelandnet, delta)',
               "unknown provider")
# A provider id is matched without regard to case and stored as the
# config spells it, so counts per provider stay right.
code, out, err = subs(["add", "case@example.nl", "--provider", "DELTA"])
check(code == 0, "add --provider DELTA: %d %r" % (code, err))
check(listed().get("case@example.nl", {}).get("provider") == "delta",
      "stored as the config's id: %r" % listed().get("case@example.nl"))
code, out, err = subs(["remove", "case@example.nl"])
check(code == 0, "remove case@example.nl: %d" % code)
code, out, err = subs(["add", "dirk@example.nl", "--lang", "de"])
check(code == EX_USAGE, "bad --lang exits 64: %d" % code)
check(err.startswith("digest: subscribers add: --lang \"de\""), err)
code, out, err = subs(["add", "dirk@example.nl", "--format", "pdf"])
check(code == EX_USAGE and "--format" in err, "bad --format: %d %r"
      % (code, err))
code, out, err = subs(["add", "dirk@example.nl", "--bogus"])
check(code == EX_USAGE and err.startswith(
    "digest: subscribers add: unknown option --bogus\nusage:"),
    "unknown option: %d %r" % (code, err))
code, out, err = subs(["add"])
check(code == EX_USAGE and "missing operand" in err, "no operand: %r" % err)
code, out, err = subs(["add", "a@example.nl", "b@example.nl"])
check(code == EX_USAGE and "too many" in err, "two operands: %r" % err)
code, out, err = subs(["add", "dirk@example.nl", "--name"])
check(code == EX_USAGE and "needs a value" in err, "--name alone: %r" % err)
code, out, err = subs(["add", "dirk@example.nl", "--name", "a\x01b"])
check(code == EX_DATAERR and "control character" in err, "ctl name: %r" % err)
check("dirk@example.nl" not in listed(), "no failed add was stored")

# set changes only what it is told.
code, out, err = subs(["set", "ANNA@example.nl", "--provider", "delta",
                       "--name", "Anna de Vries"])
check(code == 0 and err == "", "set anna: %d %r" % (code, err))
anna = listed().get("Anna@example.nl", {})
check(anna.get("provider") == "delta" and anna.get("name") ==
      "Anna de Vries" and anna.get("format") == "both" and
      anna.get("language") == "nl", "anna after set: %r" % anna)
code, out, err = subs(["set", "anna@example.nl", "--no-provider",
                       "--active", "no", "--lang", "EN", "--format", "html"])
check(code == 0 and err == "", "set anna again: %d %r" % (code, err))
anna = listed().get("Anna@example.nl", {})
check(anna.get("provider") is None and anna.get("active") is False and
      anna.get("language") == "en" and anna.get("format") == "html",
      "anna after second set: %r" % anna)
code, out, err = subs(["list"])
check(any(line.startswith("Anna@example.nl") and line.split()[-1] == "no"
          for line in out.splitlines()), "inactive shows no: %r" % out)

code, out, err = subs(["set", "nobody@example.nl", "--name", "X"])
check(code == EX_NOUSER, "set missing exits 67: %d" % code)
one_error_line(err, "digest: no subscriber nobody@example.nl", "set missing")
code, out, err = subs(["set", "anna@example.nl"])
check(code == EX_USAGE and "nothing to set" in err, "set nothing: %r" % err)
code, out, err = subs(["set", "anna@example.nl", "--provider", "delta",
                       "--no-provider"])
check(code == EX_USAGE, "both provider flags: %d" % code)
code, out, err = subs(["set", "anna@example.nl", "--active", "maybe"])
check(code == EX_USAGE and "--active" in err, "bad --active: %r" % err)
code, out, err = subs(["set", "anna@example.nl", "--provider", "kpn"])
check(code == EX_DATAERR and "unknown provider" in err, "set kpn: %r" % err)
check(listed().get("Anna@example.nl", {}).get("provider") is None,
      "a refused set changes nothing")

# remove.
code, out, err = subs(["remove", "BERT@example.nl"])
check(code == 0 and err == "", "remove bert: %d %r" % (code, err))
check("bert@example.nl" not in listed(), "bert is gone")
code, out, err = subs(["remove", "bert@example.nl"])
check(code == EX_NOUSER, "remove missing exits 67: %d" % code)
one_error_line(err, "digest: no subscriber bert@example.nl", "remove missing")

# Help: synopsis on stdout, exit 0; bad usage: stderr, 64.
for command in ["add", "remove", "list", "set", "import"]:
    code, out, err = subs([command, "--help"])
    check(code == 0 and out.startswith("usage: digest subscribers " +
                                       command) and err == "",
          "%s --help: %d %r %r" % (command, code, out, err))
code, out, err = subs(["--help"])
check(code == 0 and out.count("usage:") >= 5, "subscribers --help: %r" % out)
code, out, err = subs([])
check(code == EX_USAGE and err.startswith("digest: ") and "usage:" in err,
      "no subcommand: %d %r" % (code, err))
code, out, err = subs(["frobnicate"])
check(code == EX_USAGE and err.startswith(
    'digest: subscribers: unknown command "frobnicate"'),
    "unknown subcommand: %d %r" % (code, err))
code, out, err = subs(["list", "extra"])
check(code == EX_USAGE, "list with an operand: %d" % code)

# The default language follows the configuration.
write(config, CONFIG_TEXT.replace("language = nl", "language = en"))
code, out, err = subs(["add", "eva@example.nl"])
check(code == 0, "add eva: %d %r" % (code, err))
check(listed().get("eva@example.nl", {}).get("language") == "en",
      "language = en is the default")

# A state path whose directory is missing: one line naming the path.
missing = os.path.join(directory, "no-such-dir", "state.sqlite")
write(config, CONFIG_TEXT.replace(
    "state = %s/state.sqlite" % directory, "state = %s" % missing))
code, out, err = subs(["list"])
check(code == EX_IOERR, "missing state dir exits 74: %d" % code)
check(len(err.splitlines()) == 1 and err.startswith("digest: ") and
      missing in err, "missing state dir: %r" % err)

finish()
