#!/bin/sh
# bench/send.sh - `digest send` to 2,000 subscribers through Postfix's
# smtp-sink on 127.0.0.1, over one reused SMTP connection.  Prints messages
# per second, CPU seconds and peak RSS.
#
# Usage: bench/send.sh [BUILD_DIR] [SUBSCRIBERS]
# Needs postfix's smtp-sink (scripts/install-deps --bench) and GNU time.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
count=${2:-2000}
digest=$PWD/$build/digest
sink=/usr/sbin/smtp-sink
[ -x "$sink" ] || { echo "bench/send: no $sink (scripts/install-deps --bench)" >&2; exit 77; }
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
# -c counts sessions and messages on SIGUSR1-free exit; 1000 is the backlog.
"$sink" -u nobody 127.0.0.1:"$port" 1000 &
sink_pid=$!

# The key that signs each subscriber's links, as a real run has one.
(umask 077 && head -c 32 /dev/urandom | base64 >"$work/link.key")

cat >"$work/digest.ini" <<INI
[digest]
title = Buitenland vandaag
templates = $PWD/templates
state = $work/state.sqlite
max_age = 30d
[source demo]
url = file://$PWD/config/demo/buitenland.xml
category = Buitenland
[source wereld]
url = file://$PWD/config/demo/wereld.atom
[mail]
transport = smtp
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

now=2026-11-29T09:30:00+01:00
/usr/bin/time -f "%e %U %S %M" -o "$work/time" ${BENCH_WRAPPER:-} \
	"$digest" --config "$work/digest.ini" send --now "$now" >"$work/out" 2>"$work/err" || {
	echo "bench/send: digest send failed:" >&2; cat "$work/out" "$work/err" >&2; exit 1; }
read -r elapsed user sys rss_kb <"$work/time"
echo "$(cat "$work/out")"
awk -v n="$count" -v e="$elapsed" -v u="$user" -v s="$sys" -v r="$rss_kb" 'BEGIN {
	printf "send: %d messages in %.2f s = %.0f messages/s; CPU %.2f s (user %.2f + sys %.2f); peak RSS %.1f MB\n",
		n, e, n / e, u + s, u, s, r / 1024 }'
