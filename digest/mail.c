/*
 * mail.c - see mail.h.  GMime builds and serialises the message; this file
 * checks the input, picks encodings and keeps GMime's types to itself.
 */
#include "mail.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <gmime/gmime.h>

#include "address.h"
#include "datetime.h"
#include "mail_impl.h"
#include "util.h"

/* Raw header values stay well inside the 998-byte line limit. */
#define MAIL_HEADER_VALUE_MAX 900

static pthread_once_t mail_gmime_once = PTHREAD_ONCE_INIT;

static void
mail_gmime_init(void)
{
	g_mime_init();
}

void
mail_gmime_ready(void)
{
	pthread_once(&mail_gmime_once, mail_gmime_init);
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
char *
mail_body_to_lf(const char *body)
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
	char *lf_body = mail_body_to_lf(body);

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

char *
mail_message_id(const char *domain)
{
	char hex[33];

	util_random_hex(hex, 16);
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

/* GMime writes a To line this long (CRLF aside) unfolded. */
#define MAIL_TO_LINE_MAX 77

/*
 * The To line that GMime writes for a name of plain words (letters,
 * digits, hyphens and apostrophes, one space between words; NULL for
 * none), worked out without it: "To: name <address>" when that fits its
 * line.  Returns it (free()), or NULL for anything else.
 */
static char *
plain_to_header(const char *name, const char *address)
{
	size_t name_length = name != NULL ? strlen(name) : 0;
	size_t length = 4 + strlen(address) + (name ? name_length + 3 : 0);

	if (length > MAIL_TO_LINE_MAX)
		return NULL;
	for (size_t i = 0; i < name_length; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == ' ' && i > 0 && name[i - 1] != ' ' &&
		    i + 1 < name_length)
			continue;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '\''))
			return NULL;
	}
	/* A normalised address is plain ASCII, which GMime leaves be. */
	for (const char *p = address; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return NULL;
	return name != NULL ? xasprintf("To: %s <%s>\r\n", name, address)
			    : xasprintf("To: %s\r\n", address);
}

/*
 * The To line as GMime writes it for clean (a cleaned name or NULL,
 * freed here) and address.  Returns a new string (free()).
 */
static char *
gmime_to_header(char *clean, const char *address)
{
	InternetAddressList *list = NULL;
	InternetAddress *mailbox;
	GString *header = g_string_new("To:");
	struct buf crlf = BUF_INIT;
	char *raw;

	if (clean != NULL && strstr(clean, "=?") != NULL) {
		/* The raw value add_mailbox() sets for such a name. */
		raw = encoded_mailbox(clean, address);
		g_string_append(header, raw);
		free(raw);
	} else {
		/* As GMime writes a message's To from its address list. */
		mail_gmime_ready();
		list = internet_address_list_new();
		mailbox = internet_address_mailbox_new(clean, address);
		internet_address_set_charset(mailbox, "utf-8");
		internet_address_list_add(list, mailbox);
		g_object_unref(mailbox);
		g_string_append_c(header, ' ');
		internet_address_list_encode(list, NULL, header);
		g_object_unref(list);
	}
	buf_reserve(&crlf, header->len + 8);
	for (size_t i = 0; i < header->len; i++) {
		if (header->str[i] == '\n')
			buf_putc(&crlf, '\r');
		buf_putc(&crlf, header->str[i]);
	}
	g_string_free(header, TRUE);
	free(clean);
	return buf_detach(&crlf);
}

char *
mail_to_header(const char *name, const char *address)
{
	char *clean = clean_display_name(name);
	char *plain = plain_to_header(clean, address);

	if (plain != NULL) {
		free(clean);
		return plain;
	}
	return gmime_to_header(clean, address);
}

char *
mail_unsubscribe_value(const char *mailto, const char *url)
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

int
mail_url_is_usable(const char *url)
{
	return url_is_usable(url) && strlen(url) <= MAIL_HEADER_VALUE_MAX;
}

char *
mail_check_input(const struct mail_input *input)
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
	    !mail_url_is_usable(input->unsubscribe_url))
		return xasprintf("mail: unsubscribe URL \"%s\" is not a plain "
				 "https URL",
				 input->unsubscribe_url);
	return NULL;
}

char *
mail_normalize_addresses(const struct mail_input *input, char **from_out,
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
	    mail_unsubscribe_value(unsubscribe_mailto, input->unsubscribe_url);
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

int
mail_serialise(GMimeMessage *message, char **data_out, size_t *size_out)
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

GMimeMessage *
mail_build_message(const struct mail_input *input, const char *from,
		   const char *to, const char *unsubscribe_mailto,
		   const char *date, const char *message_id)
{
	GMimeMessage *message;

	mail_gmime_ready();
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
	problem = mail_check_input(input);
	if (problem != NULL)
		goto out;
	problem =
	    mail_normalize_addresses(input, &from, &to, &unsubscribe_mailto);
	if (problem != NULL) {
		status = MAIL_EADDRESS;
		goto out;
	}
	if (datetime_format_rfc5322(input->date, input->timezone, date) < 0) {
		problem = xasprintf("mail: time zone \"%s\" is unknown",
				    input->timezone ? input->timezone : "UTC");
		goto out;
	}
	message_id = mail_message_id(input->message_id_domain);
	message = mail_build_message(input, from, to, unsubscribe_mailto, date,
				     message_id);
	if (mail_serialise(message, message_out, size_out) < 0) {
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
