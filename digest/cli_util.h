/*
 * cli_util.h - what the commands (cli_*.c) share: the loaded
 * configuration, the table-driven option parser with its --help, and the
 * ways a command reports.  The commands print; the modules they call
 * never do.
 */
#ifndef DIGEST_CLI_UTIL_H
#define DIGEST_CLI_UTIL_H

#include <time.h>

#include "config.h"
#include "feed.h"
#include "gather.h"
#include "links.h"
#include "state.h"

/* What every command gets from the dispatcher. */
struct cli {
	const char *config_path;
	struct config *config; /* after cli_load_config() */
};

/* One option of a command, for the parser and for --help. */
struct cli_option {
	const char *name;	/* the long name without dashes: "dry-run" */
	const char *value_name; /* "TIME" when it takes a value, else NULL */
	const char *help;	/* what it does, in a sentence or two */
};

/* A command's whole interface; options end with a NULL name. */
struct cli_usage {
	const char *command;  /* "send", "subscribers add" */
	const char *synopsis; /* after "usage: digest COMMAND " */
	const char *about;    /* what the command does */
	const struct cli_option *options;
	int min_operands;
	int max_operands;
};

/* The most options a command may have (--help not counted). */
#define CLI_OPTIONS_MAX 16

/* What the command line said, by the index of each option in the table. */
struct cli_args {
	/* The value of an option, "" for a switch given, NULL if not given. */
	const char *values[CLI_OPTIONS_MAX];
	char **operands;
	int operand_count;
};

/* cli_parse_args() after --help: the caller returns cli_finish_output(). */
#define CLI_HELP_SHOWN (-1)

/*
 * Parses argv (argv[0] is the command's name) by usage into *args_out.
 * Returns 0; CLI_HELP_SHOWN after printing the help on stdout; or
 * EX_USAGE after printing, on stderr, a line that names the program and
 * the command ("digest: send: unknown option --bogus") and the synopsis.
 */
int cli_parse_args(const struct cli_usage *usage, int argc, char **argv,
		   struct cli_args *args_out);

/* Prints the synopsis of usage, as an error (stderr) or asked for. */
void cli_print_synopsis(const struct cli_usage *usage, int to_stderr);

/*
 * From now on, every line of cli_warn() and cli_log() goes to syslog too
 * (facility mail), for cron hosts that keep their logs there.
 */
void cli_use_syslog(void);

/* Logs a line that is no problem (a run's summary) when syslog is on. */
void cli_log(const char *line);

/* Prints "digest: " and the message as one line on stderr (and syslog). */
void cli_warn(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Loads cli->config once, printing every problem; returns a sysexits code. */
int cli_load_config(struct cli *cli);

/*
 * Opens the store at location (NULL: the configuration's [digest] state),
 * first handing it the database server's password from
 * state_password_file or state_password_env.  With existing, a store that
 * does not exist yet is not made (STATE_ENOTFOUND).  Prints nothing:
 * returns the status with *errstr_out (free()) on failure, a password
 * problem as STATE_EINVALID.
 */
enum state_status cli_state_connect(const struct config *config,
				    const char *location, int existing,
				    struct state **state_out,
				    char **errstr_out);

/*
 * As cli_state_connect() for the configuration's store, printing why it
 * failed.  Returns EX_OK with *state_out (state_close()), EX_NOINPUT for
 * a store that is not there yet (existing), EX_CONFIG for a bad location
 * or password, else EX_IOERR.
 */
int cli_open_state(const struct config *config, int existing,
		   struct state **state_out);

/* Parses --now (RFC 3339); prints and returns EX_USAGE when it is bad. */
int cli_parse_now(const char *text, time_t *now_out);

/*
 * Normalises an address given on the command line.  Returns a new string
 * (free()), or NULL after printing "digest: COMMAND: "x": not a valid
 * email address" (the caller returns EX_DATAERR, as for every bad value
 * of a subscriber).
 */
char *cli_address(const char *command, const char *address);

/*
 * Gathers the items of config's sources, warning about every failed
 * source; known (may be NULL) as for gather_run().  Returns EX_OK with
 * *items_out filled (feed_item_list_clear()), or EX_UNAVAILABLE when no
 * source could be read.  report_out (may be NULL) receives the gather
 * report either way (gather_report_clear()).
 */
int cli_gather(const struct config *config, time_t now,
	       const struct fetch_validators *known,
	       struct item_list *items_out, struct gather_report *report_out);

/*
 * Opens the maker of the subscribers' signed links from [web] into
 * *links_out (links_free()): NULL without base_url.  A key that cannot be
 * read is a setup failure: prints it and returns EX_CONFIG; else EX_OK.
 */
int cli_open_links(const struct config *config, struct links **links_out);

/* Writes all of text to stdout; returns EX_OK or EX_IOERR (printed). */
int cli_write(const char *text, size_t length);

/* Flushes stdout; returns EX_IOERR when anything could not be written. */
int cli_finish_output(void);

#endif
