#!/bin/sh
# bench/rss.sh - the peak resident set (GNU time's %M) of `digest send` at
# several list sizes, to show whether memory grows with the list.
#
# Each size's subscribers go straight into the SQLite store: one row is
# imported with `digest subscribers import` (which creates the schema and
# shows what an imported row holds), and python3 copies it, with other
# addresses, names, providers, languages and formats, for the rest in one
# transaction.  Sending a million real messages would take too long, so
# every size runs with `digest send --dry-run`, which builds every
# subscriber's letter (rendered and MIME-encoded) and counts it as sent,
# but hands nothing to a transport and writes no journal.  The sizes in
# SINK_SIZES are also sent for real to Postfix's smtp-sink, so that the
# relation between the two is known.
#
# Usage: bench/rss.sh [BUILD_DIR]
# Parameters (environment):
#   SIZES        list sizes (default "1000 100000 1000000")
#   SINK_SIZES   sizes also sent to smtp-sink (default "1000 100000")
#   CONNECTIONS  max_connections of each provider (default 1)
#   CLIENT       smtp_client: libesmtp | libcurl (default libesmtp)
# Prints one line per size and run, then, for the dry runs and for the
# runs sent to the sink apart, the ratio of the largest size's peak RSS to
# the smallest's against issue 11's targets: at most 32 MB at 1,000,000
# subscribers and within 1.2x of that at 1,000.
# Needs python3, GNU time, and for SINK_SIZES postfix's smtp-sink
# (scripts/install-deps --bench).
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
sizes=${SIZES:-1000 100000 1000000}
sink_sizes=${SINK_SIZES-1000 100000}
connections=${CONNECTIONS:-1}
client=${CLIENT:-libesmtp}
digest=$PWD/$build/digest
sink=/usr/sbin/smtp-sink

fail() {
	echo "bench/rss: $*" >&2
	exit 1
}
for n in $sizes $sink_sizes $connections; do
	case $n in '' | *[!0-9]* | 0) fail "sizes and CONNECTIONS must be whole numbers above 0, not \"$n\"" ;; esac
done
case $client in libesmtp | libcurl) ;; *) fail "CLIENT must be libesmtp or libcurl" ;; esac
[ -x /usr/bin/time ] || { echo "bench/rss: no GNU time" >&2; exit 77; }
[ -z "$sink_sizes" ] || [ -x "$sink" ] ||
	{ echo "bench/rss: no $sink (scripts/install-deps --bench)" >&2; exit 77; }
[ -x "$digest" ] || fail "build first: scripts/build $build"

work=$(mktemp -d)
sink_pid=""
cleanup() {
	[ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. bench/lib.sh
port=$(free_port)
if [ -n "$sink_sizes" ]; then
	"$sink" -c -u nobody 127.0.0.1:"$port" 1000 >"$work/sink.out" 2>"$work/sink.err" &
	sink_pid=$!
fi
make_link_key

# A store of $1 subscribers at $2, the same mix as bench/send.sh's: the
# two providers alternate; three in four read Dutch multipart, one in
# four English text-only.
make_store() {
	write_config "$work/make.ini" "$2" "transport = smtp" "$port" "$client" \
		"$connections" 100
	printf 'email,name,provider,language,format\n%s\n' \
		"lezer1@example.nl,Lezer Nummer 1,zeelandnet,nl,both" >"$work/one.csv"
	"$digest" --config "$work/make.ini" subscribers import "$work/one.csv" \
		>/dev/null || fail "importing the first subscriber failed"
	/usr/bin/python3 - "$2" "$1" <<'PY'
import sqlite3
import sys

path, count = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(path)
db.row_factory = sqlite3.Row
first = db.execute("SELECT * FROM subscribers").fetchone()
columns = [c for c in first.keys() if c != "id"]
made = {"email", "name", "provider", "language", "format"}
kept = [first[c] for c in columns if c not in made]
names = [c for c in columns if c not in made] + sorted(made)


def rows():
    for i in range(2, count + 1):
        language, format_ = ("en", "text") if i // 2 % 4 == 3 \
            else ("nl", "both")
        # Sorted: email, format, language, name, provider.
        yield kept + ["lezer%d@example.nl" % i, format_, language,
                      "Lezer Nummer %d" % i,
                      "delta" if i % 2 == 0 else "zeelandnet"]


with db:
    db.executemany("INSERT INTO subscribers (%s) VALUES (%s)"
                   % (", ".join(names), ", ".join("?" * len(names))),
                   rows())
got = db.execute("SELECT count(*) FROM subscribers WHERE active = 1")
if got.fetchone()[0] != count:
    sys.exit("bench/rss: the store does not hold %d subscribers" % count)
db.close()
PY
}

now=2026-11-29T09:30:00+01:00

# Times one `digest send` ($2: --dry-run or nothing) from a copy of the
# store $1 of $3 subscribers; prints "elapsed cpu rss_kb".
measure() {
	rm -f "$work"/run.sqlite*
	cp "$1" "$work/run.sqlite"
	write_config "$work/run.ini" "$work/run.sqlite" "transport = smtp" "$port" \
		"$client" "$connections" 100
	/usr/bin/time -f "%e %U %S %M" -o "$work/time" \
		"$digest" --config "$work/run.ini" send ${2:+"$2"} --now "$now" \
		>"$work/out" 2>"$work/err" || {
		cat "$work/out" "$work/err" >&2
		fail "digest send $2 failed"
	}
	grep -q ": sent $3, failed temporarily 0, failed permanently 0," "$work/out" || {
		cat "$work/out" "$work/err" >&2
		fail "digest send $2 did not count all $3 subscribers as sent"
	}
	read -r elapsed user sys rss_kb <"$work/time"
	echo "$elapsed $(echo "$user $sys" | awk '{ print $1 + $2 }') $rss_kb"
}

# Prints one result line: $1 size, $2 what, $3 "elapsed cpu rss_kb".
show() {
	echo "$3" | awk -v n="$1" -v what="$2" -v l="$(load)" '{
		printf "%8d subscribers, %-22s peak RSS %6.1f MB; %7.1f s, CPU %6.1f s (%.0f letters/s); load %s\n",
			n, what, $3 / 1024, $1, $2, n / ($1 > 0 ? $1 : 0.01), l }'
}

echo "bench/rss: peak RSS of digest send; dry runs build every letter and send nothing; max_connections $connections, smtp_client $client; load $(load)"
expected=0
: >"$work/dry"
: >"$work/sent"
for n in $sizes; do
	make_store "$n" "$work/store.sqlite"
	result=$(measure "$work/store.sqlite" --dry-run "$n")
	show "$n" "dry run:" "$result"
	echo "$n $result" >>"$work/dry"
	for m in $sink_sizes; do
		[ "$m" = "$n" ] || continue
		result=$(measure "$work/store.sqlite" "" "$n")
		expected=$((expected + n))
		tries=0
		while [ "$(sink_count)" != "$expected" ] && [ "$tries" -lt 50 ]; do
			tries=$((tries + 1))
			sleep 0.1
		done
		[ "$(sink_count)" = "$expected" ] ||
			fail "smtp-sink counted $(sink_count) messages, want $expected"
		show "$n" "sent to smtp-sink:" "$result"
		echo "$n $result" >>"$work/sent"
	done
	rm -f "$work"/store.sqlite* "$work"/run.sqlite*
done

# The largest list against the smallest, for the dry runs and for the
# sizes sent to the sink, against issue 11's targets.
verdict() {
	sort -n "$work/$1" | awk -v what="$1" '
	NR == 1 { n1 = $1; r1 = $4 }
	{ n2 = $1; r2 = $4 }
	END {
		if (NR < 2)
			exit
		ratio = r2 / r1
		if (ratio <= 1.2)
			growth = "met"
		else
			growth = sprintf("MISSED by %.0f%%", 100 * (ratio - 1.2) / 1.2)
		printf "%s: peak RSS at %d / at %d subscribers = %.1f MB / %.1f MB = %.2f (target <= 1.2: %s)\n",
			what, n2, n1, r2 / 1024, r1 / 1024, ratio, growth
		if (n2 < 1000000)
			exit
		if (r2 / 1024 <= 32)
			size = "met"
		else
			size = sprintf("MISSED by %.1f MB", r2 / 1024 - 32)
		printf "%s: peak RSS at %d subscribers %.1f MB (target <= 32 MB: %s)\n",
			what, n2, r2 / 1024, size
	}'
}
verdict dry
verdict sent
