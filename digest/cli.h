/*
 * cli.h - the command line: the global options, the table of commands
 * and the dispatch to one of them (cli_commands.h).
 */
#ifndef DIGEST_CLI_H
#define DIGEST_CLI_H

/* Runs digest with these arguments; returns the process exit code. */
int cli_main(int argc, char **argv);

#endif
