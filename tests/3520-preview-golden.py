"""Golden files: the shipped templates rendered by `digest preview` on the
demo feeds at a fixed --now, text and HTML, Dutch and English.  Set
DIGEST_UPDATE_GOLDEN=1 to rewrite them after an intended change (then read
the diff)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import (DATA, DEMO_NOW, check, demo_config_text, finish, run,
                        tempdir, write)

directory = tempdir()
config = write(os.path.join(directory, "demo.ini"),
               demo_config_text(directory))
update = os.environ.get("DIGEST_UPDATE_GOLDEN") == "1"

for fmt in ("text", "html"):
    for lang in ("nl", "en"):
        name = "demo-%s-%s.golden" % (lang, fmt)
        path = os.path.join(DATA, "preview", name)
        code, out, err = run(["preview", "--format", fmt, "--lang", lang,
                              "--now", DEMO_NOW], config=config)
        check(code == 0 and err == "", "%s: exit %d %r" % (name, code, err))
        if update:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(out)
            continue
        with open(path, encoding="utf-8") as handle:
            want = handle.read()
        if out != want:
            got_lines, want_lines = out.splitlines(), want.splitlines()
            first = next((i for i, (a, b) in
                          enumerate(zip(got_lines, want_lines)) if a != b),
                         min(len(got_lines), len(want_lines)))
            check(False, "%s differs at line %d:\n got: %r\nwant: %r" % (
                name, first + 1,
                got_lines[first] if first < len(got_lines) else None,
                want_lines[first] if first < len(want_lines) else None))

finish()
