/*
 * cli.c - see cli.h.
 */
#include "cli.h"

#include <stdio.h>
#include <sysexits.h>

int
cli_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "usage: digest COMMAND\n");
	return EX_USAGE;
}
