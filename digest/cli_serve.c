/*
 * cli_serve.c - `digest serve`: the subscribers' own pages (serve.h), run
 * until SIGTERM or SIGINT, then stopped cleanly: no new connection, the
 * requests in progress answered, the confirmation mails queued sent.
 * Every change a subscriber makes is one line on stderr (and syslog when
 * it is on).
 */
#include "cli_commands.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "links.h"
#include "render.h"
#include "serve.h"
#include "state.h"
#include "util.h"

enum { OPT_LISTEN };

static const struct cli_option options[] = {
    {"listen", "ADDR:PORT",
     "Listens here instead of [web] listen (default 127.0.0.1:8025): an "
     "IPv4 address or an IPv6 one in brackets, and a port; port 0 takes a "
     "free one, which the first line says."},
    {NULL, NULL, NULL}};

static const struct cli_usage usage = {
    "serve",
    "[--listen ADDR:PORT]",
    "Serves the subscribers' own pages over HTTP, for a reverse proxy that "
    "adds TLS: sign-up with a confirmation mail (double opt-in), the "
    "preferences (webmail, language, format, name), unsubscribing with one "
    "click, the digest in the browser, and a subscriber's data to download "
    "or erase.  Every personal page needs a link signed with the key of "
    "[web].  Runs until SIGTERM or SIGINT.",
    options,
    0,
    0};

/* The server's lines: changes as notices, problems as warnings. */
static void
log_line(void *context, int problem, const char *line)
{
	(void)context;
	if (problem) {
		cli_warn("serve: %s", line);
		return;
	}
	fprintf(stderr, "digest: serve: %s\n", line);
	cli_log(line);
}

/* Opens what the pages need; a sysexits code. */
static int
open_all(struct cli *cli, struct links **links, struct state **state,
	 struct renderer **renderer)
{
	const struct config *config = cli->config;
	char *errstr = NULL;
	int code = EX_OK;

	switch (links_open(config, links, &errstr)) {
	case LINKS_OK:
		break;
	case LINKS_ENONE:
		cli_warn("serve: [web] base_url is not set: the pages need "
			 "their public address and a key (see digest.ini(5))");
		return EX_CONFIG;
	case LINKS_EKEY:
		cli_warn("serve: %s", errstr);
		free(errstr);
		return EX_CONFIG;
	}
	if ((code = cli_open_state(config, 0, state)) != EX_OK)
		return code;
	if (render_open(config->template_dir, renderer, &errstr) != RENDER_OK) {
		cli_warn("%s", errstr);
		free(errstr);
		code = EX_CONFIG;
	}
	return code;
}

/* Waits for SIGTERM or SIGINT, which every thread has blocked. */
static int
wait_for_stop(const sigset_t *stop)
{
	int signal_number = 0;

	while (sigwait(stop, &signal_number) != 0)
		continue;
	return signal_number;
}

static int
run(struct cli *cli, const char *listen)
{
	struct links *links = NULL;
	struct state *state = NULL;
	struct renderer *renderer = NULL;
	struct server *server = NULL;
	struct serve_setup setup = {0};
	enum serve_status status;
	char *errstr = NULL;
	sigset_t stop;
	int code, signal_number;

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	/* Before any thread starts, so that all of them inherit it. */
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	code = open_all(cli, &links, &state, &renderer);
	if (code != EX_OK)
		goto out;
	setup.config = cli->config;
	setup.state = state;
	setup.links = links;
	setup.renderer = renderer;
	setup.listen = listen;
	setup.log = log_line;
	status = serve_start(&setup, &server, &errstr);
	if (status != SERVE_OK) {
		cli_warn("serve: %s", errstr);
		free(errstr);
		code = status == SERVE_ELISTEN ? EX_UNAVAILABLE : EX_CONFIG;
		goto out;
	}
	fprintf(stderr, "digest: serve: listening on port %u for %s\n",
		serve_port(server), cli->config->web.base_url);
	signal_number = wait_for_stop(&stop);
	fprintf(stderr, "digest: serve: stopping (%s)\n",
		signal_number == SIGINT ? "SIGINT" : "SIGTERM");
	serve_stop(server);
	fprintf(stderr, "digest: serve: stopped\n");
out:
	render_close(renderer);
	state_close(state);
	links_free(links);
	return code;
}

int
cli_serve_main(struct cli *cli, int argc, char **argv)
{
	struct cli_args args;
	int code;

	code = cli_parse_args(&usage, argc, argv, &args);
	if (code == CLI_HELP_SHOWN)
		return cli_finish_output();
	if (code != 0)
		return code;
	code = cli_load_config(cli);
	if (code != EX_OK)
		return code;
	return run(cli, args.values[OPT_LISTEN] ? args.values[OPT_LISTEN]
						: cli->config->web.listen);
}
