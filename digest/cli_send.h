/*
 * cli_send.h - `digest send`: the daily run from cron.
 */
#ifndef DIGEST_CLI_SEND_H
#define DIGEST_CLI_SEND_H

struct cli;

/* Runs `digest send ...` (argv[0] is "send"); a sysexits code. */
int cli_send_main(struct cli *cli, int argc, char **argv);

#endif
