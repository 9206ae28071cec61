#!/bin/sh
# Runs one test for ctest (the arguments are its command) and passes its
# exit status on, with one exception.  Exit 77 means "skipped": a tool or
# file the test needs is missing, and the test has printed which.  Under
# scripts/test, which installs every tool first, DIGEST_REQUIRE_ALL=1 is
# set, and there a skip means a broken setup: it fails instead, so that CI
# can never pass on tests that did not run.
"$@"
status=$?
if [ "$status" -eq 77 ] && [ "${DIGEST_REQUIRE_ALL:-0}" = 1 ]; then
	echo "FAIL: the test skipped (see above), and DIGEST_REQUIRE_ALL=1" \
		"allows no skip: install what it needs (scripts/install-deps)"
	exit 1
fi
if [ "$status" -gt 128 ]; then
	# Die of the test's own signal, so that ctest still reports a crash
	# (SEGFAULT, Child aborted) as one rather than as an exit status.
	kill -"$((status - 128))" $$
fi
exit "$status"
