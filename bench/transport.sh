#!/bin/sh
# bench/transport.sh - bench-transport through libESMTP and libcurl to
# Postfix's smtp-sink on 127.0.0.1, directly and through bench/latency-proxy
# (DELAY_MS each way), one connection each, runs interleaved; prints every
# run and the median messages/s of each kind.
#
# Usage: bench/transport.sh [BUILD_DIR] [COUNT] [SIZE] [RUNS] [DELAY_MS]
# Defaults: build, 2000 messages of 18000 bytes, 5 runs, 10 ms; through the
# proxy a tenth of COUNT.  Needs smtp-sink (scripts/install-deps --bench).
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
count=${2:-2000}
size=${3:-18000}
runs=${4:-5}
delay=${5:-10}
bench=$PWD/$build/bench/bench-transport
sink=/usr/sbin/smtp-sink
[ -x "$sink" ] || { echo "bench/transport: no $sink (scripts/install-deps --bench)" >&2; exit 77; }
[ -x "$bench" ] || { echo "bench/transport: build first: scripts/build $build" >&2; exit 1; }

work=$(mktemp -d)
sink_pid=""
cleanup() {
	[ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null
	exec 3>&- 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$sink" -u nobody 127.0.0.1:"$port" 1000 &
sink_pid=$!
tries=0
until /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null; do
	tries=$((tries + 1)); [ "$tries" -lt 50 ] || { echo "smtp-sink did not start" >&2; exit 1; }
	sleep 0.1
done

# The proxy stops when its standard input (fd 3's pipe) closes.
mkfifo "$work/proxy-in"
bench/latency-proxy --target 127.0.0.1:"$port" --delay "$delay" \
	<"$work/proxy-in" >"$work/proxy-port" &
exec 3>"$work/proxy-in"
tries=0
until [ -s "$work/proxy-port" ]; do
	tries=$((tries + 1)); [ "$tries" -lt 50 ] || { echo "latency-proxy did not start" >&2; exit 1; }
	sleep 0.1
done
proxy=$(cat "$work/proxy-port")
slow_count=$((count / 10))

run=1
while [ "$run" -le "$runs" ]; do
	for transport in esmtp curl; do
		"$bench" --transport "$transport" --count "$count" \
			--size "$size" --port "$port" |
			sed "s/^/direct /" | tee -a "$work/results"
		"$bench" --transport "$transport" --count "$slow_count" \
			--size "$size" --port "$proxy" |
			sed "s/^/${delay}ms /" | tee -a "$work/results"
	done
	run=$((run + 1))
done
echo "medians of $runs runs, messages/s:"
for kind in "direct esmtp" "direct curl" "${delay}ms esmtp" "${delay}ms curl"; do
	grep "^$kind:" "$work/results" | sed 's/.* \([0-9]*\) messages\/s.*/\1/' |
		sort -n | awk -v k="$kind" '{ v[NR] = $1 } END {
			printf "  %-12s %s\n", k, v[int((NR + 1) / 2)] }'
done
