/*
 * main.c - the digest program: hands the command line to cli.c.
 */
#include <signal.h>

#include "cli.h"

int
main(int argc, char **argv)
{
	/*
	 * A file size limit (ulimit -f) must make a write fail, as a full
	 * disk does, so the journal reports it and the run stops cleanly;
	 * SIGXFSZ would kill the run instead.
	 */
	signal(SIGXFSZ, SIG_IGN);
	return cli_main(argc, argv);
}
