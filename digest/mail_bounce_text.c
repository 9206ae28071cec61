/*
 * mail_bounce_text.c - the texts inside a bounce: the fields of a
 * delivery status report, qmail's paragraphs, a mailer daemon's prose
 * with an SMTP reply in it, and the headers of the message that came
 * back.  See mail_bounce_impl.h.
 *
 * Each text is walked line by line within its length, a bounded number
 * of lines, and nothing is copied out but short, cleaned strings: a
 * bounce is written by whoever sends one.
 */
#include "mail_bounce_impl.h"

#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "util.h"

/* The most lines read from one text: bounces put their news up front. */
#define TEXT_LINES_MAX 4000
/* The most recipients one report may name that are looked at. */
#define DSN_RECORDS_MAX 64
/* How many lines above its SMTP reply a recipient's address may stand. */
#define PLAIN_NEAR_LINES 8
/* A Message-ID longer than this is not one of ours. */
#define MESSAGE_ID_MAX 250

struct lines {
	const char *next;
	const char *end;
	size_t count;
};

/* Takes the next line without its line end; returns 0 after the last. */
static int
next_line(struct lines *lines, const char **line_out, size_t *length_out)
{
	const char *newline;
	size_t length;

	if (lines->next >= lines->end || lines->count >= TEXT_LINES_MAX)
		return 0;
	newline = memchr(lines->next, '\n', (size_t)(lines->end - lines->next));
	length = (size_t)((newline ? newline : lines->end) - lines->next);
	*line_out = lines->next;
	lines->next = newline ? newline + 1 : lines->end;
	if (length > 0 && (*line_out)[length - 1] == '\r')
		length--;
	*length_out = length;
	lines->count++;
	return 1;
}

static int
is_blank(const char *line, size_t length)
{
	for (size_t i = 0; i < length; i++)
		if (line[i] != ' ' && line[i] != '\t')
			return 0;
	return 1;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

const char *
mail_bounce_text_find(const char *text, size_t length, const char *needle)
{
	size_t needle_length = strlen(needle);

	for (size_t i = 0; i + needle_length <= length; i++)
		if (util_strncasecmp(text + i, needle, needle_length) == 0)
			return text + i;
	return NULL;
}

static int
starts_with(const char *text, size_t length, const char *prefix)
{
	size_t prefix_length = strlen(prefix);

	return length >= prefix_length &&
	       util_strncasecmp(text, prefix, prefix_length) == 0;
}

/*
 * The bytes as one printable line of at most MAIL_BOUNCE_REASON_MAX
 * bytes: controls and line ends become spaces, runs of space one, and
 * bytes that are not UTF-8 '?'.  Returns a new string (free()), or NULL
 * when nothing printable is left.
 */
static char *
clean_line(const char *text, size_t length)
{
	struct buf out = BUF_INIT;
	int pending_space = 0;
	size_t cut;

	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c <= 0x20 || c == 0x7f) {
			pending_space = out.length > 0;
			continue;
		}
		/* A few bytes more than kept, to cut on a character. */
		if (out.length >= MAIL_BOUNCE_REASON_MAX + 4)
			break;
		if (pending_space)
			buf_putc(&out, ' ');
		pending_space = 0;
		buf_putc(&out, (char)c);
	}
	if (out.length == 0) {
		buf_free(&out);
		return NULL;
	}
	cut = out.length;
	if (cut > MAIL_BOUNCE_REASON_MAX) {
		cut = MAIL_BOUNCE_REASON_MAX;
		while (cut > 0 && ((unsigned char)out.data[cut] & 0xc0) == 0x80)
			cut--;
	}
	out.data[cut] = '\0';
	out.length = cut;
	if (!util_utf8_valid(out.data, out.length))
		for (size_t i = 0; i < out.length; i++)
			if ((unsigned char)out.data[i] >= 0x80)
				out.data[i] = '?';
	return buf_detach(&out);
}

/*
 * Reads an enhanced status code ("5.1.1", RFC 3463) at text: returns its
 * length with its class (2, 4 or 5) in *class_out, or 0 when there is
 * none.
 */
static size_t
enhanced_status(const char *text, size_t length, int *class_out)
{
	size_t i = 0;

	if (length < 5 ||
	    (text[0] != '2' && text[0] != '4' && text[0] != '5') ||
	    text[1] != '.')
		return 0;
	i = 2;
	for (int part = 0; part < 2; part++) {
		size_t digits = 0;

		while (i < length && is_digit(text[i]) && digits < 4) {
			i++;
			digits++;
		}
		if (digits == 0 || digits > 3)
			return 0;
		if (part == 0) {
			if (i >= length || text[i] != '.')
				return 0;
			i++;
		}
	}
	if (i < length && (is_digit(text[i]) || text[i] == '.'))
		return 0;
	*class_out = text[0] - '0';
	return i;
}

/*
 * Finds an SMTP reply code (4xx or 5xx) quoted in line, as servers and
 * daemons write it: at the start, or after a space, a bracket, a quote or
 * a colon, and followed by a space, a '-' or the end.  Returns where it
 * starts, or NULL.
 */
static const char *
reply_code(const char *line, size_t length)
{
	static const char before[] = " \t<>:;('\"=#[";

	for (size_t i = 0; i + 3 <= length; i++) {
		if ((line[i] != '4' && line[i] != '5') || line[i + 1] < '0' ||
		    line[i + 1] > '5' || !is_digit(line[i + 2]))
			continue;
		if (i > 0 && (line[i - 1] == '\0' ||
			      strchr(before, line[i - 1]) == NULL))
			continue;
		if (i + 3 < length && line[i + 3] != ' ' && line[i + 3] != '-')
			continue;
		return line + i;
	}
	return NULL;
}

static int
is_address_char(char c)
{
	return c > 0x20 && c < 0x7f && strchr("<>()[],;:\"@\\", c) == NULL;
}

/* The first usable address in the bytes, normalised (free()), or NULL. */
static char *
find_address(const char *text, size_t length)
{
	for (size_t at = 0; at < length; at++) {
		size_t start = at, end = at + 1;
		char *candidate, *address;

		if (text[at] != '@')
			continue;
		while (start > 0 && is_address_char(text[start - 1]))
			start--;
		while (end < length && is_address_char(text[end]))
			end++;
		/* Quotes and a full stop around an address are not in it. */
		while (start < at && text[start] == '\'')
			start++;
		while (end > at + 1 &&
		       (text[end - 1] == '.' || text[end - 1] == '\''))
			end--;
		if (start == at || end == at + 1 || end - start > 254)
			continue;
		candidate = xstrndup(text + start, end - start);
		address = address_normalize(candidate);
		free(candidate);
		if (address != NULL)
			return address;
	}
	return NULL;
}

char *
mail_bounce_text_address(const char *text, size_t length)
{
	const char *semicolon = memchr(text, ';', length);

	/* "rfc822; anna@example.nl": the address type is not the address. */
	if (semicolon != NULL) {
		length -= (size_t)(semicolon + 1 - text);
		text = semicolon + 1;
	}
	return find_address(text, length);
}

/*
 * A bounce's status: the enhanced code where the text has one, else the
 * SMTP reply code.  Returns its class (4 or 5, 0 for none) and, when
 * status_out is not NULL, the code (free()).
 */
static int
text_status(const char *text, size_t length, char **status_out)
{
	const char *code = reply_code(text, length);
	const char *p;
	size_t enhanced_length = 0;
	int class = 0;

	if (code != NULL) {
		/* "550 5.1.1" and "550-5.1.1": the enhanced code refines. */
		p = code + 3;
		while (p < text + length && (*p == ' ' || *p == '-'))
			p++;
		enhanced_length =
		    enhanced_status(p, (size_t)(text + length - p), &class);
		if (enhanced_length == 0 || class != code[0] - '0') {
			enhanced_length = 0;
			p = code;
			class = code[0] - '0';
		}
	} else if ((p = mail_bounce_text_find(text, length, "(#")) != NULL) {
		/* qmail's "(#5.1.1)". */
		p += 2;
		enhanced_length =
		    enhanced_status(p, (size_t)(text + length - p), &class);
	}
	if (class != 4 && class != 5)
		return 0;
	if (status_out != NULL)
		*status_out =
		    xstrndup(p, enhanced_length ? enhanced_length : 3);
	return class;
}

/* Sets what a bounce found, taking ownership of the strings. */
static void
set_finding(struct mail_bounce *bounce, enum mail_bounce_kind kind,
	    char *recipient, char *status, char *reason)
{
	bounce->kind = kind;
	free(bounce->recipient);
	free(bounce->status);
	free(bounce->reason);
	bounce->recipient = recipient;
	bounce->status = status;
	bounce->reason = reason;
}

/* The fields of a per-recipient block of a delivery status report. */
enum dsn_field {
	DSN_FINAL_RECIPIENT,
	DSN_ORIGINAL_RECIPIENT,
	DSN_ACTION,
	DSN_STATUS,
	DSN_DIAGNOSTIC,
	DSN_FIELD_COUNT
};

static const char *const dsn_field_names[DSN_FIELD_COUNT] = {
    "Final-Recipient", "Original-Recipient", "Action", "Status",
    "Diagnostic-Code"};

struct dsn_record {
	const char *value[DSN_FIELD_COUNT];
	size_t length[DSN_FIELD_COUNT];
};

/* Which field line starts, with its value's offset; -1 for others. */
static int
dsn_field(const char *line, size_t length, size_t *value_start_out)
{
	const char *colon = memchr(line, ':', length);
	size_t name_length, start;

	if (colon == NULL)
		return -1;
	name_length = (size_t)(colon - line);
	for (int field = 0; field < DSN_FIELD_COUNT; field++) {
		if (strlen(dsn_field_names[field]) != name_length ||
		    util_strncasecmp(line, dsn_field_names[field],
				     name_length) != 0)
			continue;
		start = name_length + 1;
		while (start < length &&
		       (line[start] == ' ' || line[start] == '\t'))
			start++;
		*value_start_out = start;
		return field;
	}
	return -1;
}

/*
 * Splits the report into recipients: a blank line ends a block, and a
 * field seen twice in one block starts the next recipient (some servers
 * leave the blank lines out).  Returns how many records were filled.
 */
static size_t
dsn_records(const char *text, size_t length, struct dsn_record *records)
{
	struct lines lines = {text, text + length, 0};
	struct dsn_record *current = NULL;
	size_t count = 0, start = 0;
	const char *line;
	size_t line_length;
	int field = -1; /* the one a folded line continues */

	while (next_line(&lines, &line, &line_length)) {
		if (line_length > 0 && (line[0] == ' ' || line[0] == '\t') &&
		    !is_blank(line, line_length)) {
			if (current != NULL && field >= 0)
				current->length[field] =
				    (size_t)(line + line_length -
					     current->value[field]);
			continue;
		}
		field = dsn_field(line, line_length, &start);
		if (is_blank(line, line_length))
			current = NULL;
		if (field < 0)
			continue;
		if (current == NULL || current->value[field] != NULL) {
			if (count == DSN_RECORDS_MAX)
				break;
			current = &records[count++];
		}
		current->value[field] = line + start;
		current->length[field] = line_length - start;
	}
	return count;
}

/* What one recipient's record says: hard, soft or no failure. */
static enum mail_bounce_kind
dsn_kind(const struct dsn_record *record)
{
	const char *action = record->value[DSN_ACTION];
	size_t action_length = record->length[DSN_ACTION];
	int class = 0;

	if (record->value[DSN_STATUS] != NULL)
		enhanced_status(record->value[DSN_STATUS],
				record->length[DSN_STATUS], &class);
	if (class != 4 && class != 5 && record->value[DSN_DIAGNOSTIC] != NULL)
		class = text_status(record->value[DSN_DIAGNOSTIC],
				    record->length[DSN_DIAGNOSTIC], NULL);
	if (action != NULL && starts_with(action, action_length, "delayed"))
		return MAIL_BOUNCE_SOFT;
	if (action != NULL && !starts_with(action, action_length, "failed"))
		return MAIL_BOUNCE_NONE; /* delivered, relayed, expanded */
	if (class == 5)
		return MAIL_BOUNCE_HARD;
	/* Failed for a reason that may pass, or that the report omits. */
	if (class == 4 || action != NULL)
		return MAIL_BOUNCE_SOFT;
	return MAIL_BOUNCE_NONE;
}

/* Fills bounce from the record of a failed or delayed recipient. */
static void
dsn_finding(const struct dsn_record *record, enum mail_bounce_kind kind,
	    struct mail_bounce *bounce)
{
	char *recipient = NULL, *status = NULL, *reason = NULL;
	const char *diagnostic = record->value[DSN_DIAGNOSTIC];
	size_t diagnostic_length = record->length[DSN_DIAGNOSTIC];
	const char *semicolon;
	size_t status_length;
	int class;

	if (record->value[DSN_ORIGINAL_RECIPIENT] != NULL)
		recipient = mail_bounce_text_address(
		    record->value[DSN_ORIGINAL_RECIPIENT],
		    record->length[DSN_ORIGINAL_RECIPIENT]);
	if (recipient == NULL && record->value[DSN_FINAL_RECIPIENT] != NULL)
		recipient = mail_bounce_text_address(
		    record->value[DSN_FINAL_RECIPIENT],
		    record->length[DSN_FINAL_RECIPIENT]);
	if (record->value[DSN_STATUS] != NULL &&
	    (status_length =
		 enhanced_status(record->value[DSN_STATUS],
				 record->length[DSN_STATUS], &class)) > 0)
		status = xstrndup(record->value[DSN_STATUS], status_length);
	if (diagnostic != NULL) {
		/* "smtp; 550 5.1.1 ...": the type is not the reason. */
		semicolon = memchr(diagnostic, ';', diagnostic_length);
		if (semicolon != NULL) {
			diagnostic_length -=
			    (size_t)(semicolon + 1 - diagnostic);
			diagnostic = semicolon + 1;
		}
		if (status == NULL)
			text_status(diagnostic, diagnostic_length, &status);
		reason = clean_line(diagnostic, diagnostic_length);
	}
	set_finding(bounce, kind, recipient, status, reason);
}

int
mail_bounce_text_dsn(const char *text, size_t length,
		     struct mail_bounce *bounce)
{
	struct dsn_record *records = xcalloc(DSN_RECORDS_MAX, sizeof *records);
	size_t count = dsn_records(text, length, records);
	const struct dsn_record *soft = NULL;
	int found = 0;

	for (size_t i = 0; i < count && !found; i++) {
		enum mail_bounce_kind kind = dsn_kind(&records[i]);

		if (kind == MAIL_BOUNCE_HARD) {
			dsn_finding(&records[i], kind, bounce);
			found = 1;
		} else if (kind == MAIL_BOUNCE_SOFT && soft == NULL) {
			soft = &records[i];
		}
	}
	if (!found && soft != NULL) {
		dsn_finding(soft, MAIL_BOUNCE_SOFT, bounce);
		found = 1;
	}
	free(records);
	return found;
}

/*
 * One recipient paragraph of qmail's format: the address between < and
 * >: and the description below it.  qmail bounces only what failed for
 * good, so a paragraph without a code is hard, unless it says the message
 * waited in the queue too long (the remote host may come back).
 */
static enum mail_bounce_kind
qmail_recipient(const char *address, size_t address_length,
		const char *description, size_t description_length,
		char **recipient_out, char **status_out, char **reason_out)
{
	int class = text_status(description, description_length, status_out);

	*recipient_out = find_address(address, address_length);
	*reason_out = clean_line(description, description_length);
	if (class == 5)
		return MAIL_BOUNCE_HARD;
	if (class == 4 ||
	    (mail_bounce_text_find(description, description_length,
				   "too long") &&
	     mail_bounce_text_find(description, description_length, "queue")))
		return MAIL_BOUNCE_SOFT;
	return MAIL_BOUNCE_HARD;
}

/* What the paragraphs found so far: the first hard, else the first soft. */
struct qmail_scan {
	enum mail_bounce_kind kind;
	char *recipient, *status, *reason;
};

static void
qmail_paragraph_done(struct qmail_scan *scan, const char *address,
		     size_t address_length, const char *description,
		     const char *description_end)
{
	char *recipient = NULL, *status = NULL, *reason = NULL;
	enum mail_bounce_kind kind;

	kind = qmail_recipient(
	    address, address_length, description ? description : address,
	    description ? (size_t)(description_end - description) : 0,
	    &recipient, &status, &reason);
	if (scan->kind == MAIL_BOUNCE_NONE ||
	    (scan->kind == MAIL_BOUNCE_SOFT && kind == MAIL_BOUNCE_HARD)) {
		free(scan->recipient);
		free(scan->status);
		free(scan->reason);
		scan->kind = kind;
		scan->recipient = recipient;
		scan->status = status;
		scan->reason = reason;
		return;
	}
	free(recipient);
	free(status);
	free(reason);
}

int
mail_bounce_text_qmail(const char *text, size_t length,
		       struct mail_bounce *bounce)
{
	struct lines lines = {text, text + length, 0};
	struct qmail_scan scan = {MAIL_BOUNCE_NONE, NULL, NULL, NULL};
	const char *line, *address = NULL, *description = NULL;
	const char *description_end = NULL;
	size_t line_length, address_length = 0, paragraphs = 0;
	int in_paragraph = 0;

	while (next_line(&lines, &line, &line_length)) {
		if (is_blank(line, line_length)) {
			if (address != NULL)
				qmail_paragraph_done(
				    &scan, address, address_length, description,
				    description_end);
			address = description = NULL;
			in_paragraph = 0;
			continue;
		}
		if (in_paragraph) {
			if (address != NULL && description == NULL)
				description = line;
			description_end = line + line_length;
			continue;
		}
		in_paragraph = 1;
		/* The body begins with these words, exactly (QSBMF 2). */
		if (paragraphs++ == 0 &&
		    (line_length < 15 || memcmp(line, "Hi. This is the", 15)))
			break;
		if (line[0] == '-')
			break; /* the break paragraph: the message follows */
		if (line[0] == '<' && line_length > 3 &&
		    memcmp(line + line_length - 2, ">:", 2) == 0) {
			address = line + 1;
			address_length = line_length - 3;
		}
	}
	if (address != NULL)
		qmail_paragraph_done(&scan, address, address_length,
				     description, description_end);
	if (scan.kind == MAIL_BOUNCE_NONE)
		return 0;
	set_finding(bounce, scan.kind, scan.recipient, scan.status,
		    scan.reason);
	return 1;
}

/*
 * Whether line says that the returned message follows: what comes after
 * it is the digest, whose text must not be taken for the daemon's.
 */
static int
is_original_marker(const char *line, size_t length)
{
	static const char *const phrases[] = {
	    "original message", "copy of the message", "returned message",
	    "message headers",	"below this line",     "undelivered message",
	    "message follows"};

	while (length > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		length--;
	}
	if (starts_with(line, length, "original message headers"))
		return 1;
	if (length < 2 || line[0] != '-' || line[1] != '-')
		return 0;
	for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
		if (mail_bounce_text_find(line, length, phrases[i]))
			return 1;
	return 0;
}

/*
 * Whether the reply code in line is one a server sent, not a number in
 * prose: an enhanced code or an address on the line, or words around it
 * that talk about delivery.
 */
static int
reply_is_plausible(const char *line, size_t length, int has_address)
{
	static const char *const words[] = {
	    "smtp",	"said",	  "error",   "rcpt",	"recipient", "user",
	    "mailbox",	"reject", "unknown", "refused", "host",	     "address",
	    "delivery", "denied", "quota",   "blocked"};
	int class;
	const char *code = reply_code(line, length);
	const char *p = code + 3;

	while (p < line + length && (*p == ' ' || *p == '-'))
		p++;
	if (has_address ||
	    enhanced_status(p, (size_t)(line + length - p), &class) > 0)
		return 1;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (mail_bounce_text_find(line, length, words[i]))
			return 1;
	return 0;
}

/* The plain scan's best line so far, and the addresses above it. */
struct plain_scan {
	enum mail_bounce_kind kind;
	char *recipient, *status, *reason;
	char *recent;	    /* the last address seen */
	size_t recent_line; /* on which line */
};

static void
plain_line(struct plain_scan *scan, const char *line, size_t length,
	   size_t line_number)
{
	char *address = find_address(line, length);
	enum mail_bounce_kind kind;

	if (address != NULL) {
		free(scan->recent);
		scan->recent = address;
		scan->recent_line = line_number;
	}
	if (reply_code(line, length) == NULL ||
	    !reply_is_plausible(line, length, address != NULL))
		return;
	kind = *reply_code(line, length) == '5' ? MAIL_BOUNCE_HARD
						: MAIL_BOUNCE_SOFT;
	if (scan->kind == MAIL_BOUNCE_HARD ||
	    (scan->kind == MAIL_BOUNCE_SOFT && kind == MAIL_BOUNCE_SOFT))
		return;
	free(scan->recipient);
	free(scan->status);
	free(scan->reason);
	scan->kind = kind;
	scan->recipient = NULL;
	if (scan->recent != NULL &&
	    line_number - scan->recent_line <= PLAIN_NEAR_LINES)
		scan->recipient = xstrdup(scan->recent);
	scan->status = NULL;
	text_status(line, length, &scan->status);
	scan->reason = clean_line(line, length);
}

int
mail_bounce_text_plain(const char *text, size_t length,
		       struct mail_bounce *bounce)
{
	struct lines lines = {text, text + length, 0};
	struct plain_scan scan = {0};
	const char *line;
	size_t line_length;

	while (scan.kind != MAIL_BOUNCE_HARD &&
	       next_line(&lines, &line, &line_length)) {
		if (is_original_marker(line, line_length))
			break;
		plain_line(&scan, line, line_length, lines.count);
	}
	free(scan.recent);
	if (scan.kind == MAIL_BOUNCE_NONE)
		return 0;
	set_finding(bounce, scan.kind, scan.recipient, scan.status,
		    scan.reason);
	return 1;
}

/* The Message-ID in value ("<x@y>", perhaps folded), or NULL. */
static char *
message_id_value(const char *value, size_t length)
{
	const char *open = memchr(value, '<', length);
	const char *close;
	size_t id_length;

	if (open == NULL)
		return NULL;
	close = memchr(open, '>', (size_t)(value + length - open));
	if (close == NULL)
		return NULL;
	id_length = (size_t)(close - open - 1);
	if (id_length == 0 || id_length > MESSAGE_ID_MAX ||
	    memchr(open + 1, '@', id_length) == NULL)
		return NULL;
	for (const char *p = open + 1; p < close; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '<')
			return NULL;
	return xstrndup(open + 1, id_length);
}

char *
mail_bounce_text_message_id(const char *text, size_t length, int headers_first)
{
	struct lines lines = {text, text + length, 0};
	const char *line, *value = NULL;
	size_t line_length, value_length = 0;
	int in_headers = headers_first ? 1 : 0;

	while (next_line(&lines, &line, &line_length)) {
		if (!in_headers) {
			in_headers = is_original_marker(line, line_length);
			continue;
		}
		if (value != NULL) {
			/* The field may go on, folded, on the next line. */
			if (line_length > 0 &&
			    (line[0] == ' ' || line[0] == '\t'))
				value_length =
				    (size_t)(line + line_length - value);
			else
				break;
			continue;
		}
		if (is_blank(line, line_length)) {
			/* Blank lines may part the marker from the headers. */
			if (in_headers == 2)
				break;
			continue;
		}
		in_headers = 2;
		if (starts_with(line, line_length, "message-id:")) {
			value = line + 11;
			value_length = line_length - 11;
		}
	}
	return value ? message_id_value(value, value_length) : NULL;
}
