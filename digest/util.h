/*
 * util.h - allocation that cannot fail, a growable buffer, checked number
 * parsing, files and strings shared by every stage.
 *
 * The x* allocators exit with EX_OSERR when memory runs out, so callers need
 * no NULL checks.  Everything they return is released with free().
 */
#ifndef DIGEST_UTIL_H
#define DIGEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
/* Grows an array of count elements of size bytes; exits on overflow. */
void *xreallocarray(void *ptr, size_t count, size_t size);
char *xstrdup(const char *text);
char *xstrndup(const char *text, size_t length);
char *xasprintf(const char *format, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *format, va_list args)
    __attribute__((format(printf, 1, 0)));

/*
 * A growable, always NUL-terminated byte buffer.  Initialise with
 * BUF_INIT; release with buf_free() or take the bytes with buf_detach().
 */
struct buf {
	char *data;
	size_t length;
	size_t capacity;
};
#define BUF_INIT                                                               \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

void buf_reserve(struct buf *buffer, size_t extra);
void buf_append(struct buf *buffer, const char *bytes, size_t length);
void buf_puts(struct buf *buffer, const char *text);
void buf_putc(struct buf *buffer, char c);
void buf_printf(struct buf *buffer, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *buffer);
/* Returns the bytes (never NULL); the caller frees them with free(). */
char *buf_detach(struct buf *buffer);
void buf_free(struct buf *buffer);

/*
 * Appends text as a JSON string, quotes included, or null when text is
 * NULL.  Bytes of 0x80 and above pass through: the input is UTF-8.
 */
void buf_put_json_string(struct buf *buffer, const char *text);

/*
 * Parses a whole decimal integer in [min, max] into *value_out.  Leading or
 * trailing garbage, an empty string and overflow all fail.  Returns 0 on
 * success, -1 on failure.
 */
int util_parse_long(const char *text, long min, long max, long *value_out);

/*
 * Parses a byte size such as "512", "64k", "5M" or "1G" (powers of 1024).
 * Returns 0 on success, -1 on failure.
 */
int util_parse_size(const char *text, size_t *value_out);

/*
 * Parses a duration such as "90", "90s", "15m", "36h" or "2d" into seconds
 * (a bare number is seconds).  Returns 0 on success, -1 on failure.
 */
int util_parse_duration(const char *text, long *seconds_out);

/* ASCII-only case-insensitive comparisons, independent of the locale. */
int util_strcasecmp(const char *a, const char *b);
int util_strncasecmp(const char *a, const char *b, size_t length);

/*
 * Reads a whole file into memory.  Returns 0 and sets *data_out (free()) and
 * *size_out, or -1 with errno set.  Refuses files larger than max_size with
 * errno EFBIG.
 */
int util_read_file(const char *path, size_t max_size, char **data_out,
		   size_t *size_out);

/* As util_read_file(), from an open descriptor (read to its end). */
int util_read_fd(int fd, size_t max_size, char **data_out, size_t *size_out);

/*
 * Writes data to path atomically: a temporary file in the same directory,
 * fsync, rename.  Returns 0, or -1 with errno set.
 */
int util_write_file_atomic(const char *path, const char *data, size_t size);

/* Copies src into dst of capacity size, always terminating; returns strlen. */
size_t util_strlcpy(char *dst, const char *src, size_t size);

/*
 * Replaces every copy of secret in *text (a string from malloc) by "***",
 * so that a password or a URL's credentials never reach a log line.
 * Nothing happens when either is NULL or empty.
 */
void util_redact(char **text, const char *secret);

/*
 * Returns non-zero when the length bytes at text are well-formed UTF-8 (no
 * overlong forms, no surrogates, nothing past U+10FFFF).
 */
int util_utf8_valid(const char *text, size_t length);

/*
 * Quotes text for a one-line message: "..." with control bytes as \xNN
 * and '"' and '\' escaped, so that a stray newline in an argument or a
 * CSV field cannot split the line.  Returns a new string (free()).
 */
char *util_quote(const char *text);

/* Removes leading and trailing blanks and tabs from text, in place. */
void util_trim(char *text);

/*
 * Makes text, in place, fit on one line of a message: a line break or
 * tab becomes a space and any other control character '?'.
 */
void util_one_line(char *text);

/*
 * Fills hex with 2 * count random hex digits from the kernel's pool
 * (count at most 32) and a NUL.
 */
void util_random_hex(char *hex, size_t count);

#endif
