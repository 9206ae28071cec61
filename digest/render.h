/*
 * render.h - turn gathered items into the plain-text and HTML digest through
 * the templates in a template directory, in Dutch or English, with
 * portal-style relative times ("11 minuten geleden").
 */
#ifndef DIGEST_RENDER_H
#define DIGEST_RENDER_H

#include <time.h>

#include "feed.h"

enum render_format { RENDER_TEXT = 0, RENDER_HTML };

enum render_status {
	RENDER_OK = 0,
	RENDER_ETEMPLATE, /* a template is missing, malformed or fails */
	RENDER_ELANGUAGE  /* not "nl" or "en" */
};

/* What a digest is rendered for: the same for every subscriber of a
 * variant (language x format), except the recipient fields. */
struct render_context {
	const char *title;	     /* the digest's title */
	const char *language;	     /* "nl" or "en" */
	const char *timezone;	     /* IANA zone for dates and times */
	time_t now;		     /* relative times count back from here */
	const char *provider_name;   /* "ZeelandNet webmail"; may be NULL */
	const char *recipient_name;  /* may be NULL */
	const char *unsubscribe_url; /* one-click URL; may be NULL */
	const char *unsubscribe_mailto; /* address; may be NULL */
};

struct renderer;

/*
 * Loads and parses the digest templates of template_dir (digest.txt.mustache,
 * digest.html.mustache and their partials) once, for many renders.  Returns
 * RENDER_OK and *renderer_out (render_close()), or an error with *errstr_out
 * (free()) naming the template file and line.
 */
enum render_status render_open(const char *template_dir,
			       struct renderer **renderer_out,
			       char **errstr_out);

/*
 * Renders items in format.  On RENDER_OK *output_out (free()) is the whole
 * document; on error nothing partial is returned and *errstr_out (free())
 * names the template.
 */
enum render_status render_digest(struct renderer *renderer,
				 enum render_format format,
				 const struct render_context *context,
				 const struct item_list *items,
				 char **output_out, char **errstr_out);

/*
 * The portal's relative time of published against now in language:
 * "zojuist", "1 minuut geleden", "11 minuten geleden", "3 uur geleden",
 * "gisteren", "3 dagen geleden" (and "just now", "11 minutes ago", ...
 * in English).  Calendar words ("gisteren") follow the days of timezone.
 * Returns a new string (free()), or NULL for an unknown language.
 */
char *render_relative_time(time_t published, time_t now, const char *language,
			   const char *timezone);

/*
 * The long date of when in language and timezone: "zondag 29 november 2026"
 * or "Sunday 29 November 2026".  Returns a new string (free()), or NULL.
 */
char *render_long_date(time_t when, const char *language, const char *timezone);

/*
 * Word-wraps text for the plain-text part: lines of at most width columns
 * (UTF-8 code points), broken at blanks, so a multibyte character is
 * never split.  A URL or mail address longer than width stands alone on
 * its own line, unbroken; any other word wider than a line is cut after
 * its last hyphen that fits, else at the width.  Runs of blanks collapse
 * to one space; a newline in text is a hard break and two or more make
 * one blank line.  first_indent starts the first line, indent every
 * later one (either may be NULL); both count toward width.  No trailing
 * newline.  Returns a new string (free()).
 */
char *render_wrap(const char *text, size_t width, const char *first_indent,
		  const char *indent);

void render_close(struct renderer *renderer);

#endif
