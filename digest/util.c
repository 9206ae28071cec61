/*
 * util.c - see util.h.
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

static void
out_of_memory(void)
{
	static const char message[] = "digest: out of memory\n";

	/* Nothing can be allocated now: write(2) the message as it is. */
	if (write(STDERR_FILENO, message, sizeof message - 1) < 0) {
		/* Nothing more can be done. */
	}
	exit(EX_OSERR);
}

void *
xmalloc(size_t size)
{
	void *ptr = malloc(size ? size : 1);

	if (ptr == NULL)
		out_of_memory();
	return ptr;
}

void *
xcalloc(size_t count, size_t size)
{
	void *ptr = calloc(count ? count : 1, size ? size : 1);

	if (ptr == NULL)
		out_of_memory();
	return ptr;
}

static void *
xrealloc(void *ptr, size_t size)
{
	void *grown = realloc(ptr, size ? size : 1);

	if (grown == NULL)
		out_of_memory();
	return grown;
}

void *
xreallocarray(void *ptr, size_t count, size_t size)
{
	if (size != 0 && count > SIZE_MAX / size)
		out_of_memory();
	return xrealloc(ptr, count * size);
}

char *
xstrdup(const char *text)
{
	return xstrndup(text, strlen(text));
}

char *
xstrndup(const char *text, size_t length)
{
	char *copy = xmalloc(length + 1);

	memcpy(copy, text, length);
	copy[length] = '\0';
	return copy;
}

char *
xvasprintf(const char *format, va_list args)
{
	char *text = NULL;

	if (vasprintf(&text, format, args) < 0)
		out_of_memory();
	return text;
}

char *
xasprintf(const char *format, ...)
{
	va_list args;
	char *text;

	va_start(args, format);
	text = xvasprintf(format, args);
	va_end(args);
	return text;
}

void
buf_reserve(struct buf *buffer, size_t extra)
{
	size_t needed;

	if (extra > SIZE_MAX - buffer->length - 1)
		out_of_memory();
	needed = buffer->length + extra + 1;
	if (needed <= buffer->capacity)
		return;
	if (buffer->capacity == 0)
		buffer->capacity = 64;
	while (buffer->capacity < needed) {
		if (buffer->capacity > SIZE_MAX / 2)
			buffer->capacity = needed;
		else
			buffer->capacity *= 2;
	}
	buffer->data = xrealloc(buffer->data, buffer->capacity);
	/* A fresh buffer must read as "" too, as the header promises. */
	buffer->data[buffer->length] = '\0';
}

void
buf_append(struct buf *buffer, const char *bytes, size_t length)
{
	buf_reserve(buffer, length);
	if (length)
		memcpy(buffer->data + buffer->length, bytes, length);
	buffer->length += length;
	buffer->data[buffer->length] = '\0';
}

void
buf_puts(struct buf *buffer, const char *text)
{
	buf_append(buffer, text, strlen(text));
}

void
buf_putc(struct buf *buffer, char c)
{
	/* The common case, room to spare, skips buf_reserve's checks. */
	if (buffer->length + 2 > buffer->capacity)
		buf_reserve(buffer, 1);
	buffer->data[buffer->length++] = c;
	buffer->data[buffer->length] = '\0';
}

void
buf_printf(struct buf *buffer, const char *format, ...)
{
	va_list args;
	int length;

	va_start(args, format);
	length = vsnprintf(NULL, 0, format, args);
	va_end(args);
	if (length < 0)
		out_of_memory();
	buf_reserve(buffer, (size_t)length);
	va_start(args, format);
	vsnprintf(buffer->data + buffer->length, (size_t)length + 1, format,
		  args);
	va_end(args);
	buffer->length += (size_t)length;
}

void
buf_reset(struct buf *buffer)
{
	buffer->length = 0;
	if (buffer->data)
		buffer->data[0] = '\0';
}

char *
buf_detach(struct buf *buffer)
{
	char *data = buffer->data;

	if (data == NULL)
		data = xstrdup("");
	buffer->data = NULL;
	buffer->length = 0;
	buffer->capacity = 0;
	return data;
}

void
buf_free(struct buf *buffer)
{
	free(buffer->data);
	buffer->data = NULL;
	buffer->length = 0;
	buffer->capacity = 0;
}

void
buf_put_json_string(struct buf *buffer, const char *text)
{
	if (text == NULL) {
		buf_puts(buffer, "null");
		return;
	}
	buf_putc(buffer, '"');
	for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
		if (*c == '"' || *c == '\\')
			buf_printf(buffer, "\\%c", *c);
		else if (*c == '\n')
			buf_puts(buffer, "\\n");
		else if (*c == '\t')
			buf_puts(buffer, "\\t");
		else if (*c < 0x20 || *c == 0x7f)
			buf_printf(buffer, "\\u%04x", *c);
		else
			buf_putc(buffer, (char)*c);
	}
	buf_putc(buffer, '"');
}

int
util_parse_long(const char *text, long min, long max, long *value_out)
{
	char *end = NULL;
	long value;

	if (text == NULL || *text == '\0' || isspace((unsigned char)*text))
		return -1;
	errno = 0;
	value = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0')
		return -1;
	if (value < min || value > max)
		return -1;
	*value_out = value;
	return 0;
}

/*
 * Splits "64k" into the number 64 and the one-letter unit 'k'; a missing
 * unit is '\0'.
 */
static int
split_number_unit(const char *text, long *number_out, char *unit_out)
{
	char digits[32];
	size_t length = strlen(text);
	char unit = '\0';

	if (length > 0 && isalpha((unsigned char)text[length - 1])) {
		unit = (char)tolower((unsigned char)text[length - 1]);
		length--;
	}
	if (length == 0 || length >= sizeof digits)
		return -1;
	memcpy(digits, text, length);
	digits[length] = '\0';
	if (util_parse_long(digits, 0, LONG_MAX, number_out) < 0)
		return -1;
	*unit_out = unit;
	return 0;
}

int
util_parse_size(const char *text, size_t *value_out)
{
	long number;
	char unit;
	unsigned shift;

	if (split_number_unit(text, &number, &unit) < 0)
		return -1;
	switch (unit) {
	case '\0':
	case 'b':
		shift = 0;
		break;
	case 'k':
		shift = 10;
		break;
	case 'm':
		shift = 20;
		break;
	case 'g':
		shift = 30;
		break;
	default:
		return -1;
	}
	if ((unsigned long)number > (SIZE_MAX >> shift))
		return -1;
	*value_out = (size_t)number << shift;
	return 0;
}

int
util_parse_duration(const char *text, long *seconds_out)
{
	long number;
	long scale;
	char unit;

	if (split_number_unit(text, &number, &unit) < 0)
		return -1;
	switch (unit) {
	case '\0':
	case 's':
		scale = 1;
		break;
	case 'm':
		scale = 60;
		break;
	case 'h':
		scale = 3600;
		break;
	case 'd':
		scale = 86400;
		break;
	default:
		return -1;
	}
	if (number > LONG_MAX / scale)
		return -1;
	*seconds_out = number * scale;
	return 0;
}

int
util_strcasecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = tolower((unsigned char)*a);
		int cb = tolower((unsigned char)*b);

		if (ca != cb || ca == 0)
			return ca - cb;
	}
}

int
util_strncasecmp(const char *a, const char *b, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		int ca = tolower((unsigned char)a[i]);
		int cb = tolower((unsigned char)b[i]);

		if (ca != cb || ca == 0)
			return ca - cb;
	}
	return 0;
}

int
util_read_fd(int fd, size_t max_size, char **data_out, size_t *size_out)
{
	struct buf content = BUF_INIT;
	char chunk[65536];
	int saved;

	for (;;) {
		ssize_t got = read(fd, chunk, sizeof chunk);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto fail;
		if (got == 0)
			break;
		if (content.length + (size_t)got > max_size) {
			errno = EFBIG;
			goto fail;
		}
		buf_append(&content, chunk, (size_t)got);
	}
	*size_out = content.length;
	*data_out = buf_detach(&content);
	return 0;
fail:
	saved = errno;
	buf_free(&content);
	errno = saved;
	return -1;
}

int
util_read_file(const char *path, size_t max_size, char **data_out,
	       size_t *size_out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int result;
	int saved;

	if (fd < 0)
		return -1;
	result = util_read_fd(fd, max_size, data_out, size_out);
	saved = errno;
	close(fd);
	errno = saved;
	return result;
}

static int
write_all(int fd, const char *data, size_t size)
{
	while (size > 0) {
		ssize_t wrote = write(fd, data, size);

		if (wrote < 0 && errno == EINTR)
			continue;
		if (wrote < 0)
			return -1;
		data += wrote;
		size -= (size_t)wrote;
	}
	return 0;
}

int
util_write_file_atomic(const char *path, const char *data, size_t size)
{
	char *temporary = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd;
	int saved;

	fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	if (write_all(fd, data, size) < 0 || fsync(fd) < 0) {
		saved = errno;
		close(fd);
		unlink(temporary);
		errno = saved;
		goto fail;
	}
	if (close(fd) < 0 || rename(temporary, path) < 0) {
		saved = errno;
		unlink(temporary);
		errno = saved;
		goto fail;
	}
	free(temporary);
	return 0;
fail:
	saved = errno;
	free(temporary);
	errno = saved;
	return -1;
}

size_t
util_strlcpy(char *dst, const char *src, size_t size)
{
	size_t length = strlen(src);

	if (size > 0) {
		size_t copy = length < size - 1 ? length : size - 1;

		memcpy(dst, src, copy);
		dst[copy] = '\0';
	}
	return length;
}

void
util_redact(char **text, const char *secret)
{
	struct buf clean = BUF_INIT;
	const char *cursor, *found;
	size_t secret_length;

	if (secret == NULL || *secret == '\0' || *text == NULL ||
	    strstr(*text, secret) == NULL)
		return;
	secret_length = strlen(secret);
	for (cursor = *text; (found = strstr(cursor, secret)) != NULL;
	     cursor = found + secret_length) {
		buf_append(&clean, cursor, (size_t)(found - cursor));
		buf_puts(&clean, "***");
	}
	buf_puts(&clean, cursor);
	free(*text);
	*text = buf_detach(&clean);
}

int
util_utf8_valid(const char *bytes, size_t length)
{
	const unsigned char *text = (const unsigned char *)bytes;
	size_t index = 0, extra, k;
	unsigned long code;

	while (index < length) {
		unsigned char lead = text[index];

		if (lead < 0x80) {
			index++;
			continue;
		}
		if (lead >= 0xC2 && lead <= 0xDF) {
			extra = 1;
			code = lead & 0x1F;
		} else if (lead >= 0xE0 && lead <= 0xEF) {
			extra = 2;
			code = lead & 0x0F;
		} else if (lead >= 0xF0 && lead <= 0xF4) {
			extra = 3;
			code = lead & 0x07;
		} else {
			return 0;
		}
		if (length - index - 1 < extra)
			return 0;
		for (k = 1; k <= extra; k++) {
			if ((text[index + k] & 0xC0) != 0x80)
				return 0;
			code = (code << 6) | (text[index + k] & 0x3F);
		}
		/* Overlong forms, surrogates and beyond U+10FFFF. */
		if ((extra == 2 && code < 0x800) ||
		    (extra == 3 && code < 0x10000) || code > 0x10FFFF ||
		    (code >= 0xD800 && code <= 0xDFFF))
			return 0;
		index += extra + 1;
	}
	return 1;
}

char *
util_quote(const char *text)
{
	struct buf out = BUF_INIT;
	const unsigned char *cursor;

	buf_putc(&out, '"');
	for (cursor = (const unsigned char *)text; *cursor; cursor++) {
		if (*cursor < 0x20 || *cursor == 0x7f)
			buf_printf(&out, "\\x%02x", *cursor);
		else if (*cursor == '"' || *cursor == '\\')
			buf_printf(&out, "\\%c", *cursor);
		else
			buf_putc(&out, (char)*cursor);
	}
	buf_putc(&out, '"');
	return buf_detach(&out);
}

void
util_trim(char *text)
{
	size_t length = strlen(text), start = 0;

	while (length > 0 &&
	       (text[length - 1] == ' ' || text[length - 1] == '\t'))
		text[--length] = '\0';
	while (text[start] == ' ' || text[start] == '\t')
		start++;
	memmove(text, text + start, length - start + 1);
}

void
util_one_line(char *text)
{
	for (unsigned char *p = (unsigned char *)text; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = *p == '\t' || *p == '\n' || *p == '\r' ? ' ' : '?';
}

void
util_random_hex(char *hex, size_t count)
{
	unsigned char random_bytes[32];
	size_t filled = 0;

	if (count > sizeof random_bytes)
		count = sizeof random_bytes;
	while (filled < count) {
		ssize_t got =
		    getrandom(random_bytes + filled, count - filled, 0);

		if (got < 0)
			continue; /* EINTR; the pool never fails otherwise */
		filled += (size_t)got;
	}
	for (size_t i = 0; i < count; i++) {
		hex[2 * i] = "0123456789abcdef"[random_bytes[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[random_bytes[i] & 15];
	}
	hex[2 * count] = '\0';
}
