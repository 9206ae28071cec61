/*
 * transport_file.c - the two transports without a network: a Maildir-style
 * outbox (one .eml file per message) and standard output (mboxrd).
 */
#include "transport_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

struct maildir_transport {
	struct transport base;
	char *directory;
	unsigned long delivery_count;
};

struct stdout_transport {
	struct transport base;
};

/* A full disk or a flaky device may clear up; anything else will not. */
static enum transport_status
status_for_errno(int error)
{
	if (error == ENOSPC || error == EDQUOT || error == EIO ||
	    error == EAGAIN || error == ENOMEM)
		return TRANSPORT_ETEMP;
	return TRANSPORT_ECONFIG;
}

static int
make_directory(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return -1;
}

static int
write_all(int fd, const char *data, size_t size)
{
	while (size > 0) {
		ssize_t written = write(fd, data, size);

		if (written < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += written;
		size -= (size_t)written;
	}
	return 0;
}

/* Makes the rename into new/ durable: fsync the directory itself. */
static int
sync_directory(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int result = 0;

	if (fd < 0)
		return -1;
	if (fsync(fd) < 0)
		result = -1;
	if (close(fd) < 0)
		result = -1;
	return result;
}

/*
 * Returns a name no other delivery shares (free()): the time, the process,
 * a counter and random bits, as Maildir's own naming does.
 */
static char *
unique_name(struct maildir_transport *maildir)
{
	struct timeval now;
	uint32_t random_part = 0;

	gettimeofday(&now, NULL);
	if (getrandom(&random_part, sizeof random_part, GRND_NONBLOCK) < 0)
		random_part = (uint32_t)now.tv_usec;
	maildir->delivery_count++;
	return xasprintf("%lld.M%06ldP%ldQ%lu.%08x.eml", (long long)now.tv_sec,
			 (long)now.tv_usec, (long)getpid(),
			 maildir->delivery_count, (unsigned)random_part);
}

static enum transport_status
maildir_send(struct transport *transport, const char *envelope_from,
	     const char *recipient, const char *message, size_t size,
	     char **errstr_out)
{
	struct maildir_transport *maildir =
	    (struct maildir_transport *)transport;
	enum transport_status status = TRANSPORT_OK;
	const char *subdirs[] = {"tmp", "new", "cur"};
	char *name = NULL;
	char *tmp_path = NULL;
	char *new_path = NULL;
	char *new_dir = NULL;
	char *subdir = NULL;
	const char *failed_step = NULL;
	const char *failed_path = NULL;
	int fd = -1;
	int error = 0;
	size_t i;

	(void)envelope_from;
	(void)recipient;
	if (make_directory(maildir->directory) < 0) {
		error = errno;
		failed_step = "cannot create";
		failed_path = maildir->directory;
		goto out;
	}
	for (i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
		free(subdir);
		subdir = xasprintf("%s/%s", maildir->directory, subdirs[i]);
		if (make_directory(subdir) < 0) {
			error = errno;
			failed_step = "cannot create";
			failed_path = subdir;
			goto out;
		}
	}
	name = unique_name(maildir);
	tmp_path = xasprintf("%s/tmp/%s", maildir->directory, name);
	new_path = xasprintf("%s/new/%s", maildir->directory, name);
	new_dir = xasprintf("%s/new", maildir->directory);
	fd = open(tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		error = errno;
		failed_step = "cannot create";
		failed_path = tmp_path;
		goto out;
	}
	if (write_all(fd, message, size) < 0 || fsync(fd) < 0) {
		error = errno;
		failed_step = "cannot write";
		failed_path = tmp_path;
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		error = errno;
		failed_step = "cannot write";
		failed_path = tmp_path;
		goto out;
	}
	fd = -1;
	if (rename(tmp_path, new_path) < 0) {
		error = errno;
		failed_step = "cannot move into place";
		failed_path = new_path;
		goto out;
	}
	if (sync_directory(new_dir) < 0) {
		error = errno;
		failed_step = "cannot sync";
		failed_path = new_dir;
		goto out;
	}
out:
	if (fd >= 0)
		close(fd);
	if (failed_step != NULL) {
		/* Leave no half-written file behind in tmp/. */
		if (tmp_path != NULL && strcmp(failed_step, "cannot sync") != 0)
			unlink(tmp_path);
		status = status_for_errno(error);
		*errstr_out = xasprintf("outbox: %s %s: %s", failed_step,
					failed_path, strerror(error));
	}
	free(subdir);
	free(new_dir);
	free(new_path);
	free(tmp_path);
	free(name);
	return status;
}

static void
maildir_close(struct transport *transport)
{
	struct maildir_transport *maildir =
	    (struct maildir_transport *)transport;

	free(maildir->directory);
	free(maildir);
}

static const struct transport_ops maildir_ops = {
    .send = maildir_send,
    .close = maildir_close,
};

struct transport *
transport_open_maildir(const char *directory)
{
	struct maildir_transport *maildir = xcalloc(1, sizeof *maildir);

	maildir->base.ops = &maildir_ops;
	maildir->directory = xstrdup(directory);
	return &maildir->base;
}

/*
 * Writes message as an mboxrd entry: LF line ends, and a '>' before any
 * line that would read as a "From " separator (even an already quoted one,
 * so a reader can undo it).  Returns 0, or -1 with errno set.
 */
static int
write_mbox_entry(FILE *stream, const char *envelope_from, const char *message,
		 size_t size)
{
	struct buf entry = BUF_INIT;
	time_t now = time(NULL);
	struct tm tm_now;
	char date[32];
	size_t line_start = 0;
	int result = 0;

	gmtime_r(&now, &tm_now);
	strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", &tm_now);
	buf_printf(&entry, "From %s %s\n", envelope_from, date);
	while (line_start < size) {
		const char *line = message + line_start;
		const char *end = memchr(line, '\n', size - line_start);
		size_t length = end ? (size_t)(end - line) : size - line_start;
		size_t quote = 0;

		line_start += length + (end ? 1 : 0);
		if (length > 0 && line[length - 1] == '\r')
			length--;
		while (quote < length && line[quote] == '>')
			quote++;
		if (length - quote >= 5 &&
		    memcmp(line + quote, "From ", 5) == 0)
			buf_putc(&entry, '>');
		buf_append(&entry, line, length);
		buf_putc(&entry, '\n');
	}
	buf_putc(&entry, '\n');
	if (fwrite(entry.data, 1, entry.length, stream) != entry.length ||
	    fflush(stream) != 0)
		result = -1;
	buf_free(&entry);
	return result;
}

static enum transport_status
stdout_send(struct transport *transport, const char *envelope_from,
	    const char *recipient, const char *message, size_t size,
	    char **errstr_out)
{
	(void)transport;
	(void)recipient;
	if (write_mbox_entry(stdout, envelope_from, message, size) < 0) {
		int error = errno;

		*errstr_out = xasprintf("standard output: cannot write: %s",
					strerror(error));
		return status_for_errno(error);
	}
	return TRANSPORT_OK;
}

static void
stdout_close(struct transport *transport)
{
	free(transport);
}

static const struct transport_ops stdout_ops = {
    .send = stdout_send,
    .close = stdout_close,
};

struct transport *
transport_open_stdout(void)
{
	struct stdout_transport *transport = xcalloc(1, sizeof *transport);

	transport->base.ops = &stdout_ops;
	return &transport->base;
}
