/*
 * cli_state.c - `digest state migrate`: moves an installation from one
 * store to another, a SQLite file to a PostgreSQL database, in one
 * transaction, and prints what it copied.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli_commands.h"
#include "state.h"
#include "util.h"

enum { OPT_FROM, OPT_TO };

static const struct cli_option migrate_options[] = {
    {"from", "PATH|URL",
     "the store to copy: a SQLite file or a PostgreSQL URL; it must exist"},
    {"to", "PATH|URL",
     "the store to fill, which must hold nothing yet (default: [digest] "
     "state of the configuration)"},
    {NULL, NULL, NULL}};

static const struct cli_usage migrate_usage = {
    "state migrate",
    "--from PATH|URL [--to URL]",
    "Copies every table of one store into another that holds nothing yet, "
    "such as a SQLite installation into a new PostgreSQL database, in one "
    "transaction: all of it or nothing.  A PostgreSQL URL holds no "
    "password: it comes from [digest] state_password_file or "
    "state_password_env.  Stop digest send and digest serve first.  "
    "Prints the rows copied from each table.",
    migrate_options,
    0,
    0};

/* Prints the counts, one table a line, and the route taken. */
static int
print_counts(const struct state *from, const struct state *to,
	     const struct state_copy_count *counts)
{
	struct buf out = BUF_INIT;
	int code;

	for (size_t i = 0; i < STATE_COPY_TABLES; i++)
		buf_printf(&out, "%-13s %lld\n", counts[i].table,
			   counts[i].rows);
	buf_printf(&out, "copied %s to %s\n", state_location(from),
		   state_location(to));
	code = cli_write(out.data, out.length);
	buf_free(&out);
	return code;
}

static int
run_migrate(struct cli *cli, const struct cli_args *args)
{
	const char *from_location = args->values[OPT_FROM];
	const char *to_location = args->values[OPT_TO];
	struct state *from = NULL, *to = NULL;
	struct state_copy_count counts[STATE_COPY_TABLES];
	enum state_status status;
	char *errstr = NULL;
	int code = EX_OK;

	to_location = to_location ? to_location : cli->config->state_path;
	if (strcmp(from_location, to_location) == 0) {
		cli_warn("state migrate: --from and --to name the same store");
		return EX_USAGE;
	}
	status =
	    cli_state_connect(cli->config, from_location, 1, &from, &errstr);
	if (status == STATE_OK)
		status = cli_state_connect(cli->config, to_location, 0, &to,
					   &errstr);
	if (status == STATE_OK)
		status = state_migrate(from, to, counts, &errstr);
	if (status == STATE_OK) {
		code = print_counts(from, to, counts);
	} else {
		cli_warn("state migrate: %s", errstr);
		code = status == STATE_ENOTFOUND  ? EX_NOINPUT
		       : status == STATE_EEXISTS  ? EX_CANTCREAT
		       : status == STATE_EINVALID ? EX_CONFIG
						  : EX_IOERR;
	}
	free(errstr);
	state_close(from);
	state_close(to);
	return code;
}

int
cli_state_main(struct cli *cli, int argc, char **argv)
{
	struct cli_args args;
	int code;

	if (argc < 2 || strcmp(argv[1], "migrate") != 0) {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
				  strcmp(argv[1], "help") == 0)) {
			cli_print_synopsis(&migrate_usage, 0);
			return cli_finish_output();
		}
		cli_warn("state: %s", argc < 2 ? "missing command"
					       : "unknown command (migrate)");
		cli_print_synopsis(&migrate_usage, 1);
		return EX_USAGE;
	}
	code = cli_parse_args(&migrate_usage, argc - 1, argv + 1, &args);
	if (code == CLI_HELP_SHOWN)
		return cli_finish_output();
	if (code != 0)
		return code;
	if (args.values[OPT_FROM] == NULL || args.values[OPT_FROM][0] == '\0') {
		cli_warn("state migrate: --from is required");
		cli_print_synopsis(&migrate_usage, 1);
		return EX_USAGE;
	}
	if ((code = cli_load_config(cli)) != EX_OK)
		return code;
	return run_migrate(cli, &args);
}
