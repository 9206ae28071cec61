/*
 * cli_preview.c - `digest preview`: the digest on stdout, as a part or as
 * the whole message one subscriber would get.
 */
#include "cli_commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "edition.h"
#include "letter.h"
#include "render.h"
#include "state.h"
#include "util.h"

enum { OPT_FORMAT, OPT_LANG, OPT_NOW, OPT_SUBSCRIBER };

static const struct cli_option preview_options[] = {
    {"format", "text|html|eml",
     "What to print: the plain-text part (the default), the HTML part, or "
     "with --subscriber the whole message as it would be sent, headers "
     "and MIME parts included."},
    {"lang", "nl|en",
     "Renders in this language instead of the subscriber's (or the "
     "configuration's)."},
    {"now", "TIME",
     "Stands in for the clock (RFC 3339, as in "
     "2026-11-29T07:00:00+01:00): relative times, the age window and the "
     "date follow it."},
    {"subscriber", "EMAIL",
     "Renders for this subscriber: their name, language, format and "
     "provider, and only the items send would give them now (what they "
     "have not had yet); without it, for an anonymous reader, every item "
     "the feeds hold now."},
    {NULL, NULL, NULL}};

static const struct cli_usage usage = {
    "preview",
    "[--format text|html|eml] [--lang nl|en] [--now TIME]\n"
    "                      [--subscriber EMAIL]",
    "Prints the digest as it would go out now, on standard output; "
    "nothing is sent or recorded.",
    preview_options,
    0,
    0};

struct preview_options {
	const char *format; /* "text", "html" or "eml" */
	const char *language;
	const char *subscriber;
	time_t now;
};

/* Reads and checks the options; CLI_HELP_SHOWN, 0 or a sysexits code. */
static int
parse_options(int argc, char **argv, struct preview_options *options_out)
{
	struct cli_args args;
	const char *format;
	int code;

	code = cli_parse_args(&usage, argc, argv, &args);
	if (code != 0)
		return code;
	format = args.values[OPT_FORMAT] ? args.values[OPT_FORMAT] : "text";
	options_out->format = format;
	options_out->language = args.values[OPT_LANG];
	options_out->subscriber = args.values[OPT_SUBSCRIBER];
	options_out->now = time(NULL);
	if (args.values[OPT_NOW] &&
	    (code = cli_parse_now(args.values[OPT_NOW], &options_out->now)))
		return code;
	if (strcmp(format, "text") != 0 && strcmp(format, "html") != 0 &&
	    strcmp(format, "eml") != 0) {
		cli_warn("preview: --format must be text, html or eml");
		return EX_USAGE;
	}
	if (options_out->language &&
	    subscriber_language_parse(options_out->language) == NULL) {
		cli_warn("preview: --lang must be nl or en");
		return EX_USAGE;
	}
	if (strcmp(format, "eml") == 0 && !options_out->subscriber) {
		cli_warn("preview: --format eml needs --subscriber EMAIL");
		return EX_USAGE;
	}
	return 0;
}

/*
 * Fills *subscriber_out from the store (left open in *state_out), or as
 * an anonymous reader without one.
 */
static int
load_subscriber(struct cli *cli, const char *email, struct state **state_out,
		struct subscriber *subscriber_out)
{
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
	normal = cli_address("preview", email);
	if (normal == NULL)
		return EX_DATAERR;
	status = cli_state_connect(cli->config, NULL, 0, state_out, &errstr);
	if (status == STATE_OK)
		status = state_subscriber_get(*state_out, normal,
					      subscriber_out, &errstr);
	if (status == STATE_ENOTFOUND) {
		cli_warn("no subscriber %s", normal);
		code = EX_NOUSER;
	} else if (status != STATE_OK) {
		cli_warn("%s", errstr);
		code = EX_IOERR;
	}
	free(errstr);
	free(normal);
	return code;
}

/*
 * The items send would give the subscriber now: their share of the day's
 * edition, or, before it is made, of what the feeds hold now, without
 * what they received already.  Copied into *items_out.
 */
static int
subscriber_items(struct cli *cli, struct state *state,
		 const struct subscriber *subscriber, time_t now,
		 struct item_list *items_out)
{
	const struct config *config = cli->config;
	struct config all = *config;
	struct item_list gathered = {0};
	const struct item_list *share = NULL;
	struct edition *edition = NULL;
	char date[11], *errstr = NULL;
	time_t since = now - config->max_age;
	long number = 0;
	int code = EX_IOERR;

	letter_digest_date(config, now, date);
	if (state_edition_find(state, date, &number, &errstr) != STATE_OK)
		goto out;
	if (number != 0) {
		edition = edition_new(state, number, since,
				      (size_t)config->max_items);
	} else {
		all.max_items = 1000000L;
		if ((code = cli_gather(&all, now, NULL, &gathered, NULL)) !=
		    EX_OK)
			goto out;
		code = EX_IOERR;
		edition = edition_new_preview(state, &gathered, since,
					      (size_t)config->max_items);
	}
	if (edition_share(edition, subscriber->last_edition, &share, &errstr) !=
	    STATE_OK)
		goto out;
	for (size_t i = 0; i < share->count; i++)
		feed_item_list_push_copy(items_out, &share->items[i]);
	if (share->count == 0)
		cli_warn("nothing new for %s: send mails them nothing today%s",
			 subscriber->email,
			 config->note_when_empty ? " but a note" : "");
	code = EX_OK;
out:
	if (errstr != NULL)
		cli_warn("%s", errstr);
	free(errstr);
	edition_free(edition);
	feed_item_list_clear(&gathered);
	return code;
}

static int
print_preview(struct cli *cli, struct renderer *renderer,
	      const struct links *links, const struct item_list *items,
	      const struct subscriber *subscriber,
	      const struct preview_options *options)
{
	struct letter letter;
	char *output = NULL;
	char *errstr = NULL;
	enum render_format format;

	if (strcmp(options->format, "eml") == 0) {
		if (letter_build(cli->config, renderer, links, items,
				 subscriber, options->now, &letter,
				 &errstr) != LETTER_OK) {
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
	if (letter_render_part(cli->config, renderer, links, items, subscriber,
			       format, options->now, &output,
			       &errstr) != RENDER_OK) {
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
	struct links *links = NULL;
	struct state *state = NULL;
	struct item_list items = {0};
	char *errstr = NULL;
	int code;

	code = parse_options(argc, argv, &options);
	if (code == CLI_HELP_SHOWN)
		return cli_finish_output();
	if (code != 0)
		return code;
	if ((code = cli_load_config(cli)) != EX_OK)
		return code;
	code = load_subscriber(cli, options.subscriber, &state, &subscriber);
	if (code != EX_OK)
		goto out;
	if (options.language) {
		free(subscriber.language);
		subscriber.language =
		    xstrdup(subscriber_language_parse(options.language));
	}
	/* Templates first: a broken template should not wait on feeds. */
	if (render_open(cli->config->template_dir, &renderer, &errstr) !=
	    RENDER_OK) {
		cli_warn("%s", errstr);
		code = EX_CONFIG;
		goto out;
	}
	/* The subscriber's signed links, as send would make them. */
	if ((code = cli_open_links(cli->config, &links)) != EX_OK)
		goto out;
	if (state != NULL)
		code = subscriber_items(cli, state, &subscriber, options.now,
					&items);
	else
		code = cli_gather(cli->config, options.now, NULL, &items, NULL);
	if (code != EX_OK)
		goto out;
	code =
	    print_preview(cli, renderer, links, &items, &subscriber, &options);
out:
	free(errstr);
	links_free(links);
	feed_item_list_clear(&items);
	render_close(renderer);
	subscriber_clear(&subscriber);
	state_close(state);
	return code;
}
