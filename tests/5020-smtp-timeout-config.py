"""5020-smtp-timeout-config: a provider's connect_timeout, timeout and
data_timeout are durations that check-config accepts in range and refuses,
naming the section and key, out of it."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
from digesttest import check, demo_config_text, finish, run, tempdir, write

EX_CONFIG = 78
directory = tempdir()
base = demo_config_text(directory)
anchor = "from_name = DELTA Nieuws\n"

good = base.replace(anchor, anchor + "connect_timeout = 45s\ntimeout = 5m\n"
                    "data_timeout = 10m\n")
path = write(os.path.join(directory, "good.ini"), good)
code, out, err = run(["check-config"], config=path)
check(code == 0, "good limits: exit %d, stderr %r" % (code, err))

for key, value in (("connect_timeout", "0s"), ("connect_timeout", "11m"),
                   ("timeout", "soon"), ("timeout", "2h"),
                   ("data_timeout", "-5"), ("data_timeout", "61m")):
    text = base.replace(anchor, anchor + "%s = %s\n" % (key, value))
    path = write(os.path.join(directory, "bad.ini"), text)
    code, out, err = run(["check-config"], config=path)
    check(code == EX_CONFIG, "%s = %s: exit %d, want 78" % (key, value, code))
    check("[provider delta] %s: \"%s\" is not a duration" % (key, value)
          in err, "%s = %s: stderr %r" % (key, value, err))
finish()
