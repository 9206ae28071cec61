/*
 * cli.c - see cli.h.  Only the table and the dispatch: each command lives
 * in its own cli_NAME.c, and what they share in cli_util.c.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli_commands.h"
#include "config.h"

#ifndef DIGEST_VERSION
#define DIGEST_VERSION "0"
#endif

#define DEFAULT_CONFIG "/etc/digest/digest.ini"

struct command {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
    {"send", cli_send_main, "mail today's digest to every subscriber"},
    {"preview", cli_preview_main, "show the digest (or one message)"},
    {"items", cli_items_main, "list the gathered foreign-news items"},
    {"subscribers", cli_subscribers_main,
     "add, remove, list, set or import subscribers"},
    {"serve", cli_serve_main,
     "the subscribers' own pages: sign-up, preferences, unsubscribe"},
    {"status", cli_status_main,
     "the last runs, uncertain deliveries, failing addresses and sources"},
    {"bounces", cli_bounces_main,
     "record the bounces in a Maildir against their deliveries"},
    {"state", cli_state_main,
     "migrate: copy the state into another store (SQLite to PostgreSQL)"},
    {"check-config", cli_check_config_main, "validate the configuration"},
    {NULL, NULL, NULL}};

static void
usage(FILE *stream)
{
	fprintf(stream,
		"usage: digest [--config FILE] [--syslog] COMMAND [ARGS]"
		"\n\n"
		"commands:\n");
	for (size_t i = 0; commands[i].name; i++)
		fprintf(stream, "  %-14s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(stream,
		"\noptions:\n"
		"  --config FILE  the configuration (else $DIGEST_CONFIG, "
		"else\n"
		"                 " DEFAULT_CONFIG ")\n"
		"  --syslog       warnings and summaries to syslog too (mail)\n"
		"  --version      print the version and exit\n"
		"  --help         print this help and exit\n\n"
		"Each command takes --help.\n");
}

static const struct command *
find_command(const char *name)
{
	for (size_t i = 0; commands[i].name; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Parses the options before the command; -1 when the command may run. */
static int
parse_global(int argc, char **argv, struct cli *cli)
{
	static const struct option options[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"syslog", no_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0}};
	int option;

	cli->config_path = getenv("DIGEST_CONFIG");
	if (cli->config_path == NULL || *cli->config_path == '\0')
		cli->config_path = DEFAULT_CONFIG;
	opterr = 0;
	/* "+": stop at the command; its own options are its business. */
	while ((option = getopt_long(argc, argv, "+:c:hsV", options, NULL)) !=
	       -1) {
		switch (option) {
		case 'c':
			cli->config_path = optarg;
			break;
		case 's':
			cli_use_syslog();
			break;
		case 'h':
			usage(stdout);
			return EX_OK;
		case 'V':
			printf("digest %s\n", DIGEST_VERSION);
			return EX_OK;
		case ':':
			fprintf(stderr, "digest: %s needs a value\n",
				argv[optind - 1]);
			usage(stderr);
			return EX_USAGE;
		default:
			fprintf(stderr, "digest: unknown option %s\n",
				argv[optind - 1]);
			usage(stderr);
			return EX_USAGE;
		}
	}
	return -1;
}

int
cli_main(int argc, char **argv)
{
	struct cli cli = {0};
	const struct command *command;
	int code;

	code = parse_global(argc, argv, &cli);
	if (code == EX_OK)
		return cli_finish_output();
	if (code >= 0)
		return code;
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	command = find_command(argv[optind]);
	if (command == NULL) {
		cli_warn("unknown command \"%s\"", argv[optind]);
		usage(stderr);
		return EX_USAGE;
	}
	code = command->run(&cli, argc - optind, argv + optind);
	config_free(cli.config);
	return code;
}
