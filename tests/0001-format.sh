#!/bin/sh
# The tree stays formatted by .clang-format (HACKING.md): a C file that
# clang-format would change fails here, naming the file.  Each major
# version of clang-format formats a little differently, and the tree
# follows clang-format 14 (Debian 12's); another version would report
# files that are fine, so it skips instead, saying so.
want=14
tool=""
for candidate in clang-format-$want clang-format; do
	if command -v "$candidate" >/dev/null 2>&1; then
		tool=$candidate
		break
	fi
done
[ -n "$tool" ] || { echo "SKIP: no clang-format"; exit 77; }
version=$("$tool" --version |
	sed -n 's/.*clang-format version \([0-9][0-9]*\)\..*/\1/p')
if [ "$version" != "$want" ]; then
	echo "SKIP: $tool is version ${version:-unknown}; the tree is" \
		"formatted by clang-format $want, whose output differs"
	exit 77
fi
cd "$DIGEST_SRC" || exit 1
failed=0
for file in digest/*.c digest/*.h tests/*.c tests/*.h tests/lib/*.c \
	tests/lib/*.h fuzz/*.c bench/*.c; do
	[ -f "$file" ] || continue
	if ! "$tool" "$file" | cmp -s - "$file"; then
		echo "not formatted: $file (run $tool -i $file)"
		failed=1
	fi
done
exit $failed
