/*
 * testhttp.h - start and stop tests/lib/httpserver.py from a C test driver.
 *
 * Link the driver with the `digesttesthttp` library (see
 * tests/cmake/25xx-fetch.cmake):
 *
 *	digest_c_test(2599-mine 2599-mine.c digesttesthttp)
 *
 * The server's stdin is a pipe this process holds, so the server also stops
 * when the driver dies without calling testhttp_stop().
 */
#ifndef DIGEST_TESTHTTP_H
#define DIGEST_TESTHTTP_H

#include <sys/types.h>

struct testhttp {
	pid_t pid;
	int stdin_fd; /* write end of the server's stdin */
	int port;
};

/*
 * Starts the server with /usr/bin/python3, serving root under /feed/ (NULL:
 * the server's default, tests/data/feeds).  The script is found through
 * $DIGEST_TEST_DATA/../lib/httpserver.py.  Returns 0 with *server_out
 * filled, 77 when /usr/bin/python3 is missing (the ctest skip code), or -1
 * after printing why to stderr.
 */
int testhttp_start(struct testhttp *server_out, const char *root);

/* Stops the server (stdin closed, then SIGTERM, then SIGKILL) and reaps it. */
void testhttp_stop(struct testhttp *server);

/*
 * Returns a TCP port on 127.0.0.1 that nothing listens on right now (bound,
 * read, closed), or -1.
 */
int testhttp_closed_port(void);

#endif
