# bench/lib.sh - what bench/send.sh and bench/rss.sh share: a free port,
# the load, the sink's counters, the links' key and the config of a run
# against smtp-sink.  Sourced (". bench/lib.sh") from the top of the tree,
# after $work (a scratch directory) is made.

# The load average (1, 5 and 15 minutes).
load() {
	cut -d' ' -f1-3 /proc/loadavg
}

# A free port on 127.0.0.1: bind 0, read it back, release it.
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# smtp-sink -c keeps running counters ("sess=1 quit=1 mesg=2000", each
# ended by a carriage return) on its standard output, $work/sink.out,
# updated as each message's "." arrives.  The counter $1 (mesg: messages,
# sess: sessions) so far, from its last counter line.
sink_counter() {
	counted=$(tail -c 200 "$work/sink.out" | tr '\r' '\n' |
		sed -n "s/.*$1=\\([0-9]*\\).*/\\1/p" | tail -n 1)
	echo "${counted:-0}"
}
sink_count() {
	sink_counter mesg
}

# The key that signs each subscriber's links, as a real run has one.
make_link_key() {
	(umask 077 && head -c 32 /dev/urandom | base64 >"$work/link.key")
}

# Writes a config: $1 the file, $2 its state database, $3 the [mail]
# transport lines, $4 the providers' port, $5 their smtp_client, $6 their
# max_connections, $7 their messages_per_connection.  Two providers,
# zeelandnet and delta, both at smtp-sink.
write_config() {
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
default_provider = zeelandnet
list_id = Bench <bench.example.nl>
unsubscribe_mailto = afmelden@example.nl
; A failure is to show as a wrong count at once, not after a pause.
retries = 0
[web]
base_url = https://nieuws.example.nl/digest
secret_file = $work/link.key
INI
	for provider in zeelandnet delta; do
		cat >>"$1" <<INI
[provider $provider]
name = $provider (smtp-sink)
smtp_url = smtp://127.0.0.1:$4
tls = none
smtp_client = $5
max_connections = $6
messages_per_connection = $7
from = nieuws@$provider.example.nl
from_name = Nieuws
INI
	done
}
