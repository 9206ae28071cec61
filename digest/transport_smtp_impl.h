/*
 * transport_smtp_impl.h - what the SMTP transport's files share:
 * transport_smtp.c (handles, sending), transport_smtp_reply.c (watching
 * the session: replies, commands, phases and their time limits) and
 * transport_smtp_classify.c (a failed send in words and a status).  Only
 * those files include it; libcurl's types stay behind it.
 */
#ifndef DIGEST_TRANSPORT_SMTP_IMPL_H
#define DIGEST_TRANSPORT_SMTP_IMPL_H

#include <stdint.h>

#include <curl/curl.h>

#include "transport_impl.h"
#include "util.h"

/* Reply text quoted in an error: enough for any enhanced status line. */
#define SMTP_REPLY_MAX 300
/* Of a line without an end, this much is kept (RFC 5321: 512 at most). */
#define SMTP_LINE_MAX 4096

/*
 * Where one send stands, so that each wait gets its own time limit and a
 * timeout can say what it was waiting for.
 */
enum smtp_phase {
	SMTP_PHASE_CONNECT,  /* TCP, and TLS too for smtps:// */
	SMTP_PHASE_GREETING, /* connected; the server's 220 is due */
	SMTP_PHASE_REPLY,    /* a command went out; its reply is due */
	SMTP_PHASE_CLIENT,   /* a reply came; libcurl's turn (TLS after
				STARTTLS, the next command) */
	SMTP_PHASE_DATA,     /* sending the message */
	SMTP_PHASE_FINAL,    /* all of it handed over; the final reply due */
	SMTP_PHASE_DONE	     /* the final reply came */
};

/* What the callbacks saw during one transfer; reset before each. */
struct smtp_watch {
	struct buf line;       /* a reply line still being received */
	struct buf reply;      /* the reply being assembled */
	char *last_reply;      /* the last complete reply, "550 ..." */
	int last_code;	       /* its code */
	int reply_count;       /* complete replies seen */
	char last_command[16]; /* verb of the last command sent */

	enum smtp_phase phase;
	int64_t phase_started_ms; /* monotonic clock */
	int timed_out;		  /* the progress callback stopped phase */
	int quitting;		  /* libcurl gave up and said QUIT */
	int64_t quit_started_ms;

	int garbage_seen;     /* a line that was no SMTP reply */
	int tls_record_seen;  /* ... and it began like a TLS record */
	int out_of_step;      /* a reply to no command, or garbage */
	int upload_complete;  /* the read callback had nothing more */
	int final_reply_seen; /* a reply after (or during) the data */

	const char *data; /* the message being sent */
	size_t size;
	size_t offset;	  /* how much of it libcurl has taken */
	size_t data_sent; /* bytes libcurl sent, its doubled dots too */
};

struct smtp_transport {
	struct transport base;
	CURLM *multi; /* holds the connection; NULL until the first send */
	CURL *curl;   /* the transfer; NULL until the first send */
	curl_socket_t socket; /* the kept connection's, or CURL_SOCKET_BAD */
	char *url;
	char *host_port; /* "host:port", for messages */
	char *user;	 /* NULL: no AUTH */
	char *password;	 /* zeroed before it is freed */
	char *ca_file;	 /* NULL: the system's CAs */
	enum tls_mode tls;
	long connect_timeout; /* seconds, each as in struct provider */
	long timeout;
	long data_timeout;
	char *config_problem; /* set at open: every send reports it */
	char error_buffer[CURL_ERROR_SIZE];
	struct smtp_watch watch;
};

/* What passed between us and the server, as the debug callback sees it. */
enum smtp_traffic {
	SMTP_TRAFFIC_REPLY,   /* bytes from the server, in any pieces */
	SMTP_TRAFFIC_COMMAND, /* one command line we sent */
	SMTP_TRAFFIC_DATA     /* a piece of the message we sent */
};

/*
 * Feeds traffic into watch: assembles reply lines and replies, notes the
 * commands, and moves the phase on.  The debug callback calls it, and
 * the fuzz target with arbitrary bytes.
 */
void transport_smtp_reply_take(struct smtp_watch *watch, enum smtp_traffic kind,
			       const char *data, size_t size);

/*
 * Installs the debug, read and progress callbacks on smtp->curl, which
 * fill smtp->watch and stop a transfer whose current wait outlasts its
 * limit.  Called once per new easy handle.
 */
void transport_smtp_reply_watch(struct smtp_transport *smtp);

/* Forgets what the last transfer saw; message is the next upload. */
void transport_smtp_reply_reset(struct smtp_transport *smtp,
				const char *message, size_t size);

/* Frees what smtp->watch holds. */
void transport_smtp_reply_free(struct smtp_transport *smtp);

/* The limit of phase in seconds: connect, data or command timeout. */
long transport_smtp_reply_limit(const struct smtp_transport *smtp,
				enum smtp_phase phase);

/*
 * Turns the failed transfer that ended with result into a status and one
 * line for the operator (*errstr_out, free()): what was tried, what the
 * server said or for how long it said nothing.  May probe the server once
 * more to tell a TLS port from a silent one.
 */
enum transport_status transport_smtp_classify(struct smtp_transport *smtp,
					      CURLcode result, const char *from,
					      const char *recipient,
					      char **errstr_out);

#endif
