"""digest subscribers import: a good file, a re-import that updates (BOM,
CRLF, columns in any order, quoted line breaks), and bad files each refused
whole with FILE:LINE naming where the bad record starts."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import (DATA, check, demo_config_text, finish, run, tempdir,
                        write)

EX_DATAERR, EX_NOINPUT = 65, 66

directory = tempdir()
config = write(os.path.join(directory, "test.ini"),
               demo_config_text(directory))
FIXTURES = os.path.join(DATA, "subscribers")


def fixture(name):
    return os.path.join(FIXTURES, name)


def subs(args):
    return run(["subscribers"] + args, config=config)


def listed():
    code, out, err = subs(["list", "--json"])
    check(code == 0 and err == "", "list --json: %d %r" % (code, err))
    return {row["email"]: row for row in map(json.loads, out.splitlines())}


code, out, err = subs(["import", fixture("good.csv")])
check(code == 0 and err == "", "good.csv: %d %r" % (code, err))
check(out == "imported 3 subscribers (3 added, 0 updated)\n",
      "good.csv summary: %r" % out)
rows = listed()
check(sorted(rows) == ["Bert@example.nl", "anna@example.nl",
                       "carl@example.nl"], "imported: %r" % sorted(rows))
check(rows.get("anna@example.nl") == {
    "email": "anna@example.nl", "name": "Anna de Vries",
    "provider": "zeelandnet", "language": "nl", "format": "html",
    "active": True}, "anna: %r" % rows.get("anna@example.nl"))
check(rows.get("Bert@example.nl", {}).get("name") == "Jansen, Bert",
      "a quoted comma: %r" % rows.get("Bert@example.nl"))
check(rows.get("carl@example.nl", {}) == {
    "email": "carl@example.nl", "name": None, "provider": None,
    "language": "nl", "format": "both", "active": True},
    "empty cells take the defaults: %r" % rows.get("carl@example.nl"))

# Switch bert off: an import must not switch him back on.
code, out, err = subs(["set", "bert@example.nl", "--active", "no"])
check(code == 0, "set bert inactive: %d %r" % (code, err))

# Importing the same file again updates everyone and adds nobody.
code, out, err = subs(["import", fixture("good.csv")])
check(out == "imported 3 subscribers (0 added, 3 updated)\n",
      "re-import summary: %r %r" % (out, err))
check(listed().get("Bert@example.nl", {}).get("active") is False,
      "re-import keeps bert inactive")

# update.csv: BOM, CRLF, columns reordered, a quoted CRLF inside a name,
# doubled quotes; no provider or language column, so anna keeps hers.
code, out, err = subs(["import", fixture("update.csv")])
check(code == 0 and out == "imported 2 subscribers (1 added, 1 updated)\n",
      "update.csv: %d %r %r" % (code, out, err))
rows = listed()
check(rows.get("ANNA@example.nl") == {
    "email": "ANNA@example.nl", "name": "Anna de Vries-Smit",
    "provider": "zeelandnet", "language": "nl", "format": "both",
    "active": True}, "anna updated: %r" % rows.get("ANNA@example.nl"))
check(rows.get("dirk@example.nl", {}).get("name") == 'Dirk "DJ" Bakker' and
      rows["dirk@example.nl"]["format"] == "text",
      "dirk added: %r" % rows.get("dirk@example.nl"))
before = listed()
check(len(before) == 4, "four subscribers now: %r" % sorted(before))

# Each bad file is refused whole, naming the line where its bad record
# starts (a blank line and a quoted line break both count).
BAD = [
    ("bad-address.csv", 3, '"not an address": not a valid email address'),
    ("bad-provider.csv", 4, 'unknown provider "kpn" (configured: zeelandnet, delta)'),
    ("bad-language.csv", 4, 'language "de" is not nl or en'),
    ("bad-format.csv", 3, 'format "pdf" is not text, html or both'),
    ("duplicate.csv", 4, "Anna@example.nl appears twice (first on line 2)"),
    ("unclosed-quote.csv", 3, "unclosed quoted field"),
    ("unknown-column.csv", 1, 'unknown column "phone"'),
    ("no-header.csv", 1, 'unknown column "anna@example.nl"'),
    ("field-count.csv", 2, "expected 2 fields, found 3"),
    ("bad-utf8.csv", 3, "field is not valid UTF-8"),
]
for name, line, reason in BAD:
    path = fixture(name)
    code, out, err = subs(["import", path])
    check(code == EX_DATAERR, "%s exits 65: %d" % (name, code))
    check(out == "", "%s prints nothing on stdout: %r" % (name, out))
    lines = err.splitlines()
    want = "digest: %s:%d: %s" % (path, line, reason)
    # An unknown column's message goes on to name the columns known.
    hinted = name in ("unknown-column.csv", "no-header.csv")
    check(len(lines) == 1 and (lines[0] == want or (
        hinted and lines[0].startswith(want + " ("))),
        "%s: got %r, want %r" % (name, err, want))
    check(listed() == before, "%s changed nothing" % name)

code, out, err = subs(["import", fixture("empty.csv")])
check(code == EX_DATAERR and err.startswith(
    "digest: %s: empty file" % fixture("empty.csv")), "empty: %r" % err)
missing = os.path.join(directory, "missing.csv")
code, out, err = subs(["import", missing])
check(code == EX_NOINPUT and err == "digest: %s: No such file or "
      "directory\n" % missing, "missing file: %d %r" % (code, err))
code, out, err = subs(["import"])
check(code == 64, "import without a file: %d" % code)
# A file over the 64 MiB cap is bad data (65), not a missing input (66):
# the exit code is picked from errno as it was before the warning printed.
huge = os.path.join(directory, "huge.csv")
with open(huge, "wb") as handle:
    handle.truncate(65 * 1024 * 1024)
code, out, err = subs(["import", huge])
check(code == EX_DATAERR and huge in err, "huge file: %d %r" % (code, err))
os.unlink(huge)

# A big file goes in as one transaction.
big = os.path.join(directory, "big.csv")
with open(big, "w", encoding="utf-8") as handle:
    handle.write("email,language\n")
    for index in range(2000):
        handle.write("reader%d@example.nl,en\n" % index)
code, out, err = subs(["import", big])
check(code == 0 and out == "imported 2000 subscribers (2000 added, "
      "0 updated)\n", "big import: %d %r %r" % (code, out, err))
check(len(listed()) == 2004, "2004 subscribers after the big import")

finish()
