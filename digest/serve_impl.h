/*
 * serve_impl.h - what the files of digest serve share behind serve.h: a
 * request and a response as plain data (so that only serve.c sees
 * libmicrohttpd), the pages' templates (serve_web.c), the queue of
 * confirmation mails (serve_mail.c) and the pages themselves
 * (serve_pages.c, serve_account.c).  Only serve*.c include it.
 */
#ifndef DIGEST_SERVE_IMPL_H
#define DIGEST_SERVE_IMPL_H

#include <stddef.h>
#include <time.h>

#include "serve.h"
#include "util.h"
#include "value.h"

/* The most fields a form may have; a body with more is refused. */
#define SERVE_FORM_FIELDS 16

/* A form field, decoded (application/x-www-form-urlencoded). */
struct serve_field {
	char *name;
	char *value;
};

/* One request, as the pages see it. */
struct serve_request {
	const char *method;	     /* "GET", "HEAD" or "POST" */
	const char *path;	     /* "/prefs": below the base URL's path */
	const char *query_token;     /* ?t=, or NULL */
	const char *query_lang;	     /* ?lang=, or NULL */
	const char *accept_language; /* the header, or NULL */
	const char *origin;	     /* the Origin header, or NULL */
	const char *fetch_site;	     /* Sec-Fetch-Site, or NULL */
	struct serve_field fields[SERVE_FORM_FIELDS];
	size_t field_count;
	int form_broken; /* the body is not a form we can read */
	time_t now;
};

/* The answer a page gives. */
struct serve_response {
	int status;
	const char *content_type; /* NULL: text/html; charset=utf-8 */
	char *body;		  /* free() */
	size_t length;
	const char *disposition; /* Content-Disposition, or NULL */
	const char *allow;	 /* Allow, with a 405 */
};

/* Returns the value of form field name, or NULL. */
const char *serve_field(const struct serve_request *request, const char *name);

/*
 * Parses a form body of length bytes into request->fields (decoded
 * copies, serve_request_clear()).  Returns 0, or -1 when it is not one:
 * too many fields, a field without '=', a NUL or bad UTF-8.
 */
int serve_parse_form(struct serve_request *request, const char *body,
		     size_t length);

/* Frees the decoded fields. */
void serve_request_clear(struct serve_request *request);

/*
 * The language for a visitor we do not know yet: ?lang= when it is nl or
 * en, else the first of nl and en that Accept-Language prefers, else
 * fallback.  Static strings.
 */
const char *serve_visitor_language(const struct serve_request *request,
				   const char *fallback);

/* The page templates of <templates>/web/, parsed once. */
struct serve_web;

/*
 * Loads and parses every page template of directory.  Returns 0 and
 * *web_out (serve_web_free()), or -1 with *errstr_out (free()) naming the
 * file and line.
 */
int serve_web_open(const char *directory, struct serve_web **web_out,
		   char **errstr_out);

/*
 * Renders page ("prefs", "confirm-mail") against data, which it extends
 * with what every page has (language, title, base_url); HTML pages escape
 * every value, the mail's text template nothing.  Returns the text
 * (free()), or NULL with *errstr_out (free()).
 */
char *serve_web_render(struct serve_web *web, const struct config *config,
		       const char *page, const char *language,
		       struct value *data, char **errstr_out);

void serve_web_free(struct serve_web *web);

/* Confirmation mails, sent by a thread of their own. */
struct serve_mailer;

/* Starts the thread; lines go to log.  Returns a new mailer. */
struct serve_mailer *serve_mailer_start(const struct config *config,
					serve_log_fn log, void *log_context);

/*
 * Queues message (taken: freed by the mailer) of size bytes for recipient
 * through provider.  Returns 0, or -1 when the queue is full (the message
 * is freed).
 */
int serve_mailer_queue(struct serve_mailer *mailer,
		       const struct provider *provider, const char *recipient,
		       char *message, size_t size);

/* Sends what is queued, ends the thread and frees the mailer. */
void serve_mailer_stop(struct serve_mailer *mailer);

/* What the pages need, made once by serve_start(). */
struct serve_app {
	struct serve_setup setup;
	struct serve_web *web;
	struct serve_mailer *mailer;
	char *base_origin; /* "https://nieuws.example.nl", for Origin */
};

/* Logs a line through the setup's callback. */
void serve_log(const struct serve_app *app, int problem, const char *format,
	       ...) __attribute__((format(printf, 3, 4)));

/* Answers request: routes it to its page. */
void serve_route(struct serve_app *app, const struct serve_request *request,
		 struct serve_response *response);

/*
 * The pages' shared steps (serve_pages.c), used by serve_account.c too.
 */

/*
 * Renders page into response with status; on a template failure a plain
 * 500.  Takes data (value_free()).
 */
void serve_page(struct serve_app *app, struct serve_response *response,
		int status, const char *page, const char *language,
		struct value *data);

/* A plain error page of status for kind ("expired", "forged", ...). */
void serve_error(struct serve_app *app, const struct serve_request *request,
		 struct serve_response *response, int status, const char *kind,
		 const char *language);

/*
 * Checks the request's token (?t= or the form's t) for action, at most
 * max_age old.  Returns 0 with *email_out (free()) and *issued_out (may be
 * NULL), or -1 after filling response with the error page: 400 when it is
 * missing or malformed, 403 when forged or for another action, 410 when
 * expired.
 */
int serve_check_token(struct serve_app *app,
		      const struct serve_request *request,
		      struct serve_response *response, const char *action,
		      long max_age, char **email_out, time_t *issued_out);

/*
 * Whether a form POST may have come from another site: an Origin that is
 * not ours, or Sec-Fetch-Site cross-site.  Returns 0, or -1 after filling
 * response with a 403.
 */
int serve_check_origin(struct serve_app *app,
		       const struct serve_request *request,
		       struct serve_response *response);

/* The language of the subscriber with email, else the visitor's. */
const char *serve_language_of(struct serve_app *app,
			      const struct serve_request *request,
			      const char *email);

/* Adds the list of providers to data, the one with id checked. */
void serve_add_providers(struct serve_app *app, struct value *data,
			 const char *checked_id);

/* Adds the language and format choices to data. */
void serve_add_choices(struct value *data, const char *language,
		       const char *format);

/* A store failure: logged, and a 503 page. */
void serve_store_failed(struct serve_app *app,
			const struct serve_request *request,
			struct serve_response *response, char *errstr);

/*
 * The account pages (serve_account.c): preferences, the data download,
 * erasing, unsubscribing and coming back, and the digest in the browser.
 * Each answers one path and method.
 */
void serve_prefs_get(struct serve_app *app, const struct serve_request *request,
		     struct serve_response *response);
void serve_prefs_post(struct serve_app *app,
		      const struct serve_request *request,
		      struct serve_response *response);
void serve_export_post(struct serve_app *app,
		       const struct serve_request *request,
		       struct serve_response *response);
void serve_erase_get(struct serve_app *app, const struct serve_request *request,
		     struct serve_response *response);
void serve_erase_post(struct serve_app *app,
		      const struct serve_request *request,
		      struct serve_response *response);
void serve_unsubscribe_get(struct serve_app *app,
			   const struct serve_request *request,
			   struct serve_response *response);
void serve_unsubscribe_post(struct serve_app *app,
			    const struct serve_request *request,
			    struct serve_response *response);
void serve_resubscribe_post(struct serve_app *app,
			    const struct serve_request *request,
			    struct serve_response *response);
void serve_view_get(struct serve_app *app, const struct serve_request *request,
		    struct serve_response *response);

#endif
