#!/bin/sh
# `cmake --install` into a temporary prefix, then the installed digest on
# a copy of the installed sample configuration, run from an empty
# directory with an empty environment: nothing may come from the source
# tree.  The default template directory is compiled in from the prefix,
# so this test configures and builds a tree of its own (the program only,
# -O0, two jobs) rather than installing the build under test.
set -u
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
failed=0
fail() {
	echo "FAIL: $*"
	failed=1
}
prefix=$work/prefix
now=2026-11-29T09:30:00+01:00

if ! { cmake -S "$DIGEST_SRC" -B "$work/build" -DCMAKE_BUILD_TYPE=Debug \
	-DCMAKE_INSTALL_PREFIX="$prefix" &&
	cmake --build "$work/build" -j2 --target digest &&
	cmake --install "$work/build"; } >"$work/log" 2>&1; then
	cat "$work/log"
	echo "FAIL: configure, build or install"
	exit 1
fi

share=$prefix/share/digest
for file in bin/digest share/man/man1/digest.1 share/man/man5/digest.ini.5 \
	share/digest/examples/digest.ini \
	share/digest/examples/demo/subscribers.csv \
	share/digest/examples/systemd/digest.service \
	share/digest/examples/systemd/digest.timer \
	share/digest/examples/cron.d/digest; do
	[ -f "$prefix/$file" ] || fail "not installed: $file"
done
diff -r "$DIGEST_SRC/templates" "$share/templates" ||
	fail "the installed templates differ from templates/"
grep -q "^ExecStart=$prefix/bin/digest " \
	"$share/examples/systemd/digest.service" ||
	fail "digest.service does not start the installed binary"
grep -q " $prefix/bin/digest " "$share/examples/cron.d/digest" ||
	fail "cron.d/digest does not run the installed binary"
# The binary knows the installed templates, and not the source tree's.
grep -qF "$share/templates" "$prefix/bin/digest" ||
	fail "bin/digest does not name $share/templates"
if grep -qF "$DIGEST_SRC/templates" "$prefix/bin/digest"; then
	fail "bin/digest names the source tree's templates"
fi
# The sample leaves templates to that default.
if grep -q '^templates' "$share/examples/digest.ini"; then
	fail "the installed digest.ini sets templates"
fi

# /etc/digest and /var/lib/digest, in miniature.
etc=$work/etc
var=$work/var
mkdir -p "$etc" "$var" "$work/empty" || exit 1
cp "$share/examples/digest.ini" "$etc/" &&
	cp -R "$share/examples/demo" "$etc/" || exit 1
sed -i -e "s|^state = /var/lib/digest/|state = $var/|" \
	-e "s|^outbox = /var/lib/digest/|outbox = $var/|" "$etc/digest.ini"
grep -q "^state = $var/" "$etc/digest.ini" &&
	grep -q "^outbox = $var/" "$etc/digest.ini" ||
	fail "the sample keeps state and outbox elsewhere than /var/lib/digest"
# A line only the installed copy of the templates has.
marker="Installed template in use."
echo "$marker" >>"$share/templates/digest.txt.mustache"

digest() {
	(cd "$work/empty" && env -i PATH=/usr/bin:/bin HOME="$work/empty" \
		LC_ALL=C.UTF-8 "$prefix/bin/digest" --config "$etc/digest.ini" \
		"$@")
}
run() {
	name=$1
	shift
	digest "$@" >"$work/$name.out" 2>"$work/$name.err"
	status=$?
	if [ "$status" -ne 0 ] || [ -s "$work/$name.err" ]; then
		fail "digest $*: exit $status"
		cat "$work/$name.err"
	fi
}
run check check-config
grep -q ": ok (2 sources, 2 providers)" "$work/check.out" ||
	fail "check-config: $(cat "$work/check.out")"
run items items --now "$now"
grep -q "Wereldpers" "$work/items.out" || fail "items: no Wereldpers item"
run preview preview --now "$now"
grep -qF "$marker" "$work/preview.out" ||
	fail "preview does not use the installed templates"
run import subscribers import "$etc/demo/subscribers.csv"
run send send --now "$now"
grep -q ": sent 3, .* skipped 0" "$work/send.out" ||
	fail "send: $(cat "$work/send.out")"
count=$(find "$var/outbox/new" -type f | wc -l)
[ "$count" -eq 3 ] || fail "send: $count messages in the outbox, not 3"
[ "$(grep -lF "$marker" "$var/outbox/new"/* | wc -l)" -eq 3 ] ||
	fail "sent messages do not use the installed templates"
run again send --now "$now"
grep -q ": sent 0, .* skipped 3" "$work/again.out" ||
	fail "second send: $(cat "$work/again.out")"
exit $failed
