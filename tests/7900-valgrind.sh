#!/bin/sh
# The main commands under valgrind: no memory errors and no definite or
# indirect leaks.  Skipped (77) without valgrind or in a sanitizer build,
# where valgrind cannot run.
set -u
command -v valgrind >/dev/null 2>&1 || { echo "SKIP: no valgrind"; exit 77; }
if ldd "$DIGEST" | grep -q 'libasan\|libubsan'; then
	echo "SKIP: sanitizer build"; exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now=2026-11-29T09:30:00+01:00
sed -e "s|^templates = .*|templates = $DIGEST_SRC/templates|" \
    -e "s|^state = .*|state = $work/state.sqlite|" \
    -e "s|^outbox = .*|outbox = $work/outbox|" \
    -e "s|^url = file:demo/|url = file://$DIGEST_SRC/config/demo/|" \
    "$DIGEST_SRC/config/digest.ini" >"$work/digest.ini"
failed=0
check() {
	if ! valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect \
		"$DIGEST" --config "$work/digest.ini" "$@" \
		>"$work/out" 2>"$work/err"; then
		echo "FAIL: digest $*"; cat "$work/err"; failed=1
	elif grep -q '==[0-9]*==' "$work/err"; then
		echo "FAIL: valgrind reports for digest $*"; cat "$work/err"
		failed=1
	else
		echo "ok: digest $*"
	fi
}
check check-config
check subscribers import "$DIGEST_SRC/config/demo/subscribers.csv"
check subscribers list
check items --now "$now"
check items --json --source "file://$DIGEST_SRC/config/demo/wereld.atom"
check preview --now "$now"
check preview --format html --lang en --now "$now"
check preview --format eml --subscriber anna.devries@zeelandnet.example \
	--now "$now"
check send --dry-run --now "$now"
check send --now "$now"
# Bounces of every kind the parser knows, and some it does not.
mkdir -p "$work/bounces/new" "$work/bounces/cur" "$work/bounces/tmp"
cp "$DIGEST_SRC"/tests/data/bounces/*.eml "$work/bounces/new/"
check bounces "$work/bounces"
exit $failed
