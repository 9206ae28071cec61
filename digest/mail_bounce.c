/*
 * mail_bounce.c - see mail_bounce.h.  GMime reads the message: its
 * headers, its tree of MIME parts and each part's decoded body.  What
 * the bodies say is read by mail_bounce_text.c, which needs no library.
 */
#include "mail_bounce_impl.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "address.h"
#include "util.h"

/*
 * GMime's parser goes one level deeper for each nested part, and each
 * part but the first needs a Content-Type field to nest: bounding the
 * fields bounds the depth of a message built to exhaust the stack.  A
 * bounce with the digest inside has five or six.
 */
#define BOUNCE_CONTENT_TYPES_MAX 100
/* How many parts are looked at, and how deep. */
#define BOUNCE_PARTS_MAX 64
#define BOUNCE_DEPTH_MAX 8
/* The most of a part's decoded body that is read. */
#define BOUNCE_PART_TEXT_MAX ((size_t)256 << 10)
/* The most header fields looked through for where the bounce went. */
#define BOUNCE_HEADERS_MAX 500
/* A Message-ID longer than this is not one of ours. */
#define BOUNCE_MESSAGE_ID_MAX 250

static pthread_once_t bounce_gmime_once = PTHREAD_ONCE_INIT;

static void
bounce_gmime_init(void)
{
	g_mime_init();
}

static void
set_error(char **errstr_out, char *message)
{
	if (errstr_out != NULL)
		*errstr_out = message;
	else
		free(message);
}

/* Counts the lines that start with "Content-Type:", in any case. */
static size_t
content_type_count(const char *data, size_t size)
{
	static const char field[] = "content-type:";
	const size_t field_length = sizeof field - 1;
	size_t count = 0;

	for (size_t i = 0; i + field_length <= size; i++) {
		if ((i == 0 || data[i - 1] == '\n') &&
		    util_strncasecmp(data + i, field, field_length) == 0)
			count++;
	}
	return count;
}

static int
has_address(const struct mail_bounce *bounce, const char *address)
{
	for (size_t i = 0; i < bounce->addressed_count; i++)
		if (util_strcasecmp(bounce->addressed_to[i], address) == 0)
			return 1;
	return 0;
}

/* Adds the mailboxes of an address field's value to addressed_to. */
static void
add_addresses(struct mail_bounce *bounce, const char *value)
{
	InternetAddressList *list;
	int count;

	if (value == NULL ||
	    bounce->addressed_count == MAIL_BOUNCE_ADDRESSED_MAX)
		return;
	list = internet_address_list_parse(NULL, value);
	if (list == NULL)
		return;
	count = internet_address_list_length(list);
	for (int i = 0;
	     i < count && bounce->addressed_count < MAIL_BOUNCE_ADDRESSED_MAX;
	     i++) {
		InternetAddress *address =
		    internet_address_list_get_address(list, i);
		const char *addr;

		/* A group is no envelope recipient: its members are skipped. */
		if (!INTERNET_ADDRESS_IS_MAILBOX(address))
			continue;
		addr = internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(address));
		if (addr != NULL && address_is_safe(addr) &&
		    !has_address(bounce, addr))
			bounce->addressed_to[bounce->addressed_count++] =
			    xstrdup(addr);
	}
	g_object_unref(list);
}

/*
 * Where the bounce was delivered, from the fields mail servers add on
 * delivery (the envelope recipient) first, then To.
 */
static void
read_addressed(GMimeObject *message, struct mail_bounce *bounce)
{
	static const char *const names[] = {"Delivered-To", "X-Original-To",
					    "Envelope-To", "X-Envelope-To",
					    "To"};
	GMimeHeaderList *headers = g_mime_object_get_header_list(message);
	int count = g_mime_header_list_get_count(headers);

	if (count > BOUNCE_HEADERS_MAX)
		count = BOUNCE_HEADERS_MAX;
	for (size_t n = 0; n < sizeof names / sizeof names[0]; n++)
		for (int i = 0; i < count; i++) {
			GMimeHeader *header =
			    g_mime_header_list_get_header_at(headers, i);
			const char *name = g_mime_header_get_name(header);

			if (name != NULL &&
			    util_strcasecmp(name, names[n]) == 0)
				add_addresses(bounce,
					      g_mime_header_get_value(header));
		}
}

static int
contains(const char *text, const char *needle)
{
	return text != NULL &&
	       mail_bounce_text_find(text, strlen(text), needle) != NULL;
}

/* Whether From names a mailer daemon, as bounces' senders do. */
static int
from_daemon(GMimeMessage *message)
{
	static const char *const locals[] = {"mailer-daemon@", "mailer_daemon@",
					     "mailerdaemon@",  "mail-daemon@",
					     "maildaemon@",    "postmaster@"};
	InternetAddressList *from = g_mime_message_get_from(message);
	int count = from ? internet_address_list_length(from) : 0;

	for (int i = 0; i < count && i < 8; i++) {
		InternetAddress *address =
		    internet_address_list_get_address(from, i);
		const char *addr = NULL;

		if (contains(internet_address_get_name(address),
			     "mail delivery"))
			return 1;
		if (INTERNET_ADDRESS_IS_MAILBOX(address))
			addr = internet_address_mailbox_get_addr(
			    INTERNET_ADDRESS_MAILBOX(address));
		for (size_t j = 0; addr && j < sizeof locals / sizeof locals[0];
		     j++)
			if (util_strncasecmp(addr, locals[j],
					     strlen(locals[j])) == 0)
				return 1;
	}
	return 0;
}

/*
 * Whether the message comes from a mail system rather than a person:
 * the null sender that bounces are sent from (RFC 5321 4.5.5), a mailer
 * daemon's From, a bounce's Subject.  Only then is its prose searched
 * for an SMTP reply.
 */
static int
looks_automatic(GMimeMessage *message)
{
	static const char *const subjects[] = {"undeliver",
					       "undelivered",
					       "delivery status notification",
					       "delivery failure",
					       "delivery has failed",
					       "mail delivery failed",
					       "failure notice",
					       "returned mail",
					       "mail system error",
					       "non remis",
					       "onbestelbaar",
					       "niet afgeleverd",
					       "unzustellbar",
					       "nondeliverable",
					       "delivery failed"};
	GMimeObject *object = GMIME_OBJECT(message);
	const char *return_path =
	    g_mime_object_get_header(object, "Return-Path");
	const char *subject = g_mime_message_get_subject(message);
	char *trimmed;
	int null_sender = 0;

	if (return_path != NULL) {
		trimmed = xstrdup(return_path);
		util_trim(trimmed);
		null_sender = strcmp(trimmed, "<>") == 0 || trimmed[0] == '\0';
		free(trimmed);
	}
	if (null_sender || from_daemon(message) ||
	    contains(g_mime_object_get_header(object, "Auto-Submitted"),
		     "auto-generated"))
		return 1;
	for (size_t i = 0; i < sizeof subjects / sizeof subjects[0]; i++)
		if (contains(subject, subjects[i]))
			return 1;
	return 0;
}

/* The parts of a bounce that matter, found in its tree. */
struct bounce_parts {
	GMimeObject *report;	/* message/delivery-status */
	GMimeObject *text;	/* the first text/plain: the daemon's words */
	GMimeObject *headers;	/* text/rfc822-headers: what came back */
	GMimeMessage *original; /* message/rfc822: what came back */
	size_t count;
};

static int
is_type(GMimeContentType *type, const char *media, const char *subtype)
{
	return type != NULL &&
	       g_mime_content_type_is_type(type, media, subtype);
}

static void
find_parts(GMimeObject *object, int depth, struct bounce_parts *parts)
{
	GMimeContentType *type;

	if (object == NULL || depth > BOUNCE_DEPTH_MAX ||
	    parts->count++ >= BOUNCE_PARTS_MAX)
		return;
	if (GMIME_IS_MULTIPART(object)) {
		GMimeMultipart *multipart = GMIME_MULTIPART(object);
		int count = g_mime_multipart_get_count(multipart);

		for (int i = 0; i < count; i++)
			find_parts(g_mime_multipart_get_part(multipart, i),
				   depth + 1, parts);
		return;
	}
	if (GMIME_IS_MESSAGE_PART(object)) {
		/* The message that came back: its parts are the digest's. */
		if (parts->original == NULL)
			parts->original = g_mime_message_part_get_message(
			    GMIME_MESSAGE_PART(object));
		return;
	}
	if (!GMIME_IS_PART(object))
		return;
	type = g_mime_object_get_content_type(object);
	if (is_type(type, "message", "delivery-status") ||
	    is_type(type, "message", "global-delivery-status")) {
		if (parts->report == NULL)
			parts->report = object;
	} else if (is_type(type, "text", "rfc822-headers") ||
		   is_type(type, "text", "global-headers")) {
		if (parts->headers == NULL)
			parts->headers = object;
	} else if (is_type(type, "text", "plain") && parts->text == NULL) {
		parts->text = object;
	}
}

/*
 * A part's body, transfer encoding undone, at most BOUNCE_PART_TEXT_MAX
 * bytes.  Returns a new string (free()) with *length_out, or NULL.
 */
static char *
part_text(GMimeObject *object, size_t *length_out)
{
	GMimeDataWrapper *content = g_mime_part_get_content(GMIME_PART(object));
	GMimeStream *stream;
	GByteArray *bytes;
	char *text = NULL;
	size_t length;

	*length_out = 0;
	if (content == NULL)
		return NULL;
	stream = g_mime_stream_mem_new();
	if (g_mime_data_wrapper_write_to_stream(content, stream) >= 0) {
		bytes =
		    g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
		length = bytes->len < BOUNCE_PART_TEXT_MAX
			     ? bytes->len
			     : BOUNCE_PART_TEXT_MAX;
		text = xmalloc(length + 1);
		/* An empty body may have no bytes at all behind it. */
		if (length > 0)
			memcpy(text, bytes->data, length);
		text[length] = '\0';
		*length_out = length;
	}
	g_object_unref(stream);
	return text;
}

/* The returned message's Message-ID, when it looks like one (free()). */
static char *
original_message_id(const struct bounce_parts *parts, const char *text,
		    size_t length)
{
	const char *id = NULL;
	char *headers;
	char *found = NULL;
	size_t headers_length;

	if (parts->original != NULL)
		id = g_mime_message_get_message_id(parts->original);
	if (id != NULL) {
		if (strlen(id) > BOUNCE_MESSAGE_ID_MAX || !strchr(id, '@'))
			return NULL;
		for (const char *p = id; *p; p++)
			if ((unsigned char)*p <= 0x20 ||
			    (unsigned char)*p >= 0x7f)
				return NULL;
		return xstrdup(id);
	}
	if (parts->headers != NULL) {
		headers = part_text(parts->headers, &headers_length);
		if (headers != NULL)
			found = mail_bounce_text_message_id(headers,
							    headers_length, 1);
		free(headers);
		return found;
	}
	return text ? mail_bounce_text_message_id(text, length, 0) : NULL;
}

/* Reads what the bounce reports into bounce; its kind stays NONE if not. */
static void
read_report(GMimeMessage *message, struct mail_bounce *bounce)
{
	struct bounce_parts parts = {0};
	const char *failed;
	char *text = NULL;
	size_t length = 0;

	find_parts(g_mime_message_get_mime_part(message), 0, &parts);
	if (parts.report != NULL &&
	    (text = part_text(parts.report, &length)) != NULL &&
	    mail_bounce_text_dsn(text, length, bounce))
		bounce->format = MAIL_BOUNCE_FORMAT_DSN;
	free(text);
	text = parts.text ? part_text(parts.text, &length) : NULL;
	if (bounce->kind == MAIL_BOUNCE_NONE && text != NULL) {
		if (mail_bounce_text_qmail(text, length, bounce))
			bounce->format = MAIL_BOUNCE_FORMAT_QMAIL;
		else if (looks_automatic(message) &&
			 mail_bounce_text_plain(text, length, bounce))
			bounce->format = MAIL_BOUNCE_FORMAT_PLAIN;
	}
	if (bounce->kind != MAIL_BOUNCE_NONE) {
		/* Exim names who failed in a field of its own. */
		failed = g_mime_object_get_header(GMIME_OBJECT(message),
						  "X-Failed-Recipients");
		if (bounce->recipient == NULL && failed != NULL)
			bounce->recipient =
			    mail_bounce_text_address(failed, strlen(failed));
		bounce->original_message_id =
		    original_message_id(&parts, text, length);
	}
	free(text);
}

enum mail_bounce_status
mail_bounce_parse(const char *data, size_t size, struct mail_bounce *bounce_out,
		  char **errstr_out)
{
	GMimeStream *stream = NULL;
	GMimeParser *parser = NULL;
	GMimeMessage *message = NULL;
	enum mail_bounce_status status = MAIL_BOUNCE_EUNREADABLE;

	memset(bounce_out, 0, sizeof *bounce_out);
	if (size > MAIL_BOUNCE_SIZE_MAX) {
		set_error(errstr_out, xasprintf("larger than %zu MB",
						MAIL_BOUNCE_SIZE_MAX >> 20));
		return MAIL_BOUNCE_ETOOBIG;
	}
	if (content_type_count(data, size) > BOUNCE_CONTENT_TYPES_MAX) {
		set_error(errstr_out, xasprintf("more than %d MIME parts",
						BOUNCE_CONTENT_TYPES_MAX));
		return MAIL_BOUNCE_EUNREADABLE;
	}
	pthread_once(&bounce_gmime_once, bounce_gmime_init);
	stream = g_mime_stream_mem_new_with_buffer(data, size);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	message = g_mime_parser_construct_message(parser, NULL);
	if (message == NULL ||
	    g_mime_header_list_get_count(
		g_mime_object_get_header_list(GMIME_OBJECT(message))) == 0) {
		set_error(errstr_out, xstrdup("not a mail message"));
		goto out;
	}
	read_addressed(GMIME_OBJECT(message), bounce_out);
	read_report(message, bounce_out);
	status = MAIL_BOUNCE_OK;
out:
	if (message != NULL)
		g_object_unref(message);
	g_object_unref(parser);
	g_object_unref(stream);
	if (status != MAIL_BOUNCE_OK)
		mail_bounce_clear(bounce_out);
	return status;
}

void
mail_bounce_clear(struct mail_bounce *bounce)
{
	if (bounce == NULL)
		return;
	free(bounce->recipient);
	free(bounce->status);
	free(bounce->reason);
	free(bounce->original_message_id);
	for (size_t i = 0; i < bounce->addressed_count; i++)
		free(bounce->addressed_to[i]);
	memset(bounce, 0, sizeof *bounce);
}

const char *
mail_bounce_kind_name(enum mail_bounce_kind kind)
{
	switch (kind) {
	case MAIL_BOUNCE_HARD:
		return "hard";
	case MAIL_BOUNCE_SOFT:
		return "soft";
	case MAIL_BOUNCE_NONE:
		break;
	}
	return "none";
}

const char *
mail_bounce_format_name(enum mail_bounce_format format)
{
	switch (format) {
	case MAIL_BOUNCE_FORMAT_DSN:
		return "DSN";
	case MAIL_BOUNCE_FORMAT_QMAIL:
		return "qmail";
	case MAIL_BOUNCE_FORMAT_PLAIN:
		return "plain text";
	case MAIL_BOUNCE_FORMAT_NONE:
		break;
	}
	return "none";
}
