/*
 * mail.c - see mail.h.  GMime builds and serialises the message; this file
 * checks the input, picks encodings and keeps GMime's types to itself.
 */
#include "mail.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

#include <gmime/gmime.h>

#include "address.h"
#include "datetime.h"
#include "util.h"

/* A 7bit body keeps to the line length a quoted-printable body would. */
#define MAIL_7BIT_LINE_MAX 76
/* Raw header values stay well inside the 998-byte line limit. */
#define MAIL_HEADER_VALUE_MAX 900

static pthread_once_t mail_gmime_once = PTHREAD_ONCE_INIT;

static void
mail_gmime_init(void)
{
	g_mime_init();
}

/* Header values must stay on one line: a CR or LF would add headers. */
static int
has_line_break(const char *text)
{
	return text != NULL && strpbrk(text, "\r\n") != NULL;
}

/* Returns 1 for an https URL that can sit between angle brackets. */
static int
url_is_usable(const char *url)
{
	const unsigned char *p;

	if (util_strncasecmp(url, "https://", 8) != 0 || url[8] == '\0')
		return 0;
	for (p = (const unsigned char *)url; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '<' || *p == '>' ||
		    *p == '"')
			return 0;
	return 1;
}

/*
 * Returns the body with every CRLF or lone CR turned into LF (free()):
 * GMime writes the line ends back as CRLF, and a stray CR would break
 * the lines of a 7bit part.
 */
static char *
body_to_lf(const char *body)
{
	struct buf normalised = BUF_INIT;
	const char *p = body;
	const char *cr;

	buf_reserve(&normalised, strlen(body) + 1);
	/* Copy the runs between CRs whole: bodies are mostly plain lines. */
	while ((cr = strchr(p, '\r')) != NULL) {
		buf_append(&normalised, p, (size_t)(cr - p));
		buf_putc(&normalised, '\n');
		p = cr[1] == '\n' ? cr + 2 : cr + 1;
	}
	buf_puts(&normalised, p);
	return buf_detach(&normalised);
}

/* 7bit for short ASCII lines; quoted-printable for everything else. */
static GMimeContentEncoding
pick_encoding(const char *body)
{
	size_t line_length = 0;
	const unsigned char *p;

	for (p = (const unsigned char *)body; *p != '\0'; p++) {
		if (*p == '\n') {
			line_length = 0;
			continue;
		}
		if (*p >= 0x80 || (*p < 0x20 && *p != '\t') || *p == 0x7f)
			return GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
		if (++line_length > MAIL_7BIT_LINE_MAX)
			return GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
	}
	return GMIME_CONTENT_ENCODING_7BIT;
}

/*
 * Makes a text/SUBTYPE part with charset=utf-8 holding body.  GMime's own
 * g_mime_text_part_set_text() would pick ISO-8859-1 for Latin text; we
 * promise UTF-8.  Returns a new part (g_object_unref()).
 */
static GMimePart *
make_text_part(const char *subtype, const char *body)
{
	GMimePart *part = NULL;
	GMimeStream *stream = NULL;
	GMimeDataWrapper *content = NULL;
	char *lf_body = body_to_lf(body);

	part = g_mime_part_new_with_type("text", subtype);
	/* The memory stream copies the bytes: nothing here can fail. */
	stream = g_mime_stream_mem_new_with_buffer(lf_body, strlen(lf_body));
	content = g_mime_data_wrapper_new_with_stream(
	    stream, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(part, content);
	g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset",
						 "utf-8");
	g_mime_part_set_content_encoding(part, pick_encoding(lf_body));
	g_object_unref(content);
	g_object_unref(stream);
	free(lf_body);
	return part;
}

/* Fills hex with 2 * count random hex digits and a NUL. */
static void
random_hex(char *hex, size_t count)
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

/* Returns "<hex>@domain" without brackets (free()). */
static char *
make_message_id(const char *domain)
{
	char hex[33];

	random_hex(hex, 16);
	return xasprintf("%s@%s", hex, domain);
}

/*
 * A display name as text: line breaks and other control characters go
 * (they could start a header of their own), blanks around it too.
 * Returns a new string (free()), or NULL when nothing is left.
 */
static char *
clean_display_name(const char *name)
{
	char *clean;

	if (name == NULL)
		return NULL;
	clean = xstrdup(name);
	for (unsigned char *p = (unsigned char *)clean; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = ' ';
	util_trim(clean);
	if (clean[0] == '\0') {
		free(clean);
		return NULL;
	}
	return clean;
}

/* A display name longer than this is cut, between characters. */
#define MAIL_NAME_MAX 300

/*
 * The raw header value for a name that holds "=?": mail readers decode
 * such text as RFC 2047 words even inside quotes, so the name is sent as
 * one encoded word of its own (base64 of its UTF-8) that decodes to
 * exactly the name.  One word, not several: readers disagree on the
 * space between adjacent words (Python's email adds one), and every
 * reader takes a word longer than RFC 2047's 75 characters.  Starts with
 * a space and ends with a newline, as set_raw_header() wants.
 */
static char *
encoded_mailbox(const char *name, const char *address)
{
	size_t length = strlen(name);
	gchar *encoded;
	char *raw;

	if (length > MAIL_NAME_MAX) {
		length = MAIL_NAME_MAX;
		while (length > 0 &&
		       ((unsigned char)name[length] & 0xC0) == 0x80)
			length--;
	}
	encoded = g_base64_encode((const guchar *)name, length);
	raw = xasprintf(" =?utf-8?b?%s?=\n <%s>\n", encoded, address);
	g_free(encoded);
	return raw;
}

static void
add_mailbox(GMimeMessage *message, GMimeAddressType type, const char *name,
	    const char *address)
{
	InternetAddressList *list = g_mime_message_get_addresses(message, type);
	char *clean = clean_display_name(name);
	InternetAddress *mailbox = internet_address_mailbox_new(
	    clean != NULL && strstr(clean, "=?") == NULL ? clean : NULL,
	    address);
	GMimeHeaderList *headers;
	char *raw;

	/* Encode display names as UTF-8, never a guessed legacy charset. */
	internet_address_set_charset(mailbox, "utf-8");
	internet_address_list_add(list, mailbox);
	g_object_unref(mailbox);
	if (clean != NULL && strstr(clean, "=?") != NULL) {
		headers = g_mime_object_get_header_list(GMIME_OBJECT(message));
		raw = encoded_mailbox(clean, address);
		g_mime_header_set_raw_value(
		    g_mime_header_list_get_header(
			headers,
			type == GMIME_ADDRESS_TYPE_FROM ? "From" : "To"),
		    raw);
		free(raw);
	}
	free(clean);
}

/*
 * Returns the raw List-Unsubscribe value, folded before each URI and ending
 * in a newline, or NULL when there is none (free()).
 */
static char *
make_unsubscribe(const char *mailto, const char *url)
{
	if (mailto != NULL && url != NULL)
		return xasprintf(" <mailto:%s?subject=unsubscribe>,\n <%s>\n",
				 mailto, url);
	if (mailto != NULL)
		return xasprintf(" <mailto:%s?subject=unsubscribe>\n", mailto);
	if (url != NULL)
		return xasprintf(" <%s>\n", url);
	return NULL;
}

static int
is_short_ascii(const char *text)
{
	const unsigned char *p;

	for (p = (const unsigned char *)text; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7f)
			return 0;
	return p - (const unsigned char *)text <= MAIL_HEADER_VALUE_MAX;
}

/*
 * Adds a header whose value GMime must write exactly as given: its default
 * formatter would RFC 2047-encode a long URL, and mail clients no longer
 * find it.  raw_value starts with a space and ends with a newline.
 */
static void
set_raw_header(GMimeMessage *message, const char *name, const char *value,
	       const char *raw_value)
{
	GMimeObject *object = GMIME_OBJECT(message);
	GMimeHeaderList *headers = g_mime_object_get_header_list(object);
	GMimeHeader *header;

	g_mime_object_set_header(object, name, value, NULL);
	header = g_mime_header_list_get_header(headers, name);
	g_mime_header_set_raw_value(header, raw_value);
}

/* Checks what mail_compose() needs; returns NULL or the problem (free()). */
static char *
check_input(const struct mail_input *input)
{
	if (input->from_address == NULL)
		return xstrdup("mail: no From address");
	if (input->to_address == NULL)
		return xstrdup("mail: no recipient address");
	if (input->subject == NULL)
		return xstrdup("mail: no subject");
	if (input->text_body == NULL)
		return xstrdup("mail: no text body");
	if (input->message_id_domain == NULL ||
	    !address_domain_is_valid(input->message_id_domain,
				     strlen(input->message_id_domain)))
		return xstrdup("mail: no usable Message-ID domain");
	if (has_line_break(input->subject))
		return xstrdup("mail: subject holds a line break");
	if (has_line_break(input->list_id))
		return xstrdup("mail: List-Id holds a line break");
	if (input->unsubscribe_url != NULL &&
	    (!url_is_usable(input->unsubscribe_url) ||
	     strlen(input->unsubscribe_url) > MAIL_HEADER_VALUE_MAX))
		return xasprintf("mail: unsubscribe URL \"%s\" is not a plain "
				 "https URL",
				 input->unsubscribe_url);
	return NULL;
}

/*
 * Normalises the three addresses of input into the out parameters (free()
 * each).  Returns NULL, or the problem (free()).
 */
static char *
normalize_addresses(const struct mail_input *input, char **from_out,
		    char **to_out, char **unsubscribe_out)
{
	*from_out = address_normalize(input->from_address);
	if (*from_out == NULL)
		return xasprintf("mail: From address \"%s\" does not parse",
				 input->from_address);
	*to_out = address_normalize(input->to_address);
	if (*to_out == NULL)
		return xasprintf("mail: recipient \"%s\" does not parse",
				 input->to_address);
	if (input->unsubscribe_mailto == NULL)
		return NULL;
	*unsubscribe_out = address_normalize(input->unsubscribe_mailto);
	if (*unsubscribe_out == NULL)
		return xasprintf("mail: unsubscribe address \"%s\" does not "
				 "parse",
				 input->unsubscribe_mailto);
	return NULL;
}

/* Adds List-Id, List-Unsubscribe and List-Unsubscribe-Post. */
static void
add_list_headers(GMimeMessage *message, const struct mail_input *input,
		 const char *unsubscribe_mailto)
{
	char *raw_value, *unsubscribe;

	if (input->list_id != NULL && is_short_ascii(input->list_id)) {
		raw_value = xasprintf(" %s\n", input->list_id);
		set_raw_header(message, "List-Id", input->list_id, raw_value);
		free(raw_value);
	} else if (input->list_id != NULL) {
		/* A non-ASCII description needs GMime's RFC 2047 words. */
		g_mime_object_set_header(GMIME_OBJECT(message), "List-Id",
					 input->list_id, "utf-8");
	}
	unsubscribe =
	    make_unsubscribe(unsubscribe_mailto, input->unsubscribe_url);
	if (unsubscribe != NULL)
		set_raw_header(message, "List-Unsubscribe", unsubscribe,
			       unsubscribe);
	free(unsubscribe);
	if (input->unsubscribe_url != NULL)
		g_mime_object_set_header(GMIME_OBJECT(message),
					 "List-Unsubscribe-Post",
					 "List-Unsubscribe=One-Click", NULL);
}

/* Sets the body: text/plain alone, or text and HTML as alternatives. */
static void
set_body(GMimeMessage *message, const struct mail_input *input)
{
	GMimePart *text_part = make_text_part("plain", input->text_body);
	GMimePart *html_part;
	GMimeMultipart *alternative;

	if (input->html_body == NULL) {
		g_mime_message_set_mime_part(message, GMIME_OBJECT(text_part));
		g_object_unref(text_part);
		return;
	}
	/* RFC 2046: the richest alternative comes last. */
	html_part = make_text_part("html", input->html_body);
	alternative = g_mime_multipart_new_with_subtype("alternative");
	g_mime_multipart_add(alternative, GMIME_OBJECT(text_part));
	g_mime_multipart_add(alternative, GMIME_OBJECT(html_part));
	g_mime_message_set_mime_part(message, GMIME_OBJECT(alternative));
	g_object_unref(alternative);
	g_object_unref(html_part);
	g_object_unref(text_part);
}

/*
 * Writes message with CRLF line ends into *data_out (free(), also
 * NUL-terminated) and *size_out.  Returns 0, or -1 when GMime cannot.
 */
static int
serialise(GMimeMessage *message, char **data_out, size_t *size_out)
{
	GMimeFormatOptions *options = g_mime_format_options_new();
	GMimeStream *stream = g_mime_stream_mem_new();
	GByteArray *bytes;
	int result = -1;

	g_mime_format_options_set_newline_format(options,
						 GMIME_NEWLINE_FORMAT_DOS);
	if (g_mime_object_write_to_stream(GMIME_OBJECT(message), options,
					  stream) >= 0) {
		bytes =
		    g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
		*data_out = xstrndup((const char *)bytes->data, bytes->len);
		*size_out = bytes->len;
		result = 0;
	}
	g_object_unref(stream);
	g_mime_format_options_free(options);
	return result;
}

/* Builds the message with its headers and body (g_object_unref()). */
static GMimeMessage *
build_message(const struct mail_input *input, const char *from, const char *to,
	      const char *unsubscribe_mailto, const char *date,
	      const char *message_id)
{
	GMimeMessage *message;

	pthread_once(&mail_gmime_once, mail_gmime_init);
	message = g_mime_message_new(TRUE);
	add_mailbox(message, GMIME_ADDRESS_TYPE_FROM, input->from_name, from);
	add_mailbox(message, GMIME_ADDRESS_TYPE_TO, input->to_name, to);
	g_mime_message_set_subject(message, input->subject, "utf-8");
	g_mime_object_set_header(GMIME_OBJECT(message), "Date", date, NULL);
	g_mime_message_set_message_id(message, message_id);
	g_mime_object_set_header(GMIME_OBJECT(message), "MIME-Version", "1.0",
				 NULL);
	add_list_headers(message, input, unsubscribe_mailto);
	set_body(message, input);
	return message;
}

enum mail_status
mail_compose(const struct mail_input *input, char **message_out,
	     size_t *size_out, char **message_id_out, char **errstr_out)
{
	enum mail_status status = MAIL_EINPUT;
	GMimeMessage *message = NULL;
	char *from = NULL, *to = NULL, *unsubscribe_mailto = NULL;
	char *message_id = NULL, *problem;
	char date[DATETIME_RFC5322_SIZE];

	*message_out = NULL;
	*size_out = 0;
	if (message_id_out != NULL)
		*message_id_out = NULL;
	problem = check_input(input);
	if (problem != NULL)
		goto out;
	problem = normalize_addresses(input, &from, &to, &unsubscribe_mailto);
	if (problem != NULL) {
		status = MAIL_EADDRESS;
		goto out;
	}
	if (datetime_format_rfc5322(input->date, input->timezone, date) < 0) {
		problem = xasprintf("mail: time zone \"%s\" is unknown",
				    input->timezone ? input->timezone : "UTC");
		goto out;
	}
	message_id = make_message_id(input->message_id_domain);
	message = build_message(input, from, to, unsubscribe_mailto, date,
				message_id);
	if (serialise(message, message_out, size_out) < 0) {
		problem = xstrdup("mail: GMime could not write the message");
		goto out;
	}
	if (message_id_out != NULL) {
		*message_id_out = message_id;
		message_id = NULL;
	}
	status = MAIL_OK;
out:
	*errstr_out = problem;
	if (message != NULL)
		g_object_unref(message);
	free(message_id);
	free(unsubscribe_mailto);
	free(to);
	free(from);
	return status;
}
