/*
 * mail_impl.h - what mail.c shares with mail_stencil.c: the checks and
 * pieces of mail_compose(), so that a stencil's message comes out of the
 * same code.  Private to the mail module; mail.h is its contract.
 */
#ifndef DIGEST_MAIL_IMPL_H
#define DIGEST_MAIL_IMPL_H

#include <gmime/gmime.h>

#include "mail.h"
#include "util.h"

/* A 7bit body keeps to the line length a quoted-printable body would. */
#define MAIL_7BIT_LINE_MAX 76

/* Initialises GMime once per process; safe from any thread. */
void mail_gmime_ready(void);

/* Checks what mail_compose() needs; returns NULL or the problem (free()). */
char *mail_check_input(const struct mail_input *input);

/*
 * Normalises the three addresses of input into the out parameters (free()
 * each).  Returns NULL, or the problem (free()).
 */
char *mail_normalize_addresses(const struct mail_input *input, char **from_out,
			       char **to_out, char **unsubscribe_out);

/* Whether url can go into List-Unsubscribe for one-click (RFC 8058). */
int mail_url_is_usable(const char *url);

/*
 * Returns body with every CRLF or lone CR turned into LF (free()), as
 * mail_compose() hands a part's text to GMime.
 */
char *mail_body_to_lf(const char *body);

/* Returns a new random "<hex>@domain" without brackets (free()). */
char *mail_message_id(const char *domain);

/*
 * Returns the raw List-Unsubscribe value, folded before each URI and ending
 * in a newline, or NULL when there is none (free()).
 */
char *mail_unsubscribe_value(const char *mailto, const char *url);

/*
 * The whole To header line for name (may be NULL) and the normalised
 * address, exactly as a message of mail_compose() carries it, folded
 * lines and CRLF line ends included.  Returns a new string (free()).
 */
char *mail_to_header(const char *name, const char *address);

/*
 * Builds the message of input with its headers and body, given its
 * normalised addresses, formatted date and Message-ID (g_object_unref()).
 */
GMimeMessage *mail_build_message(const struct mail_input *input,
				 const char *from, const char *to,
				 const char *unsubscribe_mailto,
				 const char *date, const char *message_id);

/*
 * Writes message with CRLF line ends into *data_out (free(), also
 * NUL-terminated) and *size_out.  Returns 0, or -1 when GMime cannot.
 */
int mail_serialise(GMimeMessage *message, char **data_out, size_t *size_out);

/* What the choice of 7bit needs to know of a text (LF line ends). */
struct mail_line_stats {
	size_t first;	/* bytes before the first LF (all, without one) */
	size_t last;	/* bytes after the last LF */
	size_t longest; /* the longest line between two LFs */
	int has_lf;
	int eight_bit; /* a byte that a 7bit line cannot carry */
};

/* The running check of a part's lines for 7bit. */
struct mail_seven_bit {
	size_t column; /* bytes on the line so far */
	int fits;      /* every line so far fits 7bit */
};

/* A piece of a part's text between holes, encoded both ways once. */
struct mail_piece {
	char *qp; /* quoted-printable, CRLF, column 0 to column 0 */
	size_t qp_length;
	char *raw; /* as a 7bit part carries it, CRLF */
	size_t raw_length;
	struct mail_line_stats stats;
	int starts_lf; /* the text as given starts with LF */
	int ends_cr;   /* ... ends with CR */
	int ends_lf;   /* the text with LF line ends ends with LF */
	int empty;
};

/* A stencil's part: pieces[0] holes[0] pieces[1] ... pieces[count]. */
struct mail_part {
	struct mail_piece *pieces; /* count + 1 */
	size_t *holes;
	size_t count;
	size_t qp_size; /* the pieces' encoded bytes, all told */
	size_t raw_size;
};

/*
 * Cuts and encodes text into part (mail_part_clear()).  Returns 0, or -1
 * (part left empty) for text that does not end in a line break, a hole
 * number out of range, or a piece that holds boundary (may be NULL).
 */
int mail_part_init(struct mail_part *part, const struct mail_stencil_text *text,
		   const char *boundary);

/*
 * Decides how the part goes with values (indexed by hole number): sets
 * *qp_out to 1 for quoted-printable, 0 for 7bit, as mail_compose() would
 * choose, and *size_out to at most the bytes mail_part_write() adds.
 * Returns -1 when the part cannot be made exactly so: a value missing or
 * holding a CR, or a 7bit value holding boundary.
 */
int mail_part_plan(const struct mail_part *part, const char *const *values,
		   const char *boundary, int *qp_out, size_t *size_out);

/* Appends the part with values, encoded as planned, to out. */
void mail_part_write(const struct mail_part *part, const char *const *values,
		     int qp, struct buf *out);

void mail_part_clear(struct mail_part *part);

#endif
