#!/bin/sh
# bench/send.sh - `digest send` to 2,000 subscribers through Postfix's
# smtp-sink on 127.0.0.1, over one reused SMTP connection.  Prints messages
# per second, CPU seconds and peak RSS; checks that the sink received every
# message; and, in the same run, times the reference: Postfix's
# smtp-source sending as many messages of the same mean size to the same
# sink over one connection, with the ratio of the two rates.
#
# Usage: bench/send.sh [BUILD_DIR] [SUBSCRIBERS]
# Needs postfix's smtp-sink and smtp-source (scripts/install-deps --bench)
# and GNU time.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
count=${2:-2000}
digest=$PWD/$build/digest
sink=/usr/sbin/smtp-sink
source=/usr/sbin/smtp-source
for tool in "$sink" "$source" /usr/bin/time; do
	[ -x "$tool" ] || { echo "bench/send: no $tool (scripts/install-deps --bench)" >&2; exit 77; }
done
[ -x "$digest" ] || { echo "bench/send: build first: scripts/build $build" >&2; exit 1; }

work=$(mktemp -d)
sink_pid=""
cleanup() {
	[ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

# A free port: bind 0, read it back, release it.
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# -c keeps running counters ("sess=1 quit=1 mesg=2000", each ended by a
# carriage return) on standard output, updated as each message's "."
# arrives: that is how the messages that arrived are counted.  1000 is the
# listen backlog.
"$sink" -c -u nobody 127.0.0.1:"$port" 1000 >"$work/sink.out" 2>"$work/sink.err" &
sink_pid=$!

# The messages the sink has counted so far.
sink_count() {
	counted=$(tr '\r' '\n' <"$work/sink.out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -n 1)
	echo "${counted:-0}"
}

# Waits up to five seconds for the sink's counter to reach $1; fails with
# the count it did reach.
expect_count() {
	tries=0
	while [ "$(sink_count)" != "$1" ] && [ "$tries" -lt 50 ]; do
		tries=$((tries + 1))
		sleep 0.1
	done
	got=$(sink_count)
	[ "$got" = "$1" ] || {
		echo "bench/send: smtp-sink counted ${got:-0} messages after $2, want $1" >&2
		exit 1
	}
}

# The key that signs each subscriber's links, as a real run has one.
(umask 077 && head -c 32 /dev/urandom | base64 >"$work/link.key")

write_config() {
	# $1: the config file, $2: its state database, $3: the [mail] transport
	# lines.
	cat >"$1" <<INI
[digest]
title = Buitenland vandaag
templates = $PWD/templates
state = $2
max_age = 30d
[source demo]
url = file://$PWD/config/demo/buitenland.xml
category = Buitenland
[source wereld]
url = file://$PWD/config/demo/wereld.atom
[mail]
$3
default_provider = sink
list_id = Bench <bench.example.nl>
unsubscribe_mailto = afmelden@example.nl
[web]
base_url = https://nieuws.example.nl/digest
secret_file = $work/link.key
[provider sink]
name = smtp-sink
smtp_url = smtp://127.0.0.1:$port
tls = none
from = nieuws@example.nl
from_name = Nieuws
INI
}
write_config "$work/digest.ini" "$work/state.sqlite" "transport = smtp"
{
	echo "email,name,language,format"
	i=1
	while [ "$i" -le "$count" ]; do
		case $((i % 4)) in
		0) echo "lezer$i@example.nl,Lezer Nummer $i,en,text" ;;
		*) echo "lezer$i@example.nl,Lezer Nummer $i,nl,both" ;;
		esac
		i=$((i + 1))
	done
} >"$work/subscribers.csv"
"$digest" --config "$work/digest.ini" subscribers import "$work/subscribers.csv" >/dev/null

# Wait for the sink to listen.
tries=0
until /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null; do
	tries=$((tries + 1)); [ "$tries" -lt 50 ] || { echo "smtp-sink did not start" >&2; exit 1; }
	sleep 0.1
done
# That probe was a session of its own, with no message.
expect_count 0 "the start"

now=2026-11-29T09:30:00+01:00
/usr/bin/time -f "%e %U %S %M" -o "$work/time" ${BENCH_WRAPPER:-} \
	"$digest" --config "$work/digest.ini" send --now "$now" >"$work/out" 2>"$work/err" || {
	echo "bench/send: digest send failed:" >&2; cat "$work/out" "$work/err" >&2; exit 1; }
read -r elapsed user sys rss_kb <"$work/time"
echo "$(cat "$work/out")"
awk -v n="$count" -v e="$elapsed" -v u="$user" -v s="$sys" -v r="$rss_kb" 'BEGIN {
	printf "send: %d messages in %.2f s = %.0f messages/s; CPU %.2f s (user %.2f + sys %.2f); peak RSS %.1f MB\n",
		n, e, n / e, u + s, u, s, r / 1024 }'
expect_count "$count" "digest send"
echo "arrived: $count of $count messages (smtp-sink -c)"

# The same messages again, untimed, into a maildir outbox (in memory when
# /dev/shm is there), for their mean size.
outbox=$(mktemp -d "${BENCH_OUTBOX_PARENT:-/dev/shm}/digest-bench-XXXXXX" 2>/dev/null || mktemp -d)
write_config "$work/sizes.ini" "$work/sizes.sqlite" \
	"transport = maildir
outbox = $outbox"
"$digest" --config "$work/sizes.ini" subscribers import "$work/subscribers.csv" >/dev/null
"$digest" --config "$work/sizes.ini" send --now "$now" >/dev/null 2>"$work/sizes.err" || {
	echo "bench/send: the maildir run failed:" >&2; cat "$work/sizes.err" >&2; rm -rf "$outbox"; exit 1; }
mean=$(find "$outbox/new" -type f -name '*.eml' -printf '%s\n' |
	awk -v n="$count" '{ total += $1; files++ } END {
		if (files != n) exit 1; printf "%.0f\n", total / files }') || {
	echo "bench/send: the maildir run wrote the wrong number of messages" >&2; rm -rf "$outbox"; exit 1; }
rm -rf "$outbox"

# The reference: smtp-source, one session (-s 1) that stays connected (-d)
# as digest's does, with bodies of the mean size (-l; its few headers of its
# own come on top).
reference="smtp-source -s 1 -d -l $mean -m $count -f nieuws@example.nl -t lezer@example.nl 127.0.0.1:$port"
/usr/bin/time -f "%e %U %S %M" -o "$work/time-ref" \
	"$source" -s 1 -d -l "$mean" -m "$count" -f nieuws@example.nl \
	-t lezer@example.nl 127.0.0.1:"$port" >"$work/ref.out" 2>&1 || {
	echo "bench/send: smtp-source failed:" >&2; cat "$work/ref.out" >&2; exit 1; }
expect_count "$((count * 2))" "smtp-source"
read -r ref_elapsed ref_user ref_sys ref_rss_kb <"$work/time-ref"
awk -v n="$count" -v m="$mean" -v e="$elapsed" -v re="$ref_elapsed" \
	-v ru="$ref_user" -v rs="$ref_sys" -v cmd="$reference" 'BEGIN {
	if (re <= 0) re = 0.01
	printf "reference: %s\n", cmd
	printf "reference: %d messages of %d bytes in %.2f s = %.0f messages/s; CPU %.2f s\n",
		n, m, re, n / re, ru + rs
	printf "ratio: digest send reaches %.2f of smtp-source'"'"'s rate (%.0f / %.0f messages/s)\n",
		(n / e) / (n / re), n / e, n / re }'
