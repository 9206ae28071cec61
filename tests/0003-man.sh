#!/bin/sh
# The manual pages render without a single warning, both as man(1) shows
# them (man-db with --warnings) and through groff with every warning on,
# and no rendered line is wider than the 80 columns asked for.  They also
# keep up with the program: every command and option that `--help` lists
# is in digest(1), and every key that config*.c accept is in digest.ini(5).
set -u
command -v man >/dev/null 2>&1 || { echo "SKIP: no man (man-db)"; exit 77; }
command -v groff >/dev/null 2>&1 || { echo "SKIP: no groff"; exit 77; }
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
failed=0
fail() {
	echo "FAIL: $*"
	failed=1
}

for page in "$DIGEST_SRC/man/digest.1" "$DIGEST_SRC/man/digest.ini.5"; do
	name=${page##*/}
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" \
		>"$work/$name.txt" 2>"$work/$name.err"
	status=$?
	[ "$status" -eq 0 ] || fail "man -l $name: exit $status"
	if [ -s "$work/$name.err" ]; then
		fail "man -l $name warns:"
		cat "$work/$name.err"
	fi
	LC_ALL=C.UTF-8 groff -ww -z -man "$page" 2>"$work/$name.groff"
	if [ -s "$work/$name.groff" ]; then
		fail "groff -ww $name warns:"
		cat "$work/$name.groff"
	fi
	grep -q "^NAME" "$work/$name.txt" || fail "$name: no NAME section"
	width=$(LC_ALL=C.UTF-8 wc -L <"$work/$name.txt")
	[ "$width" -le 80 ] || fail "$name: a line of $width columns"
done

# In the roff source an option is written with escaped hyphens (\-\-now).
documented() {
	sed 's/\\-/-/g' "$DIGEST_SRC/man/$1" | grep -q -e "$2"
}

# Commands and options, as the program itself lists them.
config="$DIGEST_SRC/config/digest.ini"
"$DIGEST" --help >"$work/help" 2>&1 || fail "digest --help failed"
commands=$(sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' "$work/help")
[ -n "$commands" ] || fail "no commands in digest --help"
for command in $commands; do
	documented digest.1 "^\.SS $command\$" ||
		fail "digest.1: no section for command $command"
	"$DIGEST" --config "$config" "$command" --help >>"$work/usage" 2>&1
done
"$DIGEST" --config "$config" subscribers --help >>"$work/usage" 2>&1
for sub in $(sed -n 's/^usage: digest subscribers \([a-z]*\).*/\1/p' \
	"$work/usage"); do
	documented digest.1 "subscribers $sub" ||
		fail "digest.1: subscribers $sub is missing"
done
for option in $(grep -o -e '--[a-z][a-z-]*' "$work/help" "$work/usage" |
	sed 's/.*://' | sort -u); do
	documented digest.1 "$option" || fail "digest.1: $option is missing"
done
[ -s "$work/usage" ] || fail "no command printed a usage"

# Keys, as config*.c accept them: the lists named *_keys[], each read from
# its opening line to the "};" that closes it (on the same line or later).
keys=$(cat "$DIGEST_SRC"/digest/config*.c |
	sed -n '/_keys\[\] = {/{
:more
/};/!{
N
b more
}
p
}' | grep -o '"[a-z_]*"' | tr -d '"' | sort -u)
[ -n "$keys" ] || fail "found no key lists (*_keys[]) in digest/config*.c"
for key in $keys; do
	documented digest.ini.5 "^\.B $key\$" ||
		fail "digest.ini.5: key $key is missing"
done
for section in digest fetch mail "source ID" "provider ID"; do
	documented digest.ini.5 "^\.SH \"\[$section\]\"" ||
		fail "digest.ini.5: section [$section] is missing"
done
exit $failed
