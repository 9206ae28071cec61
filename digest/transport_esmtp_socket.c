/*
 * transport_esmtp_socket.c - the socket of a libESMTP session, which
 * libESMTP keeps to itself: found among the process's descriptors.
 *
 * libESMTP leaves Nagle's algorithm on and writes a message in pieces of
 * 2 KB and then its final dot: the small last piece waits for the
 * server's ACK of the one before, which a server delays (40 ms on Linux)
 * as it has nothing to say until the dot.  That cost every message 40 ms.
 * So just after a session connected, every TCP socket of the process
 * connected to the server's port gets TCP_NODELAY: ours, or another
 * session's to the same server, which wants it as well.
 *
 * With Nagle off, each of those 2 KB pieces leaves as a packet of its own,
 * and the kernel works each one through both ends' TCP.  Corked
 * (TCP_CORK) while a message's data is written, the pieces leave
 * together when it is uncorked before the last one.  Corking is for one
 * socket only, so a session claims its own: among the sockets to the
 * server's port that no session has claimed, ours is always one (it is
 * open until the session ends), so when there is exactly one, it is ours.
 * To keep it so, sessions take turns to connect: each holds a lock from
 * just before it starts until it connected and claimed.  One that waited
 * a second for the lock (a server slow to answer) connects without it;
 * then which socket is whose may not be clear, and the session tries
 * again at its next messages, sending uncorked meanwhile.
 */
#include "transport_esmtp_impl.h"

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

/* A session gives up telling its socket apart after this many tries. */
#define CLAIM_TRIES 8

/* How long a session waits for another one's connecting, in ms. */
#define CONNECT_WAIT_MS 1000

/* Held by the session connecting, until it claimed its socket. */
static pthread_mutex_t connecting_lock = PTHREAD_MUTEX_INITIALIZER;

/* The sockets sessions claimed, by inode; guarded by claimed_lock. */
static pthread_mutex_t claimed_lock = PTHREAD_MUTEX_INITIALIZER;
static ino_t *claimed;
static size_t claimed_count, claimed_capacity;

/* The port of a connected TCP socket, or -1 for any other descriptor. */
static int
peer_port(int fd)
{
	struct sockaddr_storage peer;
	socklen_t length = sizeof peer;
	int type = 0;
	socklen_t type_length = sizeof type;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_length) != 0 ||
	    type != SOCK_STREAM ||
	    getpeername(fd, (struct sockaddr *)&peer, &length) != 0)
		return -1;
	if (peer.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&peer)->sin_port);
	if (peer.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&peer)->sin6_port);
	return -1;
}

/* Whether inode was claimed (claimed_lock held). */
static int
is_claimed(ino_t inode)
{
	for (size_t i = 0; i < claimed_count; i++)
		if (claimed[i] == inode)
			return 1;
	return 0;
}

/* The server's port from "host:port", or -1. */
static long
server_port(const struct esmtp_transport *esmtp)
{
	const char *colon = strrchr(esmtp->host_port, ':');
	long port = -1;

	if (colon == NULL || util_parse_long(colon + 1, 1, 65535, &port) < 0)
		return -1;
	return port;
}

/*
 * Goes through the process's sockets to the server's port (claimed_lock
 * held): turns Nagle off on each when nodelay, and claims the one no
 * session has claimed if it is the only one.
 */
static void
scan(struct esmtp_batch *batch, int nodelay)
{
	DIR *directory = opendir("/proc/self/fd");
	long port = server_port(batch->esmtp);
	struct dirent *entry;
	struct stat status;
	int unclaimed = 0, found = -1;
	ino_t found_inode = 0;
	const int on = 1;
	long fd;

	if (directory == NULL || port < 0) {
		if (directory != NULL)
			closedir(directory);
		return;
	}
	while ((entry = readdir(directory)) != NULL) {
		if (util_parse_long(entry->d_name, 0, 1L << 30, &fd) < 0 ||
		    fd == dirfd(directory) || peer_port((int)fd) != port ||
		    fstat((int)fd, &status) != 0)
			continue;
		if (nodelay)
			setsockopt((int)fd, IPPROTO_TCP, TCP_NODELAY, &on,
				   sizeof on);
		if (!is_claimed(status.st_ino)) {
			unclaimed++;
			found = (int)fd;
			found_inode = status.st_ino;
		}
	}
	closedir(directory);
	if (unclaimed != 1)
		return;
	if (claimed_count == claimed_capacity) {
		claimed_capacity = claimed_capacity ? claimed_capacity * 2 : 8;
		claimed =
		    xreallocarray(claimed, claimed_capacity, sizeof *claimed);
	}
	claimed[claimed_count++] = found_inode;
	batch->socket_fd = found;
	batch->socket_inode = found_inode;
}

void
transport_esmtp_socket_before(struct esmtp_batch *batch)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += CONNECT_WAIT_MS / 1000;
	batch->connecting =
	    pthread_mutex_timedlock(&connecting_lock, &until) == 0;
}

/* The session connected, or will not: the next may go. */
static void
connected(struct esmtp_batch *batch)
{
	if (batch->connecting)
		pthread_mutex_unlock(&connecting_lock);
	batch->connecting = 0;
}

void
transport_esmtp_socket_connected(struct esmtp_batch *batch)
{
	pthread_mutex_lock(&claimed_lock);
	batch->socket_tries = 1;
	scan(batch, 1);
	pthread_mutex_unlock(&claimed_lock);
	connected(batch);
}

void
transport_esmtp_socket_cork(struct esmtp_batch *batch, int on)
{
	if (batch->socket_fd < 0 && on && batch->socket_tries > 0 &&
	    batch->socket_tries < CLAIM_TRIES) {
		pthread_mutex_lock(&claimed_lock);
		batch->socket_tries++;
		scan(batch, 0);
		pthread_mutex_unlock(&claimed_lock);
	}
	if (batch->socket_fd >= 0)
		setsockopt(batch->socket_fd, IPPROTO_TCP, TCP_CORK, &on,
			   sizeof on);
}

void
transport_esmtp_socket_release(struct esmtp_batch *batch)
{
	connected(batch);
	pthread_mutex_lock(&claimed_lock);
	for (size_t i = 0; i < claimed_count; i++)
		if (batch->socket_fd >= 0 &&
		    claimed[i] == batch->socket_inode) {
			claimed[i] = claimed[--claimed_count];
			break;
		}
	if (claimed_count == 0) {
		free(claimed);
		claimed = NULL;
		claimed_capacity = 0;
	}
	pthread_mutex_unlock(&claimed_lock);
	batch->socket_fd = -1;
	batch->socket_tries = 0;
}
