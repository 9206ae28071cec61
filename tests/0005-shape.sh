#!/bin/sh
# The house stays readable: no source file of the program over 800 lines
# and no function over 100 (from the line that names it to its closing
# brace, in the tree's one-function-per-definition style), so that a
# file still holds one concern and a function still fits on a screen or two.
set -u
failed=0
for file in "$DIGEST_SRC"/digest/*.c "$DIGEST_SRC"/digest/*.h; do
	lines=$(wc -l <"$file")
	if [ "$lines" -gt 800 ]; then
		echo "FAIL: ${file#"$DIGEST_SRC"/} has $lines lines (at most 800)"
		failed=1
	fi
done
long=$(awk '
	FNR == 1 { start = 0 }
	/^[A-Za-z_][A-Za-z0-9_]*\(/ { name = $0; start = FNR }
	/^}/ {
		if (start && FNR - start > 100)
			printf "%s: %s is %d lines (at most 100)\n",
			    FILENAME, name, FNR - start
		start = 0
	}' "$DIGEST_SRC"/digest/*.c)
if [ -n "$long" ]; then
	echo "$long" | sed "s|^$DIGEST_SRC/|FAIL: |"
	failed=1
fi
[ "$failed" -eq 0 ] && echo "every file and function within bounds"
exit "$failed"
