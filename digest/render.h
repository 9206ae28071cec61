/*
 * render.h - turn gathered items into the plain-text and HTML digest through
 * the templates in a template directory, in Dutch or English.  The words
 * (relative times, dates, fixed texts) come from words.h, the text layout
 * from wrap.h.
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
	const char *unsubscribe_url; /* the unsubscribe page; may be NULL */
	const char *unsubscribe_mailto; /* address; may be NULL */
	const char *prefs_url;		/* the preferences page; may be NULL */
	const char *view_url; /* the digest in the browser; may be NULL */
	const char *footer;   /* the provider's footer line; may be NULL */
	/*
	 * "Kies je webmail" at the top, naming webmail_names (NULL-ended;
	 * at least two), with a link to prefs_url (required).
	 */
	int prompt;
	const char *const *webmail_names;
	/*
	 * Render once per variant: when set, the data's greeting and
	 * greeting_text are these strings as they are (markers that a letter
	 * fills in per subscriber with render_greeting()), not made from
	 * recipient_name.  NULL for a plain render.
	 */
	const char *greeting_as_is;
	const char *greeting_text_as_is;
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
 * Renders items in format.  A partial that the template directory does not
 * have renders as nothing, as the mustache spec says (render_check() finds
 * it).  On RENDER_OK *output_out (free()) is the whole document; on error
 * nothing partial is returned and *errstr_out (free()) names the template.
 */
enum render_status render_digest(struct renderer *renderer,
				 enum render_format format,
				 const struct render_context *context,
				 const struct item_list *items,
				 char **output_out, char **errstr_out);

/*
 * Renders items in format as render_digest() does, but strictly, to find
 * mistakes in the templates before they reach a subscriber: a partial that
 * the template directory does not have is an error naming the template file
 * and line of its tag.  Only the partials that this render reaches are
 * checked.  Returns RENDER_OK, or an error with *errstr_out (free()).
 */
enum render_status render_check(struct renderer *renderer,
				enum render_format format,
				const struct render_context *context,
				const struct item_list *items,
				char **errstr_out);

/*
 * The greeting for recipient_name (NULL or "": the anonymous one) in
 * language, exactly as a render puts it in the data: plain ("greeting"),
 * or wrapped for the text part ("greeting_text") when wrapped is set.
 * Returns a new string (free()), or NULL for a language render_digest()
 * refuses.
 */
char *render_greeting(const char *language, const char *recipient_name,
		      int wrapped);

/*
 * text as {{name}} puts it in format: HTML-escaped for RENDER_HTML, as it
 * is for RENDER_TEXT.  Returns a new string (free()).
 */
char *render_escape(enum render_format format, const char *text);

/* Frees renderer and everything it keeps; NULL is allowed. */
void render_close(struct renderer *renderer);

#endif
