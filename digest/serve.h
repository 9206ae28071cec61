/*
 * serve.h - `digest serve`: the subscribers' own pages over HTTP, for an
 * ISP's web server to put behind a reverse proxy.  Sign-up with double
 * opt-in, preferences ("Kies je webmail"), one-click unsubscribe (RFC
 * 8058), the digest in the browser, and the subscriber's data to download
 * or erase; every personal page is reached through a signed link
 * (links.h), and every change is one transaction and one log line.
 *
 * libmicrohttpd stays inside serve*.c: struct server is opaque.  The
 * module prints nothing: each line for the operator reaches the caller
 * through the log callback, from any of the server's threads.
 */
#ifndef DIGEST_SERVE_H
#define DIGEST_SERVE_H

#include "config.h"
#include "links.h"
#include "render.h"
#include "state.h"

enum serve_status {
	SERVE_OK = 0,
	SERVE_ETEMPLATE, /* a page template is missing or does not parse */
	SERVE_ELISTEN	 /* the address is not ADDR:PORT, or is taken */
};

/* Receives one line: a change made, a mail sent, a problem. */
typedef void (*serve_log_fn)(void *context, int problem, const char *line);

struct serve_setup {
	const struct config *config;
	struct state *state;	   /* used by the server's one page thread */
	const struct links *links; /* signs and checks the tokens */
	struct renderer *renderer; /* the digest's templates, for /view */
	const char *listen;	   /* "127.0.0.1:8025" or "[::1]:8025" */
	serve_log_fn log;
	void *log_context;
};

struct server;

/*
 * Loads the page templates (the web/ directory beside the digest's),
 * starts the thread that sends confirmation mails and starts listening.
 * setup is copied; what it points to must outlive the server.  Returns
 * SERVE_OK and *server_out (serve_stop()), or an error with *errstr_out
 * (free()) naming the template file and line, or the address.
 */
enum serve_status serve_start(const struct serve_setup *setup,
			      struct server **server_out, char **errstr_out);

/*
 * Parses the page templates of config's template directory (web/), as
 * serve_start() will, for digest check-config.  Returns SERVE_OK, or
 * SERVE_ETEMPLATE with *errstr_out (free()) naming the file and line.
 */
enum serve_status serve_check_templates(const struct config *config,
					char **errstr_out);

/* The port the server listens on (useful when listen asked for 0). */
unsigned serve_port(const struct server *server);

/*
 * Stops listening, lets the requests in progress finish, sends the
 * confirmation mails still queued, and frees the server.  NULL is fine.
 */
void serve_stop(struct server *server);

#endif
