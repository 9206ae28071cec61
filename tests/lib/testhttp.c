/*
 * testhttp.c - see testhttp.h.
 */
#include "testhttp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TESTHTTP_PYTHON "/usr/bin/python3"

/* Reads the "PORT\n" line, waiting at most timeout_ms overall. */
static int
read_port(int fd, int timeout_ms)
{
	char line[32];
	size_t length = 0;
	int port = 0;
	size_t index;

	while (length < sizeof line - 1) {
		struct pollfd poller = {fd, POLLIN, 0};
		ssize_t got;
		int ready = poll(&poller, 1, timeout_ms);

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
			return -1;
		got = read(fd, line + length, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		if (line[length] == '\n')
			break;
		length++;
	}
	if (length == 0 || length >= sizeof line - 1)
		return -1;
	for (index = 0; index < length; index++) {
		if (line[index] < '0' || line[index] > '9')
			return -1;
		port = port * 10 + (line[index] - '0');
		if (port > 65535)
			return -1;
	}
	return port;
}

int
testhttp_start(struct testhttp *server_out, const char *root)
{
	const char *data = getenv("DIGEST_TEST_DATA");
	char script[4096];
	int to_server[2] = {-1, -1};
	int from_server[2] = {-1, -1};
	pid_t pid;
	int port;

	if (access(TESTHTTP_PYTHON, X_OK) != 0) {
		fprintf(stderr, "skip: %s is missing\n", TESTHTTP_PYTHON);
		return 77;
	}
	if (data == NULL)
		data = "data";
	if (snprintf(script, sizeof script, "%s/../lib/httpserver.py", data) >=
	    (int)sizeof script) {
		fprintf(stderr, "testhttp: path too long\n");
		return -1;
	}
	if (pipe(to_server) != 0 || pipe(from_server) != 0) {
		perror("testhttp: pipe");
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		perror("testhttp: fork");
		goto fail;
	}
	if (pid == 0) {
		if (dup2(to_server[0], STDIN_FILENO) < 0 ||
		    dup2(from_server[1], STDOUT_FILENO) < 0)
			_exit(127);
		close(to_server[0]);
		close(to_server[1]);
		close(from_server[0]);
		close(from_server[1]);
		if (root != NULL)
			execl(TESTHTTP_PYTHON, TESTHTTP_PYTHON, script,
			      "--root", root, (char *)NULL);
		else
			execl(TESTHTTP_PYTHON, TESTHTTP_PYTHON, script,
			      (char *)NULL);
		_exit(127);
	}
	close(to_server[0]);
	close(from_server[1]);
	port = read_port(from_server[0], 15000);
	close(from_server[0]);
	server_out->pid = pid;
	server_out->stdin_fd = to_server[1];
	server_out->port = port;
	if (port <= 0) {
		fprintf(stderr, "testhttp: %s did not report a port\n", script);
		testhttp_stop(server_out);
		return -1;
	}
	return 0;

fail:
	if (to_server[0] >= 0) {
		close(to_server[0]);
		close(to_server[1]);
	}
	if (from_server[0] >= 0) {
		close(from_server[0]);
		close(from_server[1]);
	}
	return -1;
}

/* Waits up to timeout_ms for pid to exit; returns 1 once reaped. */
static int
reap(pid_t pid, int timeout_ms)
{
	struct timespec pause = {0, 20 * 1000 * 1000};
	int waited;
	int status;

	for (waited = 0; waited <= timeout_ms; waited += 20) {
		pid_t done = waitpid(pid, &status, WNOHANG);

		if (done == pid || (done < 0 && errno == ECHILD))
			return 1;
		nanosleep(&pause, NULL);
	}
	return 0;
}

void
testhttp_stop(struct testhttp *server)
{
	if (server->stdin_fd >= 0) {
		close(server->stdin_fd);
		server->stdin_fd = -1;
	}
	if (server->pid <= 0)
		return;
	if (!reap(server->pid, 3000)) {
		kill(server->pid, SIGTERM);
		if (!reap(server->pid, 3000)) {
			kill(server->pid, SIGKILL);
			reap(server->pid, 3000);
		}
	}
	server->pid = -1;
}

int
testhttp_closed_port(void)
{
	struct sockaddr_in address;
	socklen_t length = sizeof address;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int port = -1;

	if (fd < 0)
		return -1;
	memset(&address, 0, sizeof address);
	address.sin_family = AF_INET;
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&address, sizeof address) == 0 &&
	    getsockname(fd, (struct sockaddr *)&address, &length) == 0)
		port = ntohs(address.sin_port);
	close(fd);
	return port;
}
