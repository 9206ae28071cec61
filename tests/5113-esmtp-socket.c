/*
 * 5113-esmtp-socket: how a libESMTP session finds its own socket among the
 * process's descriptors (transport_esmtp_socket.c), with real sockets to
 * a listening socket of the test's own on 127.0.0.1: sessions take turns
 * to connect (one that waited a second goes on); every socket to the
 * server's port gets TCP_NODELAY; a session claims a socket only when it
 * is the one nobody claimed, so two sessions that connected at once wait
 * until one of them can tell (and never take each other's); corking and
 * uncorking reach the claimed socket only; a released socket is nobody's.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testcheck.h"
#include "transport_esmtp_impl.h"

static struct sockaddr_in server;

/* A listening socket on a free port of 127.0.0.1 (server is set). */
static int
listen_here(void)
{
	socklen_t length = sizeof server;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&server, 0, sizeof server);
	server.sin_family = AF_INET;
	server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 ||
	    bind(fd, (struct sockaddr *)&server, sizeof server) != 0 ||
	    listen(fd, 8) != 0 ||
	    getsockname(fd, (struct sockaddr *)&server, &length) != 0) {
		perror("5113: listen");
		exit(1);
	}
	return fd;
}

static int
connect_here(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 ||
	    connect(fd, (struct sockaddr *)&server, sizeof server) != 0) {
		perror("5113: connect");
		exit(1);
	}
	return fd;
}

static int
option(int fd, int name)
{
	int value = -1;
	socklen_t length = sizeof value;

	if (getsockopt(fd, IPPROTO_TCP, name, &value, &length) != 0)
		return -1;
	return value;
}

static void
batch_init(struct esmtp_batch *batch, struct esmtp_transport *esmtp)
{
	memset(batch, 0, sizeof *batch);
	batch->esmtp = esmtp;
	batch->socket_fd = -1;
}

int
main(void)
{
	struct esmtp_transport esmtp = {0};
	struct esmtp_batch one, two, three;
	int listener = listen_here();
	int first, second, third;

	esmtp.host_port = xasprintf("127.0.0.1:%d", ntohs(server.sin_port));
	batch_init(&one, &esmtp);
	batch_init(&two, &esmtp);
	batch_init(&three, &esmtp);

	/*
	 * One session connected: its socket is the only one, and its own.
	 * Sessions take turns to connect: while one is connecting, another
	 * waits a second for it and then goes on regardless.
	 */
	transport_esmtp_socket_before(&one);
	CHECK(one.connecting == 1);
	transport_esmtp_socket_before(&two);
	CHECK(two.connecting == 0);
	first = connect_here();
	CHECK(option(first, TCP_NODELAY) == 0);
	transport_esmtp_socket_connected(&one);
	CHECK(one.connecting == 0);
	CHECK(one.socket_fd == first);
	transport_esmtp_socket_before(&two);
	CHECK(two.connecting == 1);
	transport_esmtp_socket_release(&two); /* never connected */
	CHECK(two.connecting == 0 && two.socket_fd == -1);
	CHECK(option(first, TCP_NODELAY) > 0);

	/* Two more connect before either looks: neither can tell yet. */
	second = connect_here();
	third = connect_here();
	transport_esmtp_socket_connected(&two);
	CHECK(two.socket_fd == -1);
	CHECK(option(second, TCP_NODELAY) > 0 &&
	      option(third, TCP_NODELAY) > 0);
	transport_esmtp_socket_connected(&three);
	CHECK(three.socket_fd == -1);
	/* Uncorked meanwhile: nothing is corked that is not one's own. */
	transport_esmtp_socket_cork(&two, 1);
	CHECK(two.socket_fd == -1);
	CHECK(option(second, TCP_CORK) == 0 && option(third, TCP_CORK) == 0);

	/*
	 * The test plays libESMTP: session two's socket is second.  Once
	 * third is gone (its session ended, released, closed), second is
	 * the only one unclaimed: session two's next try finds it.
	 */
	transport_esmtp_socket_release(&three);
	close(third);
	transport_esmtp_socket_cork(&two, 1);
	CHECK(two.socket_fd == second);
	CHECK(option(second, TCP_CORK) > 0);
	CHECK(option(first, TCP_CORK) == 0);
	transport_esmtp_socket_cork(&two, 0);
	CHECK(option(second, TCP_CORK) == 0);
	transport_esmtp_socket_cork(&one, 1);
	CHECK(option(first, TCP_CORK) > 0);
	transport_esmtp_socket_cork(&one, 0);
	CHECK(option(first, TCP_CORK) == 0);

	/* Released: one's socket is nobody's; a new session may claim it. */
	transport_esmtp_socket_release(&one);
	CHECK(one.socket_fd == -1);
	batch_init(&three, &esmtp);
	transport_esmtp_socket_connected(&three);
	CHECK(three.socket_fd == first);
	/* A session that gave up telling stops trying. */
	transport_esmtp_socket_release(&three);
	transport_esmtp_socket_release(&two);
	third = connect_here();
	batch_init(&one, &esmtp);
	transport_esmtp_socket_connected(&one);
	CHECK(one.socket_fd == -1); /* first, second and third: all free */
	for (int i = 0; i < 20; i++)
		transport_esmtp_socket_cork(&one, 1);
	CHECK(one.socket_fd == -1 && one.socket_tries == 8);
	transport_esmtp_socket_release(&one);

	close(first);
	close(second);
	close(third);
	close(listener);
	free(esmtp.host_port);
	if (failures) {
		fprintf(stderr, "%d checks failed\n", failures);
		return 1;
	}
	printf("5113-esmtp-socket: all checks passed\n");
	return 0;
}
