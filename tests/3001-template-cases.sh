#!/bin/sh
# Renders every case under tests/data/template/<case>/ with render-template
# and compares: template.mustache + data.json (+ partials/, + a "text" file
# for plain-text escaping, + a "strict" file for a missing partial to be an
# error) must give exactly "expected", or, when an "error" file exists, fail
# with exit 65 and a message containing its first line.
set -u

tool="${DIGEST_TEST_BIN:?}/render-template"
cases="${DIGEST_TEST_DATA:?}/template"
if [ ! -x "$tool" ]; then
	echo "3001: $tool not built" >&2
	exit 77
fi
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

total=0
failed=0
for dir in "$cases"/*/; do
	dir=${dir%/}
	name=${dir##*/}
	total=$((total + 1))
	set -- "$dir/template.mustache" "$dir/data.json" "$dir/partials"
	if [ -e "$dir/text" ]; then
		set -- "$@" --text
	fi
	if [ -e "$dir/strict" ]; then
		set -- "$@" --strict
	fi
	"$tool" "$@" >"$work/out" 2>"$work/err"
	rc=$?
	if [ -e "$dir/error" ]; then
		want=$(head -n 1 "$dir/error")
		if [ "$rc" -ne 65 ]; then
			echo "FAIL $name: exit $rc, want 65" >&2
			cat "$work/err" >&2
			failed=$((failed + 1))
		elif ! grep -F -e "$want" "$work/err" >/dev/null; then
			echo "FAIL $name: error lacks '$want':" >&2
			cat "$work/err" >&2
			failed=$((failed + 1))
		fi
		continue
	fi
	if [ "$rc" -ne 0 ]; then
		echo "FAIL $name: exit $rc" >&2
		cat "$work/err" >&2
		failed=$((failed + 1))
	elif ! cmp -s "$dir/expected" "$work/out"; then
		echo "FAIL $name: output differs (expected, then got):" >&2
		od -c "$dir/expected" | head -n 20 >&2
		od -c "$work/out" | head -n 20 >&2
		failed=$((failed + 1))
	fi
done
if [ "$total" -lt 60 ]; then
	echo "3001: only $total cases found in $cases" >&2
	exit 1
fi
echo "3001: $((total - failed))/$total template cases pass"
[ "$failed" -eq 0 ]
