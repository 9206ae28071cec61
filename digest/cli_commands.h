/*
 * cli_commands.h - the commands of digest, each in its own cli_NAME.c with
 * the same signature, so that cli.c is only their table.
 *
 * Each runs `digest NAME ...` (argv[0] is NAME) and returns a sysexits(3)
 * code.  It loads the configuration itself, when it needs one.
 */
#ifndef DIGEST_CLI_COMMANDS_H
#define DIGEST_CLI_COMMANDS_H

#include "cli_util.h"

int cli_send_main(struct cli *cli, int argc, char **argv);
int cli_preview_main(struct cli *cli, int argc, char **argv);
int cli_items_main(struct cli *cli, int argc, char **argv);
int cli_subscribers_main(struct cli *cli, int argc, char **argv);
int cli_check_config_main(struct cli *cli, int argc, char **argv);
int cli_status_main(struct cli *cli, int argc, char **argv);
int cli_bounces_main(struct cli *cli, int argc, char **argv);
int cli_serve_main(struct cli *cli, int argc, char **argv);
int cli_state_main(struct cli *cli, int argc, char **argv);

#endif
