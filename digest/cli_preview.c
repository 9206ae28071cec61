/*
 * cli_preview.c - `digest preview`: the digest on stdout, as a part or as
 * the whole message one subscriber would get.
 */
#include "cli_preview.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "address.h"
#include "cli_common.h"
#include "letter.h"
#include "render.h"
#include "state.h"
#include "util.h"

static const char synopsis[] =
    "usage: digest preview [--format text|html|eml] [--lang nl|en] "
    "[--now TIME]\n"
    "                      [--subscriber EMAIL]\n";

struct preview_options {
	const char *format; /* "text", "html" or "eml" */
	const char *language;
	const char *subscriber;
	time_t now;
};

static int
parse_options(int argc, char **argv, struct preview_options *options)
{
	static const struct option long_options[] = {
	    {"format", required_argument, NULL, CLI_OPT_FORMAT},
	    {"lang", required_argument, NULL, CLI_OPT_LANG},
	    {"now", required_argument, NULL, CLI_OPT_NOW},
	    {"subscriber", required_argument, NULL, CLI_OPT_SUBSCRIBER},
	    {"help", no_argument, NULL, CLI_OPT_HELP},
	    {NULL, 0, NULL, 0}};
	int option;
	int code;

	options->format = "text";
	options->now = time(NULL);
	while ((option = getopt_long(argc, argv, "+", long_options, NULL)) !=
	       -1) {
		switch (option) {
		case CLI_OPT_FORMAT:
			options->format = optarg;
			break;
		case CLI_OPT_LANG:
			options->language = optarg;
			break;
		case CLI_OPT_SUBSCRIBER:
			options->subscriber = optarg;
			break;
		case CLI_OPT_NOW:
			code = cli_parse_now(optarg, &options->now);
			if (code != EX_OK)
				return code;
			break;
		case CLI_OPT_HELP:
			fputs(synopsis, stdout);
			return -1;
		default:
			fputs(synopsis, stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		fputs(synopsis, stderr);
		return EX_USAGE;
	}
	if (strcmp(options->format, "text") != 0 &&
	    strcmp(options->format, "html") != 0 &&
	    strcmp(options->format, "eml") != 0) {
		cli_warn("preview: --format must be text, html or eml");
		return EX_USAGE;
	}
	if (options->language && strcmp(options->language, "nl") != 0 &&
	    strcmp(options->language, "en") != 0) {
		cli_warn("preview: --lang must be nl or en");
		return EX_USAGE;
	}
	if (strcmp(options->format, "eml") == 0 && !options->subscriber) {
		cli_warn("preview: --format eml needs --subscriber EMAIL");
		return EX_USAGE;
	}
	return EX_OK;
}

/* Fills *subscriber_out from the store, or as an anonymous reader. */
static int
load_subscriber(struct cli *cli, const char *email,
		struct subscriber *subscriber_out)
{
	struct state *state = NULL;
	char *normal = NULL;
	char *errstr = NULL;
	enum state_status status;
	int code = EX_OK;

	memset(subscriber_out, 0, sizeof *subscriber_out);
	if (email == NULL) {
		subscriber_out->email = xstrdup("lezer@example.invalid");
		subscriber_out->language = xstrdup(cli->config->language);
		return EX_OK;
	}
	normal = address_normalize(email);
	if (normal == NULL) {
		cli_warn("preview: \"%s\" is not a valid email address", email);
		return EX_USAGE;
	}
	status = state_open(cli->config->state_path, &state, &errstr);
	if (status == STATE_OK)
		status = state_subscriber_get(state, normal, subscriber_out,
					      &errstr);
	if (status == STATE_ENOTFOUND) {
		cli_warn("no subscriber %s", normal);
		code = EX_NOUSER;
	} else if (status != STATE_OK) {
		cli_warn("%s", errstr);
		code = EX_IOERR;
	}
	free(errstr);
	free(normal);
	state_close(state);
	return code;
}

static int
print_preview(struct cli *cli, struct renderer *renderer,
	      const struct item_list *items,
	      const struct subscriber *subscriber,
	      const struct preview_options *options)
{
	struct letter letter;
	char *output = NULL;
	char *errstr = NULL;
	enum render_format format;

	if (strcmp(options->format, "eml") == 0) {
		if (letter_build(cli->config, renderer, items, subscriber,
				 options->now, &letter, &errstr) != LETTER_OK) {
			cli_warn("subscriber %s: %s", subscriber->email,
				 errstr);
			free(errstr);
			return EX_DATAERR;
		}
		fwrite(letter.message, 1, letter.size, stdout);
		letter_clear(&letter);
		return cli_finish_output();
	}
	format =
	    strcmp(options->format, "html") == 0 ? RENDER_HTML : RENDER_TEXT;
	if (letter_render_part(cli->config, renderer, items, subscriber, format,
			       options->now, &output, &errstr) != RENDER_OK) {
		cli_warn("%s", errstr);
		free(errstr);
		return EX_DATAERR;
	}
	fputs(output, stdout);
	free(output);
	return cli_finish_output();
}

int
cli_preview_main(struct cli *cli, int argc, char **argv)
{
	struct preview_options options = {0};
	struct subscriber subscriber = {0};
	struct renderer *renderer = NULL;
	struct item_list items = {0};
	char *errstr = NULL;
	int code;

	code = parse_options(argc, argv, &options);
	if (code != EX_OK)
		return code < 0 ? cli_finish_output() : code;
	if ((code = cli_load_config(cli)) != EX_OK)
		return code;
	if ((code = load_subscriber(cli, options.subscriber, &subscriber)) !=
	    EX_OK)
		goto out;
	if (options.language) {
		free(subscriber.language);
		subscriber.language = xstrdup(options.language);
	}
	/* Templates first: a broken template should not wait on feeds. */
	if (render_open(cli->config->template_dir, &renderer, &errstr) !=
	    RENDER_OK) {
		cli_warn("%s", errstr);
		code = EX_CONFIG;
		goto out;
	}
	if ((code = cli_gather(cli, options.now, &items)) != EX_OK)
		goto out;
	code = print_preview(cli, renderer, &items, &subscriber, &options);
out:
	free(errstr);
	feed_item_list_clear(&items);
	render_close(renderer);
	subscriber_clear(&subscriber);
	return code;
}
