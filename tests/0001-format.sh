#!/bin/sh
# The tree stays formatted by .clang-format (STYLE.md): a C file that
# clang-format would change fails here, naming the file.
command -v clang-format >/dev/null 2>&1 || { echo "SKIP: no clang-format"; exit 77; }
cd "$DIGEST_SRC" || exit 1
failed=0
for file in digest/*.c digest/*.h tests/*.c tests/*.h tests/lib/*.c \
	tests/lib/*.h fuzz/*.c bench/*.c; do
	[ -f "$file" ] || continue
	if ! clang-format "$file" | cmp -s - "$file"; then
		echo "not formatted: $file (run clang-format -i $file)"
		failed=1
	fi
done
exit $failed
