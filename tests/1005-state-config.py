"""[digest] state and the database server's password: a postgresql:// URL
is taken as it is (not as a path), a URL that holds a password (in its user
part or as ?password=) or does not parse is refused with one line naming
file, section and key and never the password, a password is only for a
PostgreSQL state, from a file or a variable but not both, and a password
file that others may read is refused before anything connects."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import check, demo_config_text, finish, run, tempdir, write

EX_CONFIG = 78
SECRET = "hunter2-state"

directory = tempdir()
config = os.path.join(directory, "digest.ini")
SQLITE_LINE = "state = %s/state.sqlite" % directory


def configure(state_lines):
    return write(config, demo_config_text(directory).replace(
        SQLITE_LINE, state_lines))


def refused(state_lines, key, words, command=("check-config",), env=None):
    """The config is refused (78) with one line naming key and words."""
    configure(state_lines)
    code, out, err = run(list(command), config=config, env=env)
    lines = [line for line in err.splitlines() if line.strip()]
    check(code == EX_CONFIG, "%r: exit %d, want 78 (%r)"
          % (state_lines, code, err))
    check(len(lines) == 1, "%r: one line, got %r" % (state_lines, lines))
    check(err.startswith("%s: [digest] %s: " % (config, key)),
          "%r: the line names file, section and key: %r"
          % (state_lines, err))
    for word in words:
        check(word in err, "%r: %r not in %r" % (state_lines, word, err))
    check(SECRET not in out + err, "%r: the password shows: %r"
          % (state_lines, err))


URL = "postgresql://digest@127.0.0.1:1/digest"

refused("state = postgresql://digest:%s@127.0.0.1:1/digest" % SECRET,
        "state", ["password", "state_password_file"])
refused("state = postgres://digest:%s@127.0.0.1:1/digest" % SECRET,
        "state", ["password"], command=("send",))
refused("state = %s?password=%s" % (URL, SECRET), "state", ["password"])
# libpq checks a parameter's value only when it connects: check-config
# does, and names the key.
refused("state = %s?sslmode=%s" % (URL, "sometimes"), "state",
        ["sslmode", "sometimes"])
refused("state = postgresql://digest@127.0.0.1:notaport/digest", "state",
        ["not a PostgreSQL URL", "notaport"], command=("status",))
refused("state = postgresql://digest@[::1/digest", "state",
        ["not a PostgreSQL URL"], command=("status",))
refused(SQLITE_LINE + "\nstate_password_env = TEST_STATE_PASSWORD", "state",
        ["only for a PostgreSQL state"])
password_file = write(os.path.join(directory, "pg.password"), SECRET + "\n",
                      0o600)
refused("state = %s\nstate_password_env = TEST_STATE_PASSWORD\n"
        "state_password_file = %s" % (URL, password_file),
        "state_password_file", ["not both"])

# A URL is a URL, not a path relative to the config file.
configure("state = %s\nstate_password_env = TEST_STATE_PASSWORD" % URL)
code, out, err = run(["check-config"], config=config,
                     env={"TEST_STATE_PASSWORD": SECRET})
check(code == EX_CONFIG and "[digest] state: " + URL in err,
      "check-config of an unreachable server names it: %d %r" % (code, err))
check(SECRET not in out + err, "check-config shows the password")

# The password's own problems, found before connecting.
configure("state = %s\nstate_password_env = TEST_STATE_NOPE" % URL)
code, out, err = run(["check-config"], config=config)
check(code == EX_CONFIG and "TEST_STATE_NOPE" in err,
      "a missing variable: %d %r" % (code, err))
os.chmod(password_file, 0o644)
configure("state = %s\nstate_password_file = %s" % (URL, password_file))
code, out, err = run(["check-config"], config=config)
check(code == EX_CONFIG and "state_password_file" in err and
      "read by others" in err, "a readable password file: %d %r"
      % (code, err))
check(SECRET not in out + err, "the readable file's password shows")
code, out, err = run(["status"], config=config)
check(code == EX_CONFIG and SECRET not in out + err,
      "status with a readable password file: %d %r" % (code, err))

finish()
