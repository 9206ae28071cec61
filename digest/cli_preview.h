/*
 * cli_preview.h - `digest preview`.
 */
#ifndef DIGEST_CLI_PREVIEW_H
#define DIGEST_CLI_PREVIEW_H

struct cli;

/* Runs `digest preview ...` (argv[0] is "preview"); a sysexits code. */
int cli_preview_main(struct cli *cli, int argc, char **argv);

#endif
