"""5110-esmtp-hook: the before_data hook runs once per job, in order, after
the server accepted the envelope (libESMTP asks for the data after DATA's
354); a -1 leaves that job unsent (ETEMP, held back: the server stores
nothing of it) and ends the connection, so the jobs after it are ETEMP,
not sent, and their hook never runs.  The next batch goes on.  The after
hook hears of each job once; of a message the server took, as soon as its
final reply came: before the next message's hook, so that a crash in the
middle of a batch leaves only the message in hand unsettled."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["DIGEST_SRC"], "tests", "lib"))
import smtptest  # noqa: E402

check = smtptest.Checker("5110-esmtp-hook")
work = smtptest.workdir()
rcpts = ["r%d@example.nl" % i for i in range(5)] + ["next@example.nl"]
with smtptest.Server(work, "--pipelining", "--reject",
                     "r1@example.nl") as server:
    run = smtptest.EsmtpRun(batch=5, hold="r3@example.nl")
    results = smtptest.send("smtp://127.0.0.1:%d" % server.port, "none",
                            rcpts, esmtp=run)
check.status(results, "r0@example.nl", "OK")
check.status(results, "r1@example.nl", "EPERM", "550")
check.status(results, "r2@example.nl", "OK")
check.status(results, "r3@example.nl", "ETEMP", "held back before its data")
for rcpt in ("r4@example.nl",):
    check.status(results, rcpt, "ETEMP",
                 "not sent: the connection was closed to hold back the "
                 "message to <r3@example.nl>")
check.status(results, "next@example.nl", "OK")
# r1 was refused at RCPT: its data was never asked for.
check.expect(run.hooks == ["r0@example.nl", "r2@example.nl",
                           "r3@example.nl", "next@example.nl"],
             "hook calls %r" % run.hooks)
check.expect(run.batches == ["ETEMP", "OK"], "batches %r" % run.batches)
check.delivered(server, ["r0@example.nl", "r2@example.nl",
                         "next@example.nl"])
# r3's envelope went out (the hook runs after it), its data did not.
check.expect(len(server.events("mail")) == 5, "%d MAIL commands"
             % len(server.events("mail")))
afters = [rcpt for what, rcpt in run.order if what == "after"]
check.expect(sorted(afters) == sorted(rcpts), "after hook calls %r" % afters)
# r0's 250 is heard before r2's data is asked for, r2's before r3's.
check.expect(run.order[:4] == [("hook", "r0@example.nl"),
                               ("after", "r0@example.nl"),
                               ("hook", "r2@example.nl"),
                               ("after", "r2@example.nl")],
             "hooks and fates in order %r" % run.order)
check.finish()
