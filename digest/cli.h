/*
 * cli.h - the command line: parses arguments, runs a subcommand, maps every
 * module status to a sysexits(3) code.  The only place that prints.
 */
#ifndef DIGEST_CLI_H
#define DIGEST_CLI_H

/* Runs digest with these arguments; returns the process exit code. */
int cli_main(int argc, char **argv);

#endif
