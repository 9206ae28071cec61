/*
 * mail_part.c - a stencil's part: its text cut at the holes into pieces,
 * each encoded once both ways a part can travel (quoted-printable, and
 * 7bit where mail_compose() would choose it), and what a recipient's
 * values add to it.
 *
 * The encoding is written here rather than by GMime, against the habit of
 * leaving MIME to the library: GMime encodes a part as a whole, so every
 * recipient's part would be encoded again (the biggest cost of a message),
 * and its lines run across the holes.  Here every piece and every value
 * starts at column 0 and ends there (with a soft line break when its text
 * does not end a line), so that the encoded pieces of the variant and the
 * recipient's encoded values simply follow each other.  A soft line break
 * is invisible once decoded: the part decodes to the very text that
 * mail_compose() would have sent.
 */
#include <string.h>

#include "mail_impl.h"
#include "util.h"

/* An encoded line holds at most this much before its soft break "=". */
#define MAIL_QP_LINE_MAX 75

/* Whether a byte can stand for itself in a quoted-printable line. */
static int
qp_literal(unsigned char c)
{
	return c >= 33 && c <= 126 && c != '=';
}

/* The most that qp_append() writes for length bytes. */
static size_t
qp_bound(size_t length)
{
	/* Each byte as =XX, and a soft break for every 25 of those. */
	return 3 * length + 3 * (length / 25 + 1);
}

/*
 * Appends length bytes of text (LF line ends, no CR) quoted-printable to
 * out, from column 0 back to column 0: line ends become CRLF, and text
 * that does not end a line ends with a soft line break.  A blank is
 * encoded where it would end a line, so that no transport strips it.
 * Writes straight into the buffer: this runs for every value of every
 * letter.
 */
static void
qp_append(struct buf *out, const char *text, size_t length)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t column = 0;
	char *at;

	buf_reserve(out, qp_bound(length));
	at = out->data + out->length;
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)text[i];
		int literal =
		    qp_literal(c) || ((c == ' ' || c == '\t') &&
				      i + 1 < length && text[i + 1] != '\n');
		size_t width = literal ? 1 : 3;

		if (c == '\n') {
			*at++ = '\r';
			*at++ = '\n';
			column = 0;
			continue;
		}
		if (column + width > MAIL_QP_LINE_MAX) {
			memcpy(at, "=\r\n", 3);
			at += 3;
			column = 0;
		}
		if (literal) {
			*at++ = (char)c;
		} else {
			*at++ = '=';
			*at++ = hex[c >> 4];
			*at++ = hex[c & 15];
		}
		column += width;
	}
	if (column > 0) {
		memcpy(at, "=\r\n", 3);
		at += 3;
	}
	out->length = (size_t)(at - out->data);
	out->data[out->length] = '\0';
}

/* Appends text (LF line ends) as a 7bit part carries it: CRLF. */
static void
raw_append(struct buf *out, const char *text, size_t length)
{
	const char *end = text + length;
	const char *lf;

	buf_reserve(out, length + length / 32 + 2);
	while ((lf = memchr(text, '\n', (size_t)(end - text))) != NULL) {
		buf_append(out, text, (size_t)(lf - text));
		buf_append(out, "\r\n", 2);
		text = lf + 1;
	}
	buf_append(out, text, (size_t)(end - text));
}

/* Whether mail_compose()'s choice of 7bit allows the byte on a line. */
static int
seven_bit_byte(unsigned char c)
{
	return c < 0x80 && c != 0x7f && (c >= 0x20 || c == '\t');
}

/* Measures text (LF line ends) for the choice of 7bit. */
static void
measure(const char *text, size_t length, struct mail_line_stats *stats)
{
	size_t line = 0;

	memset(stats, 0, sizeof *stats);
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n') {
			if (!stats->has_lf)
				stats->first = line;
			else if (line > stats->longest)
				stats->longest = line;
			stats->has_lf = 1;
			line = 0;
			continue;
		}
		if (!seven_bit_byte(c))
			stats->eight_bit = 1;
		line++;
	}
	if (stats->has_lf)
		stats->last = line;
	else
		stats->first = line;
}

/* Adds text measured by stats to the running check of a part's lines. */
static void
seven_bit_add(struct mail_seven_bit *check, const struct mail_line_stats *stats)
{
	if (stats->eight_bit)
		check->fits = 0;
	if (!stats->has_lf) {
		check->column += stats->first;
	} else {
		if (check->column + stats->first > MAIL_7BIT_LINE_MAX ||
		    stats->longest > MAIL_7BIT_LINE_MAX)
			check->fits = 0;
		check->column = stats->last;
	}
	if (check->column > MAIL_7BIT_LINE_MAX)
		check->fits = 0;
}

/* Encodes one piece of text both ways; 0, or -1 if boundary is in it. */
static int
piece_init(struct mail_piece *piece, const char *text, const char *boundary)
{
	size_t length = strlen(text);
	char *lf_text = mail_body_to_lf(text);
	size_t lf_length = strlen(lf_text);
	struct buf qp = BUF_INIT, raw = BUF_INIT;

	memset(piece, 0, sizeof *piece);
	piece->starts_lf = length > 0 && text[0] == '\n';
	piece->ends_cr = length > 0 && text[length - 1] == '\r';
	piece->ends_lf = lf_length > 0 && lf_text[lf_length - 1] == '\n';
	piece->empty = lf_length == 0;
	measure(lf_text, lf_length, &piece->stats);
	qp_append(&qp, lf_text, lf_length);
	raw_append(&raw, lf_text, lf_length);
	piece->qp_length = qp.length;
	piece->qp = buf_detach(&qp);
	piece->raw_length = raw.length;
	piece->raw = buf_detach(&raw);
	free(lf_text);
	return boundary != NULL && strstr(piece->raw, boundary) != NULL ? -1
									: 0;
}

void
mail_part_clear(struct mail_part *part)
{
	if (part->pieces != NULL)
		for (size_t i = 0; i <= part->count; i++) {
			free(part->pieces[i].qp);
			free(part->pieces[i].raw);
		}
	free(part->pieces);
	free(part->holes);
	memset(part, 0, sizeof *part);
}

int
mail_part_init(struct mail_part *part, const struct mail_stencil_text *text,
	       const char *boundary)
{
	int result = 0;

	memset(part, 0, sizeof *part);
	part->count = text->count;
	part->pieces = xcalloc(text->count + 1, sizeof *part->pieces);
	part->holes = xcalloc(text->count + 1, sizeof *part->holes);
	for (size_t i = 0; i <= text->count; i++) {
		if (i < text->count) {
			if (text->holes[i] >= MAIL_STENCIL_HOLES)
				result = -1;
			part->holes[i] = text->holes[i];
		}
		if (piece_init(&part->pieces[i], text->pieces[i], boundary) < 0)
			result = -1;
		part->qp_size += part->pieces[i].qp_length;
		part->raw_size += part->pieces[i].raw_length;
	}
	/*
	 * The part must end a line: GMime closes a part that does not in
	 * ways of its own, which the pieces would have to follow.
	 */
	if (!part->pieces[part->count].ends_lf)
		result = -1;
	if (result < 0)
		mail_part_clear(part);
	return result;
}

/*
 * Follows the carriage returns across one piece or value: mail_compose()
 * turns CR LF into one line break, so a CR that ends one and an LF that
 * starts the next would meet there but not here.  Returns -1 then.
 */
static int
cr_follow(int *pending_cr, int starts_lf, int ends_cr, int empty)
{
	if (*pending_cr && starts_lf)
		return -1;
	if (!empty)
		*pending_cr = ends_cr;
	return 0;
}

int
mail_part_plan(const struct mail_part *part, const char *const *values,
	       const char *boundary, int *qp_out, size_t *size_out)
{
	struct mail_seven_bit check = {0, 1};
	struct mail_line_stats stats;
	int pending_cr = 0, holds_boundary = 0;
	size_t size = 0;

	for (size_t i = 0; i <= part->count; i++) {
		const struct mail_piece *piece = &part->pieces[i];
		const char *value;
		size_t length;

		if (cr_follow(&pending_cr, piece->starts_lf, piece->ends_cr,
			      piece->empty) < 0)
			return -1;
		seven_bit_add(&check, &piece->stats);
		if (i == part->count)
			break;
		value = values[part->holes[i]];
		if (value == NULL || strchr(value, '\r') != NULL)
			return -1;
		length = strlen(value);
		if (cr_follow(&pending_cr, value[0] == '\n', 0, length == 0) <
		    0)
			return -1;
		measure(value, length, &stats);
		seven_bit_add(&check, &stats);
		if (boundary != NULL && strstr(value, boundary) != NULL)
			holds_boundary = 1;
		size += qp_bound(length);
	}
	/*
	 * A 7bit value must not hold the boundary of its parts (the pieces
	 * were checked once); in quoted-printable it cannot, as "=" is
	 * always encoded there.  mail_compose() would choose 7bit with a
	 * boundary of its own: leave such a message to it.
	 */
	if (check.fits && holds_boundary)
		return -1;
	*qp_out = !check.fits;
	*size_out = size + (*qp_out ? part->qp_size : part->raw_size);
	return 0;
}

void
mail_part_write(const struct mail_part *part, const char *const *values, int qp,
		struct buf *out)
{
	for (size_t i = 0; i <= part->count; i++) {
		const struct mail_piece *piece = &part->pieces[i];
		const char *value;

		if (qp)
			buf_append(out, piece->qp, piece->qp_length);
		else
			buf_append(out, piece->raw, piece->raw_length);
		if (i == part->count)
			break;
		value = values[part->holes[i]];
		if (qp)
			qp_append(out, value, strlen(value));
		else
			raw_append(out, value, strlen(value));
	}
}
