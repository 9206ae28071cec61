/*
 * mail_stencil.c - see mail.h.  GMime builds the shared message once, with
 * markers where a recipient's own headers and the parts' text go; the
 * serialised message is cut at the markers into a frame, and each
 * recipient's message is the frame with their headers and parts between.
 */
#include <stdio.h>
#include <string.h>

#include "address.h"
#include "datetime.h"
#include "mail_impl.h"
#include "util.h"

/* What goes into the frame after each of its fixed texts. */
enum frame_hole {
	FRAME_TO,	     /* the whole To header line */
	FRAME_MESSAGE_ID,    /* between the angle brackets */
	FRAME_UNSUBSCRIBE,   /* the whole List-Unsubscribe line */
	FRAME_TEXT_ENCODING, /* "7bit" or "quoted-printable" */
	FRAME_TEXT_BODY,     /* the encoded text part */
	FRAME_HTML_ENCODING,
	FRAME_HTML_BODY,
	FRAME_END /* nothing: the last fixed text ends the message */
};

#define FRAME_PIECES_MAX (FRAME_END + 1)

/* The header before a part's text, as GMime writes it. */
#define PART_ENCODING "Content-Transfer-Encoding: "
#define PART_QP "quoted-printable"

struct frame_piece {
	char *text; /* comes before the hole */
	size_t length;
	enum frame_hole hole;
};

struct mail_stencil {
	struct frame_piece frame[FRAME_PIECES_MAX];
	size_t frame_count;
	struct mail_part parts[2]; /* text, and HTML when part_count is 2 */
	size_t part_count;
	char *boundary; /* of multipart/alternative, or NULL */
	char *unsubscribe_mailto;
	char *message_id_domain;
	int one_click;
	size_t frame_size;
};

/* The markers in the shared message, each unique to one stencil. */
struct markers {
	char to[40], message_id[40], unsubscribe[40], text[40], html[40];
};

static void
markers_make(struct markers *markers)
{
	char nonce[33];

	util_random_hex(nonce, 16);
	snprintf(markers->to, sizeof markers->to, "dgto%s", nonce);
	snprintf(markers->message_id, sizeof markers->message_id, "dgid%s",
		 nonce);
	snprintf(markers->unsubscribe, sizeof markers->unsubscribe, "dglu%s",
		 nonce);
	snprintf(markers->text, sizeof markers->text, "dgtx%s", nonce);
	snprintf(markers->html, sizeof markers->html, "dght%s", nonce);
}

/* Sets the raw value of the header name of message to " marker\n". */
static void
set_raw_marker(GMimeMessage *message, const char *name, const char *marker)
{
	GMimeHeaderList *headers =
	    g_mime_object_get_header_list(GMIME_OBJECT(message));
	GMimeHeader *header = g_mime_header_list_get_header(headers, name);
	char *raw = xasprintf(" %s\n", marker);

	if (header != NULL)
		g_mime_header_set_raw_value(header, raw);
	free(raw);
}

/*
 * Every part in quoted-printable, so that the marker of its text follows
 * the same header line whatever the text.  Returns the boundary of the
 * alternatives (g_free()), or NULL for a message of one part.
 */
static char *
parts_to_qp(GMimeMessage *message)
{
	GMimeObject *top = g_mime_message_get_mime_part(message);
	GMimeMultipart *alternative;

	if (!GMIME_IS_MULTIPART(top)) {
		g_mime_part_set_content_encoding(
		    GMIME_PART(top), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
		return NULL;
	}
	alternative = GMIME_MULTIPART(top);
	for (int i = 0; i < g_mime_multipart_get_count(alternative); i++)
		g_mime_part_set_content_encoding(
		    GMIME_PART(g_mime_multipart_get_part(alternative, i)),
		    GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	/* Chosen now rather than at writing, so that it can be read back. */
	g_mime_multipart_set_boundary(alternative, NULL);
	return g_strdup(g_mime_multipart_get_boundary(alternative));
}

/*
 * Builds and serialises the shared message with markers into *data_out
 * (free()).  Returns the boundary (free()) through *boundary_out.
 */
static int
skeleton(const struct mail_stencil_input *input, const char *from,
	 const char *to, const char *mailto, const char *date,
	 const struct markers *markers, char **data_out, size_t *size_out,
	 char **boundary_out)
{
	struct mail_input shape = *input->shared;
	char *text = xasprintf("%s\n", markers->text);
	char *html = xasprintf("%s\n", markers->html);
	GMimeMessage *message;
	gchar *boundary;
	int result;

	shape.to_name = NULL;
	shape.text_body = text;
	shape.html_body = input->html != NULL ? html : NULL;
	shape.unsubscribe_url =
	    input->one_click ? "https://stencil.example/" : NULL;
	message = mail_build_message(&shape, from, to, mailto, date,
				     markers->message_id);
	set_raw_marker(message, "To", markers->to);
	if (input->one_click)
		set_raw_marker(message, "List-Unsubscribe",
			       markers->unsubscribe);
	boundary = parts_to_qp(message);
	result = mail_serialise(message, data_out, size_out);
	*boundary_out = boundary != NULL ? xstrdup(boundary) : NULL;
	g_free(boundary);
	g_object_unref(message);
	free(text);
	free(html);
	return result;
}

/* Counts the occurrences of needle in text. */
static size_t
count_of(const char *text, const char *needle)
{
	size_t count = 0;

	while ((text = strstr(text, needle)) != NULL) {
		count++;
		text += strlen(needle);
	}
	return count;
}

/* Adds the fixed text from start to end, and the hole after it. */
static void
frame_add(struct mail_stencil *stencil, const char *start, const char *end,
	  enum frame_hole hole)
{
	struct frame_piece *piece = &stencil->frame[stencil->frame_count++];

	piece->length = (size_t)(end - start);
	piece->text = xstrndup(start, piece->length);
	piece->hole = hole;
	stencil->frame_size += piece->length;
}

/*
 * Finds the line of the header name holding marker alone, at or after
 * *cursor in data, and adds the frame piece up to it with hole; moves
 * *cursor past the line.  Returns 0, or -1 if not found.
 */
static int
cut_line(struct mail_stencil *stencil, const char *data, const char **cursor,
	 const char *name, const char *marker, enum frame_hole hole)
{
	char *line = xasprintf("%s: %s\r\n", name, marker);
	const char *found = strstr(*cursor, line);
	size_t length = strlen(line);

	free(line);
	if (found == NULL || (found != data && found[-1] != '\n'))
		return -1;
	frame_add(stencil, *cursor, found, hole);
	*cursor = found + length;
	return 0;
}

/*
 * Finds a part's header line of encoding and its text (marker), and adds
 * the frame pieces before the encoding's name and before the text.
 */
static int
cut_part(struct mail_stencil *stencil, const char **cursor, const char *marker,
	 enum frame_hole encoding_hole)
{
	char *what = xasprintf(PART_ENCODING PART_QP "\r\n\r\n%s\r\n", marker);
	const char *found = strstr(*cursor, what);
	const char *name, *text;

	free(what);
	if (found == NULL)
		return -1;
	name = found + strlen(PART_ENCODING);
	text = name + strlen(PART_QP "\r\n\r\n");
	frame_add(stencil, *cursor, name, encoding_hole);
	/* The text's hole comes right after its encoding's. */
	frame_add(stencil, name + strlen(PART_QP), text, encoding_hole + 1);
	*cursor = text + strlen(marker) + 2;
	return 0;
}

/* Cuts the serialised shared message into the stencil's frame. */
static int
cut_frame(struct mail_stencil *stencil, const char *data,
	  const struct markers *markers)
{
	const char *cursor = data;
	const char *found;
	/* The nonce, which every marker ends with. */
	const char *nonce = markers->to + 4;

	if (count_of(data, nonce) !=
	    2 + stencil->part_count + (size_t)stencil->one_click)
		return -1;
	if (cut_line(stencil, data, &cursor, "To", markers->to, FRAME_TO) < 0)
		return -1;
	found = strstr(cursor, markers->message_id);
	if (found == NULL)
		return -1;
	frame_add(stencil, cursor, found, FRAME_MESSAGE_ID);
	cursor = found + strlen(markers->message_id);
	if (stencil->one_click &&
	    cut_line(stencil, data, &cursor, "List-Unsubscribe",
		     markers->unsubscribe, FRAME_UNSUBSCRIBE) < 0)
		return -1;
	if (cut_part(stencil, &cursor, markers->text, FRAME_TEXT_ENCODING) <
		0 ||
	    (stencil->part_count == 2 &&
	     cut_part(stencil, &cursor, markers->html, FRAME_HTML_ENCODING) <
		 0))
		return -1;
	frame_add(stencil, cursor, cursor + strlen(cursor), FRAME_END);
	return 0;
}

void
mail_stencil_free(struct mail_stencil *stencil)
{
	if (stencil == NULL)
		return;
	for (size_t i = 0; i < stencil->frame_count; i++)
		free(stencil->frame[i].text);
	for (size_t i = 0; i < stencil->part_count; i++)
		mail_part_clear(&stencil->parts[i]);
	free(stencil->boundary);
	free(stencil->unsubscribe_mailto);
	free(stencil->message_id_domain);
	free(stencil);
}

/*
 * Checks and normalises the shared fields as mail_compose() does, into
 * *from_out and stencil's mailto.  Returns MAIL_OK, or an error with
 * *errstr_out (free()).
 */
static enum mail_status
check_shared(const struct mail_stencil_input *input,
	     struct mail_stencil *stencil, char **from_out, char **to_out,
	     char **date_out, char **errstr_out)
{
	struct mail_input shape = *input->shared;
	char date[DATETIME_RFC5322_SIZE];

	/* A stand-in for the recipients, whose fields are checked later. */
	shape.to_address = "stencil@stencil.example";
	shape.text_body = "";
	shape.unsubscribe_url = NULL;
	*errstr_out = mail_check_input(&shape);
	if (*errstr_out != NULL)
		return MAIL_EINPUT;
	*errstr_out = mail_normalize_addresses(&shape, from_out, to_out,
					       &stencil->unsubscribe_mailto);
	if (*errstr_out != NULL)
		return MAIL_EADDRESS;
	if (datetime_format_rfc5322(shape.date, shape.timezone, date) < 0) {
		*errstr_out =
		    xasprintf("mail: time zone \"%s\" is unknown",
			      shape.timezone ? shape.timezone : "UTC");
		return MAIL_EINPUT;
	}
	*date_out = xstrdup(date);
	return MAIL_OK;
}

enum mail_status
mail_stencil_new(const struct mail_stencil_input *input,
		 struct mail_stencil **stencil_out, char **errstr_out)
{
	struct mail_stencil *stencil = xcalloc(1, sizeof *stencil);
	char *from = NULL, *to = NULL, *date = NULL, *data = NULL;
	struct markers markers;
	enum mail_status status;
	size_t size;

	*stencil_out = NULL;
	stencil->one_click = input->one_click;
	stencil->part_count = input->html != NULL ? 2 : 1;
	stencil->message_id_domain = xstrdup(
	    input->shared->message_id_domain ? input->shared->message_id_domain
					     : "");
	status = check_shared(input, stencil, &from, &to, &date, errstr_out);
	if (status != MAIL_OK)
		goto out;
	status = MAIL_ESTENCIL;
	markers_make(&markers);
	if (skeleton(input, from, to, stencil->unsubscribe_mailto, date,
		     &markers, &data, &size, &stencil->boundary) < 0 ||
	    strlen(data) != size || cut_frame(stencil, data, &markers) < 0) {
		*errstr_out = xstrdup("mail: the shared message does not cut");
		goto out;
	}
	if (mail_part_init(&stencil->parts[0], &input->text,
			   stencil->boundary) < 0 ||
	    (input->html != NULL &&
	     mail_part_init(&stencil->parts[1], input->html,
			    stencil->boundary) < 0)) {
		*errstr_out = xstrdup("mail: a part does not end a line");
		goto out;
	}
	*stencil_out = stencil;
	stencil = NULL;
	status = MAIL_OK;
out:
	mail_stencil_free(stencil);
	free(data);
	free(date);
	free(to);
	free(from);
	return status;
}

/* Returns "name:" and raw (LF line ends) with CRLF line ends (free()). */
static char *
header_line(const char *name, const char *raw)
{
	struct buf line = BUF_INIT;

	buf_puts(&line, name);
	buf_putc(&line, ':');
	for (const char *p = raw; *p != '\0'; p++) {
		if (*p == '\n')
			buf_putc(&line, '\r');
		buf_putc(&line, *p);
	}
	return buf_detach(&line);
}

/* The recipient's own headers and parts, ready to go into the frame. */
struct filling {
	char *to_line;
	char *unsubscribe_line; /* or NULL */
	char *message_id;
	int qp[2];
	size_t part_size[2];
};

/* Fills in what the recipient adds; 0, or -1 where the stencil cannot. */
static int
filling_make(const struct mail_stencil *stencil,
	     const struct mail_recipient *recipient, struct filling *filling)
{
	const char *url = recipient->unsubscribe_url;
	char *to, *raw;

	memset(filling, 0, sizeof *filling);
	if (recipient->to_address == NULL ||
	    (url != NULL) != (stencil->one_click != 0) ||
	    (url != NULL && !mail_url_is_usable(url)))
		return -1;
	for (size_t i = 0; i < stencil->part_count; i++)
		if (mail_part_plan(&stencil->parts[i], recipient->values,
				   stencil->boundary, &filling->qp[i],
				   &filling->part_size[i]) < 0)
			return -1;
	to = address_normalize(recipient->to_address);
	if (to == NULL)
		return -1;
	filling->to_line = mail_to_header(recipient->to_name, to);
	free(to);
	if (url != NULL) {
		raw = mail_unsubscribe_value(stencil->unsubscribe_mailto, url);
		filling->unsubscribe_line =
		    header_line("List-Unsubscribe", raw);
		free(raw);
	}
	filling->message_id = mail_message_id(stencil->message_id_domain);
	return 0;
}

static void
filling_clear(struct filling *filling)
{
	free(filling->to_line);
	free(filling->unsubscribe_line);
	free(filling->message_id);
}

/* Appends what goes into hole of the frame. */
static void
fill_hole(const struct mail_stencil *stencil,
	  const struct mail_recipient *recipient, const struct filling *filling,
	  enum frame_hole hole, struct buf *out)
{
	size_t part = hole >= FRAME_HTML_ENCODING ? 1 : 0;

	switch (hole) {
	case FRAME_TO:
		buf_puts(out, filling->to_line);
		break;
	case FRAME_MESSAGE_ID:
		buf_puts(out, filling->message_id);
		break;
	case FRAME_UNSUBSCRIBE:
		buf_puts(out, filling->unsubscribe_line);
		break;
	case FRAME_TEXT_ENCODING:
	case FRAME_HTML_ENCODING:
		buf_puts(out, filling->qp[part] ? PART_QP : "7bit");
		break;
	case FRAME_TEXT_BODY:
	case FRAME_HTML_BODY:
		mail_part_write(&stencil->parts[part], recipient->values,
				filling->qp[part], out);
		break;
	case FRAME_END:
		break;
	}
}

enum mail_status
mail_stencil_fill(const struct mail_stencil *stencil,
		  const struct mail_recipient *recipient, char **message_out,
		  size_t *size_out, char **message_id_out)
{
	struct filling filling;
	struct buf out = BUF_INIT;

	*message_out = NULL;
	*size_out = 0;
	if (message_id_out != NULL)
		*message_id_out = NULL;
	if (filling_make(stencil, recipient, &filling) < 0) {
		filling_clear(&filling);
		return MAIL_ESTENCIL;
	}
	buf_reserve(&out, stencil->frame_size + strlen(filling.to_line) +
			      filling.part_size[0] + filling.part_size[1] +
			      (filling.unsubscribe_line != NULL
				   ? strlen(filling.unsubscribe_line)
				   : 0) +
			      strlen(filling.message_id) + 32);
	for (size_t i = 0; i < stencil->frame_count; i++) {
		buf_append(&out, stencil->frame[i].text,
			   stencil->frame[i].length);
		fill_hole(stencil, recipient, &filling, stencil->frame[i].hole,
			  &out);
	}
	*size_out = out.length;
	*message_out = buf_detach(&out);
	if (message_id_out != NULL) {
		*message_id_out = filling.message_id;
		filling.message_id = NULL;
	}
	filling_clear(&filling);
	return MAIL_OK;
}
