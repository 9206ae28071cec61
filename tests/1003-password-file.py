"""digest check-config and digest send refuse a password file that anyone
but its owner may read, write or execute (exit EX_CONFIG, one line naming
the file, section and key), and accept one of mode 0600 or 0400.

Regression (issue 7): a check of the bits for others alone let a
group-readable file (0640) through; only 0644 was tested, which both
checks refuse.  Here group and others get one permission bit at a time."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import (DEMO_NOW, check, demo_config_text, finish, run,
                        tempdir, write)

EX_CONFIG = 78
SECRET = "delta-Secret-17"
directory = tempdir()
password_file = write(os.path.join(directory, "delta.pw"), SECRET + "\n",
                      0o600)
text = demo_config_text(directory)
text = text.replace("transport = maildir", "transport = smtp")
# Only delta logs in: zeelandnet needs no password at all.
text = text.replace("tls = starttls",
                    "tls = starttls\nuser = delta\npassword_file = %s"
                    % password_file)
config = write(os.path.join(directory, "digest.ini"), text)
csv = write(os.path.join(directory, "subs.csv"),
            "email,provider\njoost@delta.example,delta\n")
code, out, err = run(["subscribers", "import", csv], config=config)
check(code == 0, "import: %d %r" % (code, err))

for mode in (0o600, 0o400):
    os.chmod(password_file, mode)
    code, out, err = run(["check-config"], config=config)
    check(code == 0, "mode %04o: check-config exit %d %r" % (mode, code, err))

for mode in (0o640, 0o620, 0o610, 0o604, 0o602, 0o601):
    os.chmod(password_file, mode)
    code, out, err = run(["check-config"], config=config)
    check(code == EX_CONFIG, "mode %04o: check-config exit %d, want 78 %r"
          % (mode, code, err))
    check(any("[provider delta] password_file" in line and config in line
              and "chmod 600" in line for line in err.splitlines()),
          "mode %04o: check-config names it: %r" % (mode, err))
    # The send refuses it before any connection: the provider's URL
    # points at a closed port, so a connection would be a different error.
    code, out, err = run(["send", "--now", DEMO_NOW], config=config)
    check(code == EX_CONFIG and "chmod 600" in err,
          "mode %04o: send exit %d, want 78 %r" % (mode, code, err))
    check(SECRET not in out + err, "mode %04o: the secret is shown" % mode)

finish()
