/*
 * cli_subscribers.h - the `digest subscribers` commands: add, remove, list,
 * set and import (CSV) the people who get the digest.
 */
#ifndef DIGEST_CLI_SUBSCRIBERS_H
#define DIGEST_CLI_SUBSCRIBERS_H

struct config;

/*
 * Runs `digest subscribers ...` against the store at config->state_path.
 * argv[0] is "subscribers".  Prints results on stdout and one-line errors
 * starting "digest: " on stderr.  Returns a sysexits(3) code.
 */
int cli_subscribers_main(const struct config *config, int argc, char **argv);

#endif
