#!/bin/sh
# bench/send.sh - `digest send` to SUBSCRIBERS subscribers, spread across
# two providers (zeelandnet and delta) that both point at Postfix's
# smtp-sink on 127.0.0.1, directly or through bench/latency-proxy; in the
# same run, the reference: Postfix's smtp-source sending as many messages
# of digest's mean size with as many sessions to the same sink.  Runs are
# interleaved; per configuration it prints medians of messages/s, the
# ratio of the two rates (the median of the ratios within each run),
# digest's CPU seconds and peak RSS, and the target of issue 11 the ratio
# is to reach.  It fails unless the sink
# counted every message of every run.
#
# Usage: bench/send.sh [BUILD_DIR] [SUBSCRIBERS]
# Parameters (environment; a list in CONNECTIONS, CLIENT or DELAY_MS runs
# every combination, sharing the subscribers and the size measurement):
#   SUBSCRIBERS     subscribers to send to (default 10000)
#   CONNECTIONS     max_connections of each provider, and smtp-source -s
#                   (default 1; e.g. "1 8")
#   CLIENT          smtp_client of both providers: libesmtp | libcurl
#                   (default libesmtp; e.g. "libesmtp libcurl")
#   DELAY_MS        0: straight to the sink; N: through bench/latency-proxy
#                   delaying each direction by N ms (default 0)
#   RUNS            interleaved runs of each, medians printed (default 3)
#   PER_CONNECTION  messages_per_connection (default 100, digest's own)
#   PROVIDERS       2: subscribers alternate between the two providers, so
#                   digest may open 2 x CONNECTIONS sessions; 1: all on
#                   zeelandnet, exactly CONNECTIONS (default 2)
#   REF_SESSIONS    smtp-source -s (default: PROVIDERS x CONNECTIONS, the
#                   most sessions digest may have open at once)
#   PIN             same: digest, smtp-source, the sink and the proxy all
#                   on CLIENT_CPUS (default, as issue 11 measured); split:
#                   the clients on CLIENT_CPUS, sink and proxy on
#                   SINK_CPUS; none: not pinned (taskset)
#   CLIENT_CPUS     default 0;  SINK_CPUS  default 1
#   BENCH_WRAPPER   runs digest under it, e.g. "valgrind --tool=callgrind"
# Needs postfix's smtp-sink and smtp-source (scripts/install-deps --bench)
# and GNU time.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
count=${2:-${SUBSCRIBERS:-10000}}
connections_list=${CONNECTIONS:-1}
clients=${CLIENT:-libesmtp}
delays=${DELAY_MS:-0}
runs=${RUNS:-3}
per_connection=${PER_CONNECTION:-100}
providers=${PROVIDERS:-2}
pin=${PIN:-same}
client_cpus=${CLIENT_CPUS:-0}
sink_cpus=${SINK_CPUS:-1}
digest=$PWD/$build/digest
sink=/usr/sbin/smtp-sink
source=/usr/sbin/smtp-source

fail() {
	echo "bench/send: $*" >&2
	exit 1
}
number() {
	case $2 in '' | *[!0-9]*) fail "$1 must be a whole number, not \"$2\"" ;; esac
}
number SUBSCRIBERS "$count"
number RUNS "$runs"
number PER_CONNECTION "$per_connection"
for c in $connections_list; do number CONNECTIONS "$c"; done
for d in $delays; do number DELAY_MS "$d"; done
[ -z "${REF_SESSIONS:-}" ] || number REF_SESSIONS "$REF_SESSIONS"
for c in $clients; do
	case $c in libesmtp | libcurl) ;; *) fail "CLIENT must be libesmtp or libcurl, not \"$c\"" ;; esac
done
case $providers in 1 | 2) ;; *) fail "PROVIDERS must be 1 or 2" ;; esac
if [ "$count" -eq 0 ] || [ "$runs" -eq 0 ]; then
	fail "SUBSCRIBERS and RUNS must be above 0"
fi
for tool in "$sink" "$source" /usr/bin/time; do
	[ -x "$tool" ] || { echo "bench/send: no $tool (scripts/install-deps --bench)" >&2; exit 77; }
done
[ -x "$digest" ] || fail "build first: scripts/build $build"

# Both ends alike.  By default (same), as issue 11 measured: digest,
# smtp-source, the sink and the proxy all share one CPU, so each client
# pays for the server's work alike and the other CPU is left to the rest
# of the machine.  split puts the clients on CLIENT_CPUS and the far side
# on SINK_CPUS; on the 2-core VM that made every round trip a cross-CPU
# wake-up and smtp-source -s 1 ran at a seventh of its one-CPU rate.
command -v taskset >/dev/null || fail "no taskset (util-linux)"
all_cpus=0-$(($(nproc) - 1))
case $pin in
same)
	sink_cpus=$client_cpus
	pinning="pinned: digest, smtp-source, smtp-sink and proxy all on CPU $client_cpus"
	;;
split)
	[ "$(nproc)" -ge 2 ] || fail "PIN=split needs two CPUs"
	pinning="pinned: digest and smtp-source on CPU $client_cpus, smtp-sink and proxy on CPU $sink_cpus"
	;;
none)
	client_cpus=$all_cpus
	sink_cpus=$all_cpus
	pinning="not pinned"
	;;
*) fail "PIN must be same, split or none, not \"$pin\"" ;;
esac

work=$(mktemp -d)
sink_pid=""
proxy_pid=""
outbox=""
cleanup() {
	[ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
	exec 3>&- 2>/dev/null
	[ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null
	[ -n "$outbox" ] && rm -rf "$outbox"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. bench/lib.sh
port=$(free_port)
# -c keeps running counters on standard output (sink_counter in
# bench/lib.sh); 1000 is the listen backlog.
taskset -c "$sink_cpus" "$sink" -c -u nobody 127.0.0.1:"$port" 1000 >"$work/sink.out" 2>"$work/sink.err" &
sink_pid=$!

# Waits up to five seconds for the sink's counter to reach $1; fails with
# the count it did reach.
expect_count() {
	tries=0
	while [ "$(sink_count)" != "$1" ] && [ "$tries" -lt 50 ]; do
		tries=$((tries + 1))
		sleep 0.1
	done
	got=$(sink_count)
	[ "$got" = "$1" ] || fail "smtp-sink counted ${got:-0} messages after $2, want $1"
}

make_link_key

# Subscribers alternate between the providers (PROVIDERS=2); of each
# provider's, three in four read Dutch multipart, one in four English
# text-only.
awk -v n="$count" -v p="$providers" 'BEGIN {
	print "email,name,provider,language,format"
	for (i = 1; i <= n; i++) {
		provider = (p == 2 && i % 2 == 0) ? "delta" : "zeelandnet"
		kind = (int(i / 2) % 4 == 3) ? "en,text" : "nl,both"
		printf "lezer%d@example.nl,Lezer Nummer %d,%s,%s\n", i, i, provider, kind
	}
}' >"$work/subscribers.csv"

# The subscribers go into a database once; each digest run starts from a
# fresh copy of it, so that every run sends to all of them.
write_config "$work/import.ini" "$work/template.sqlite" "transport = smtp" \
	"$port" libesmtp 1 "$per_connection"
"$digest" --config "$work/import.ini" subscribers import "$work/subscribers.csv" \
	>/dev/null || fail "importing the subscribers failed"

now=2026-11-29T09:30:00+01:00

# The mean size of digest's messages: the same digests, untimed, into a
# maildir outbox (in memory when /dev/shm is there), for at most the
# first 2,000 subscribers (their mix is the whole list's).
sample=$count
[ "$sample" -le 2000 ] || sample=2000
outbox=$(mktemp -d "${BENCH_OUTBOX_PARENT:-/dev/shm}/digest-bench-XXXXXX" 2>/dev/null || mktemp -d)
head -n "$((sample + 1))" "$work/subscribers.csv" >"$work/sample.csv"
write_config "$work/sizes.ini" "$work/sizes.sqlite" "transport = maildir
outbox = $outbox" "$port" libesmtp 1 "$per_connection"
"$digest" --config "$work/sizes.ini" subscribers import "$work/sample.csv" >/dev/null
"$digest" --config "$work/sizes.ini" send --now "$now" >/dev/null 2>"$work/sizes.err" || {
	cat "$work/sizes.err" >&2
	fail "the maildir run failed"
}
mean=$(find "$outbox/new" -type f -name '*.eml' -printf '%s\n' |
	awk -v n="$sample" '{ total += $1; files++ } END {
		if (files != n) exit 1; printf "%.0f\n", total / files }') ||
	fail "the maildir run wrote the wrong number of messages"
rm -rf "$outbox"
outbox=""

# Wait for the sink to listen.
tries=0
until /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null; do
	tries=$((tries + 1))
	[ "$tries" -lt 50 ] || fail "smtp-sink did not start"
	sleep 0.1
done
# That probe was a session of its own, with no message.
expected=0
expect_count 0 "the start"

# Starts bench/latency-proxy in front of the sink, delaying $1 ms each
# way; sets $target to its port.
start_proxy() {
	rm -f "$work/proxy-port" "$work/proxy-in"
	# The proxy stops when its standard input (fd 3's pipe) closes.
	mkfifo "$work/proxy-in"
	taskset -c "$sink_cpus" bench/latency-proxy --target 127.0.0.1:"$port" --delay "$1" \
		<"$work/proxy-in" >"$work/proxy-port" 2>"$work/proxy.err" &
	proxy_pid=$!
	exec 3>"$work/proxy-in"
	tries=0
	until [ -s "$work/proxy-port" ]; do
		tries=$((tries + 1))
		[ "$tries" -lt 50 ] || fail "latency-proxy did not start"
		sleep 0.1
	done
	target=$(cat "$work/proxy-port")
}
stop_proxy() {
	exec 3>&-
	wait "$proxy_pid" 2>/dev/null || true
	proxy_pid=""
}

# The target of issue 11 for the ratio at $1 connections and $2 ms.
target_for() {
	if [ "$2" -eq 0 ]; then
		echo 0.7
	elif [ "$1" -gt 1 ]; then
		echo 2.0
	else
		echo ""
	fi
}

# The median of the numbers on standard input.
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# One digest run ($1: its config); appends "rate cpu rss_kb" to
# $work/digest.runs and prints the run.
digest_run() {
	rm -f "$work"/run.sqlite*
	cp "$work/template.sqlite" "$work/run.sqlite"
	sessions_before=$(sink_counter sess)
	# BENCH_WRAPPER is a command line: split into words on purpose.
	# shellcheck disable=SC2086
	/usr/bin/time -f "%e %U %S %M" -o "$work/time" \
		taskset -c "$client_cpus" ${BENCH_WRAPPER:-} \
		"$digest" --config "$1" send --now "$now" >"$work/out" 2>"$work/err" || {
		cat "$work/out" "$work/err" >&2
		fail "digest send failed"
	}
	grep -q ": sent $count, failed temporarily 0, failed permanently 0," "$work/out" || {
		cat "$work/out" "$work/err" >&2
		fail "digest send did not send to all $count subscribers"
	}
	expected=$((expected + count))
	expect_count "$expected" "digest send"
	read -r elapsed user sys rss_kb <"$work/time"
	# How many sessions digest opened tells how full its batches were.
	opened=$(($(sink_counter sess) - sessions_before))
	awk -v n="$count" -v e="$elapsed" -v u="$user" -v s="$sys" -v r="$rss_kb" \
		-v k="$opened" -v f="$work/digest.runs" 'BEGIN {
		if (e <= 0) e = 0.01
		printf "  digest:      %d messages in %6.2f s = %5.0f msg/s; CPU %.2f s (user %.2f + sys %.2f); peak RSS %.1f MB; %d sessions\n",
			n, e, n / e, u + s, u, s, r / 1024, k
		printf "%f %f %d %d\n", n / e, u + s, r, k >> f }'
}

# One smtp-source run: $1 sessions to port $2; appends "rate cpu" to
# $work/source.runs and prints the run.
source_run() {
	/usr/bin/time -f "%e %U %S %M" -o "$work/time-ref" \
		taskset -c "$client_cpus" \
		"$source" -s "$1" -d -l "$mean" -m "$count" -f nieuws@example.nl \
		-t lezer@example.nl 127.0.0.1:"$2" >"$work/ref.out" 2>&1 || {
		cat "$work/ref.out" >&2
		fail "smtp-source failed"
	}
	expected=$((expected + count))
	expect_count "$expected" "smtp-source"
	read -r elapsed user sys rss_kb <"$work/time-ref"
	awk -v n="$count" -v e="$elapsed" -v u="$user" -v s="$sys" \
		-v f="$work/source.runs" 'BEGIN {
		if (e <= 0) e = 0.01
		printf "  smtp-source: %d messages in %6.2f s = %5.0f msg/s; CPU %.2f s\n",
			n, e, n / e, u + s
		printf "%f %f\n", n / e, u + s >> f }'
}

echo "bench/send: $count subscribers ($providers provider(s)), messages of $mean bytes on average (maildir run of $sample), $runs runs each, $pinning; messages_per_connection $per_connection; load $(load)"
: >"$work/summary"
for delay in $delays; do
	target=$port
	[ "$delay" -eq 0 ] || start_proxy "$delay"
	for connections in $connections_list; do
		sessions=${REF_SESSIONS:-$((connections * providers))}
		for client in $clients; do
			write_config "$work/run.ini" "$work/run.sqlite" "transport = smtp" \
				"$target" "$client" "$connections" "$per_connection"
			: >"$work/digest.runs"
			: >"$work/source.runs"
			load_before=$(load)
			name="SUBSCRIBERS=$count CONNECTIONS=$connections CLIENT=$client DELAY_MS=$delay"
			echo "$name (digest up to $((connections * providers)) sessions, smtp-source -s $sessions):"
			run=1
			while [ "$run" -le "$runs" ]; do
				# Each goes first every other run, so that a drift
				# in the machine's load falls on both alike.
				if [ $((run % 2)) -eq 1 ]; then
					digest_run "$work/run.ini"
					source_run "$sessions" "$target"
				else
					source_run "$sessions" "$target"
					digest_run "$work/run.ini"
				fi
				run=$((run + 1))
			done
			d_rate=$(cut -d' ' -f1 "$work/digest.runs" | median)
			d_cpu=$(cut -d' ' -f2 "$work/digest.runs" | median)
			d_rss=$(cut -d' ' -f3 "$work/digest.runs" | median)
			d_sessions=$(cut -d' ' -f4 "$work/digest.runs" | median)
			s_rate=$(cut -d' ' -f1 "$work/source.runs" | median)
			s_cpu=$(cut -d' ' -f2 "$work/source.runs" | median)
			# The ratio within each run (digest against the
			# smtp-source run next to it): their median is the
			# figure, their spread shows how noisy the machine was.
			paste -d' ' "$work/digest.runs" "$work/source.runs" |
				awk '{ printf "%.2f\n", $1 / $5 }' | sort -g >"$work/ratios"
			ratio=$(median <"$work/ratios")
			spread="$(head -n 1 "$work/ratios")-$(tail -n 1 "$work/ratios")"
			awk -v name="$name" -v dr="$d_rate" -v dc="$d_cpu" -v rss="$d_rss" \
				-v sr="$s_rate" -v sc="$s_cpu" -v s="$sessions" -v runs="$runs" \
				-v k="$d_sessions" -v n="$count" \
				-v ratio="$ratio" -v spread="$spread" \
				-v t="$(target_for "$connections" "$delay")" \
				-v l1="$load_before" -v l2="$(load)" 'BEGIN {
				if (t == "")
					verdict = "no target in issue 11"
				else if (ratio >= t)
					verdict = sprintf("target >= %.1fx: met", t)
				else
					verdict = sprintf("target >= %.1fx: MISSED by %.0f%% (needs %.2fx the rate)",
						t, 100 * (t - ratio) / t, t / ratio)
				printf "%s: digest %.0f msg/s, smtp-source -s %d %.0f msg/s, ratio %.2f (runs %s; %s); digest CPU %.2f s (smtp-source %.2f s), peak RSS %.1f MB, %d sessions (%.0f messages each); medians of %d; load %s -> %s\n",
					name, dr, s, sr, ratio, spread, verdict, dc, sc, rss / 1024, k, n / k, runs, l1, l2 }' |
				tee -a "$work/summary"
		done
	done
	[ "$delay" -eq 0 ] || stop_proxy
done
echo "summary:"
cat "$work/summary"
