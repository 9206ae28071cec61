"""digest state migrate: a SQLite installation that has sent a digest moves
to a new PostgreSQL database (a real server started by the test).  Every
table arrives with its rows and ids, the counts are printed, and digest on
the new store carries on where the old one stopped: the rerun skips who
already got the day's digest, a new subscriber gets the next id.  A
target that holds anything is refused (73) and left as it was; a missing
source is 66; --from is required (64)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import (DEMO_NOW, SRC, check, demo_config_text, finish, run,
                        tempdir, write)
import pgserver

EX_USAGE, EX_NOINPUT, EX_CANTCREAT = 64, 66, 73

reason = pgserver.missing_reason()
if reason:
    print("SKIP: %s" % reason)
    sys.exit(77)

directory = tempdir()
sqlite_path = os.path.join(directory, "state.sqlite")
CSV = os.path.join(SRC, "config", "demo", "subscribers.csv")
TABLES = ["subscribers", "journal", "editions", "items", "runs", "sources",
          "signups", "suppressions"]

sqlite_config = write(os.path.join(directory, "sqlite.ini"),
                      demo_config_text(directory))
code, out, err = run(["subscribers", "import", CSV], config=sqlite_config)
check(code == 0, "import: %d %s" % (code, err))
code, out, err = run(["send", "--now", DEMO_NOW], config=sqlite_config)
check(code == 0 and "sent 3," in out + err, "send on SQLite: %d %s"
      % (code, err))


def server_counts(server, database):
    counts = {}
    for table in TABLES:
        counts[table] = int(server.psql("SELECT count(*) FROM %s" % table,
                                        database).stdout.strip())
    return counts


with pgserver.PgServer() as server:
    url = server.create_database("digest_moved")
    password_file = write(os.path.join(directory, "pg.password"),
                          server.password + "\n", 0o600)
    pg_config = write(
        os.path.join(directory, "pg.ini"),
        demo_config_text(directory).replace(
            "state = %s" % sqlite_path,
            "state = %s\nstate_password_file = %s" % (url, password_file)))

    code, out, err = run(["state", "migrate"], config=pg_config)
    check(code == EX_USAGE, "migrate without --from: %d" % code)
    code, out, err = run(["state", "migrate", "--from",
                          os.path.join(directory, "none.sqlite")],
                         config=pg_config)
    check(code == EX_NOINPUT, "migrate from nothing: %d %s" % (code, err))
    check(not os.path.exists(os.path.join(directory, "none.sqlite")),
          "migrate made the missing source")

    code, out, err = run(["state", "migrate", "--from", sqlite_path],
                         config=pg_config)
    check(code == 0, "migrate: %d %s" % (code, err))
    printed = {}
    for line in out.splitlines():
        words = line.split()
        if len(words) == 2 and words[1].isdigit():
            printed[words[0]] = int(words[1])
    check(sorted(printed) == sorted(TABLES), "printed tables: %r" % out)
    check(server.password not in out + err, "migrate shows the password")
    counts = server_counts(server, "digest_moved")
    check(counts == printed, "server %r, printed %r" % (counts, printed))
    check(counts["subscribers"] == 3 and counts["journal"] == 3 and
          counts["runs"] == 1 and counts["editions"] == 1 and
          counts["items"] > 0, "copied rows: %r" % counts)

    # Digest carries on: today's digest went out already.
    code, out, err = run(["send", "--now", DEMO_NOW], config=pg_config)
    check(code == 0 and "skipped 3" in out + err,
          "send after migrating: %d %s" % (code, out + err))
    code, out, err = run(["subscribers", "add", "nieuw@example.nl"],
                         config=pg_config)
    check(code == 0, "add after migrating: %d %s" % (code, err))
    new_id = server.psql("SELECT id FROM subscribers WHERE email ="
                         " 'nieuw@example.nl'", "digest_moved").stdout
    max_old = server.psql("SELECT max(id) FROM subscribers WHERE email <>"
                          " 'nieuw@example.nl'", "digest_moved").stdout
    check(int(new_id) > int(max_old), "the new id %s follows %s"
          % (new_id.strip(), max_old.strip()))
    code, out, err = run(["status"], config=pg_config)
    check(code == 0 and out.count("2026-11-29") >= 2,
          "status shows both runs: %r" % out)

    # A target that holds anything is left alone.
    before = server_counts(server, "digest_moved")
    code, out, err = run(["state", "migrate", "--from", sqlite_path],
                         config=pg_config)
    check(code == EX_CANTCREAT, "migrate into a full store: %d %s"
          % (code, err))
    check("not empty" in err, "the refusal says why: %r" % err)
    check(server_counts(server, "digest_moved") == before,
          "the refused migration changed the target")

    # --to names the target itself.
    other = server.create_database("digest_other")
    code, out, err = run(["state", "migrate", "--from", sqlite_path, "--to",
                          other], config=pg_config)
    check(code == 0, "migrate --to: %d %s" % (code, err))
    check(server_counts(server, "digest_other")["subscribers"] == 3,
          "--to filled the other database")

finish()
