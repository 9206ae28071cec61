#!/bin/sh
# The files under dist/ are valid for the programs that read them: the
# cron.d file has the shape cron(8) wants and runs what the service runs,
# and `systemd-analyze verify` accepts the service and the timer, with the
# binary they start and the manual pages they cite.  The *.in files are
# filled in here as cmake/install.cmake does, with the binary under test.
set -u
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
failed=0
fail() {
	echo "FAIL: $*"
	failed=1
}
mkdir -p "$work/bin" "$work/man/man1" "$work/man/man5" || exit 1
ln -s "$DIGEST" "$work/bin/digest"
ln -s "$DIGEST_SRC/man/digest.1" "$work/man/man1/digest.1"
ln -s "$DIGEST_SRC/man/digest.ini.5" "$work/man/man5/digest.ini.5"
fill() {
	sed "s|@CMAKE_INSTALL_FULL_BINDIR@|$work/bin|g" "$1" >"$2"
	if grep -n '@[A-Z_]*@' "$2"; then
		fail "$1: a placeholder that this test does not fill"
	fi
}
fill "$DIGEST_SRC/dist/systemd/digest.service.in" "$work/digest.service"
fill "$DIGEST_SRC/dist/systemd/digest-serve.service.in" \
	"$work/digest-serve.service"
cp "$DIGEST_SRC/dist/systemd/digest.timer" "$work/digest.timer"
fill "$DIGEST_SRC/dist/cron.d/digest.in" "$work/cron"

# cron.d: VAR=value lines, and jobs of five time fields, a user, a command.
jobs=0
while IFS= read -r line; do
	case $line in
	'' | '#'*) continue ;;
	[A-Z]*=*) continue ;;
	esac
	# shellcheck disable=SC2086
	set -f
	set -- $line
	set +f
	if [ $# -lt 7 ]; then
		fail "cron.d: too few fields: $line"
		continue
	fi
	for field in "$1" "$2" "$3" "$4" "$5"; do
		case $field in
		*[!0-9*,/-]*) fail "cron.d: bad time field \"$field\": $line" ;;
		esac
	done
	[ "$6" = digest ] || fail "cron.d: runs as \"$6\", not digest"
	[ -x "$7" ] || fail "cron.d: $7 is not the installed binary"
	shift 7
	case " $* " in
	*" send "*) ;;
	*) fail "cron.d: the job does not run send: $line" ;;
	esac
	jobs=$((jobs + 1))
done <"$work/cron"
[ "$jobs" -gt 0 ] || fail "cron.d: no job"
# Both start the same command line.
exec_start=$(sed -n 's/^ExecStart=//p' "$work/digest.service")
grep -qF "$exec_start" "$work/cron" ||
	fail "cron.d and the service run different commands ($exec_start)"
grep -q '^Persistent=true$' "$work/digest.timer" ||
	fail "digest.timer: no Persistent=true (a missed morning is lost)"

if ! command -v systemd-analyze >/dev/null 2>&1; then
	[ $failed -eq 0 ] || exit 1
	echo "SKIP: no systemd-analyze (package systemd): units not verified"
	exit 77
fi
# verify prints what it dislikes and may still exit 0: any output fails.
MANPATH="$work/man" systemd-analyze verify "$work/digest.service" \
	"$work/digest.timer" "$work/digest-serve.service" >"$work/verify" 2>&1
status=$?
if [ "$status" -ne 0 ] || [ -s "$work/verify" ]; then
	fail "systemd-analyze verify: exit $status"
	cat "$work/verify"
fi
exit $failed
