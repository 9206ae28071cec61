/*
 * cli_common.h - what the command files (cli*.c) share: the loaded
 * configuration and the ways they report.
 */
#ifndef DIGEST_CLI_COMMON_H
#define DIGEST_CLI_COMMON_H

#include <time.h>

#include "config.h"
#include "feed.h"
#include "gather.h"

/* Long-only options of the commands, numbered from 256 (HACKING.md). */
enum cli_option {
	CLI_OPT_HELP = 256,
	CLI_OPT_NOW,
	CLI_OPT_JSON,
	CLI_OPT_SOURCE,
	CLI_OPT_FORMAT,
	CLI_OPT_LANG,
	CLI_OPT_SUBSCRIBER,
	CLI_OPT_DRY_RUN
};

struct cli {
	const char *config_path;
	struct config *config; /* after cli_load_config() */
};

/* Prints "digest: " and the message as one line on stderr. */
void cli_warn(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Loads cli->config once, printing every problem; returns a sysexits code. */
int cli_load_config(struct cli *cli);

/* Parses --now (RFC 3339); prints and returns EX_USAGE when it is bad. */
int cli_parse_now(const char *text, time_t *now_out);

/* Gathers the digest's items, warning about every failed source. */
int cli_gather(struct cli *cli, time_t now, struct item_list *items_out);

void cli_report_gather(const struct gather_report *report);

/* Flushes stdout; returns EX_IOERR when anything could not be written. */
int cli_finish_output(void);

#endif
