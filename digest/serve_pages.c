/*
 * serve_pages.c - the routes of digest serve, the steps every page shares
 * (tokens, the Origin check, languages, error pages), and the pages of a
 * new subscriber: the sign-up form and the confirmation of its link.
 *
 * Sign-up reveals nothing about an address: whether it is new, waiting,
 * or active already, the answer is the same page, as fast (the mail is
 * queued, serve_mail.c).  A new or returning address gets a confirmation
 * mail; an active one gets none (its owner manages their choices from
 * the link in every digest); an address that asked within the last
 * SIGNUP_RESEND_GAP seconds gets no second mail, so nobody can flood a
 * mailbox through the form.
 */
#include "serve_impl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "mail.h"
#include "sign.h"

#define SIGNUP_RESEND_GAP 600
/* The subject of the sign-up form's own token. */
#define SIGNUP_FORM "form"
#define SIGNUP_ACTION "signup"

void
serve_log(const struct serve_app *app, int problem, const char *format, ...)
{
	va_list args;
	char *line;

	va_start(args, format);
	line = xvasprintf(format, args);
	va_end(args);
	app->setup.log(app->setup.log_context, problem, line);
	free(line);
}

const char *
serve_field(const struct serve_request *request, const char *name)
{
	for (size_t i = 0; i < request->field_count; i++)
		if (strcmp(request->fields[i].name, name) == 0)
			return request->fields[i].value;
	return NULL;
}

void
serve_request_clear(struct serve_request *request)
{
	for (size_t i = 0; i < request->field_count; i++) {
		free(request->fields[i].name);
		free(request->fields[i].value);
	}
	request->field_count = 0;
}

/* Reads a q value ("1", "0.8", "0.125") as thousandths; -1 if bad. */
static long
read_q(const char *text)
{
	long value, scale = 100;

	if (*text != '0' && *text != '1')
		return -1;
	value = (*text++ - '0') * 1000L;
	if (*text == '.')
		for (text++; *text >= '0' && *text <= '9' && scale > 0;
		     text++, scale /= 10)
			value += (*text - '0') * scale;
	return value > 1000 ? 1000 : value;
}

/* The weight (q) of a language in Accept-Language, 0 to 1000. */
static long
language_weight(const char *header, const char *code)
{
	const char *cursor = header;
	size_t length = strlen(code);
	long best = 0;

	while (cursor && *cursor) {
		const char *end = strchr(cursor, ',');
		const char *q;
		long weight = 1000;

		while (*cursor == ' ')
			cursor++;
		if (util_strncasecmp(cursor, code, length) == 0 &&
		    strchr("-;, ", cursor[length] ? cursor[length] : ' ')) {
			q = strstr(cursor, ";q=");
			if (q && (!end || q < end))
				weight = read_q(q + 3);
			if (weight > best)
				best = weight;
		}
		cursor = end ? end + 1 : NULL;
	}
	return best;
}

const char *
serve_visitor_language(const struct serve_request *request,
		       const char *fallback)
{
	const char *asked = subscriber_language_parse(request->query_lang);
	long nl, en;

	if (asked)
		return asked;
	if (request->accept_language) {
		nl = language_weight(request->accept_language, "nl");
		en = language_weight(request->accept_language, "en");
		if (nl > 0 || en > 0)
			return nl >= en ? "nl" : "en";
	}
	asked = subscriber_language_parse(fallback);
	return asked ? asked : "nl";
}

const char *
serve_language_of(struct serve_app *app, const struct serve_request *request,
		  const char *email)
{
	struct subscriber sub;
	struct signup signup;
	const char *language = NULL;

	if (state_subscriber_get(app->setup.state, email, &sub, NULL) ==
	    STATE_OK) {
		language = subscriber_language_parse(sub.language);
		subscriber_clear(&sub);
	} else if (state_signup_get(app->setup.state, email, &signup, NULL) ==
		   STATE_OK) {
		language = subscriber_language_parse(signup.language);
		state_signup_clear(&signup);
	}
	return language ? language
			: serve_visitor_language(request,
						 app->setup.config->language);
}

void
serve_page(struct serve_app *app, struct serve_response *response, int status,
	   const char *page, const char *language, struct value *data)
{
	char *errstr = NULL;
	char *html = serve_web_render(app->web, app->setup.config, page,
				      language, data, &errstr);

	value_free(data);
	if (html == NULL) {
		serve_log(app, 1, "page %s: %s", page, errstr);
		free(errstr);
		response->status = 500;
		response->content_type = "text/plain; charset=utf-8";
		response->body = xstrdup("The page cannot be shown.\n");
		response->length = strlen(response->body);
		return;
	}
	response->status = status;
	response->body = html;
	response->length = strlen(html);
}

void
serve_error(struct serve_app *app, const struct serve_request *request,
	    struct serve_response *response, int status, const char *kind,
	    const char *language)
{
	struct value *data = value_new_map();
	char *key = xasprintf("kind_%s", kind);
	char *code = xasprintf("%d", status);

	value_map_set_string(data, "status", code);
	value_map_set_bool(data, key, 1);
	free(key);
	free(code);
	serve_page(app, response, status, "error",
		   language ? language
			    : serve_visitor_language(
				  request, app->setup.config->language),
		   data);
}

void
serve_store_failed(struct serve_app *app, const struct serve_request *request,
		   struct serve_response *response, char *errstr)
{
	serve_log(app, 1, "%s", errstr ? errstr : "the store failed");
	free(errstr);
	serve_error(app, request, response, 503, "unavailable", NULL);
}

int
serve_check_token(struct serve_app *app, const struct serve_request *request,
		  struct serve_response *response, const char *action,
		  long max_age, char **email_out, time_t *issued_out)
{
	const char *token = request->query_token;

	*email_out = NULL;
	if (token == NULL)
		token = serve_field(request, "t");
	if (token == NULL || *token == '\0') {
		serve_error(app, request, response, 400, "missing", NULL);
		return -1;
	}
	switch (sign_check(links_signer(app->setup.links), token, action,
			   request->now, max_age, email_out, issued_out)) {
	case SIGN_OK:
		return 0;
	case SIGN_EMALFORMED:
		serve_error(app, request, response, 400, "malformed", NULL);
		break;
	case SIGN_EFORGED:
		serve_error(app, request, response, 403, "forged", NULL);
		break;
	case SIGN_EEXPIRED:
		serve_error(app, request, response, 410, "expired", NULL);
		break;
	}
	free(*email_out);
	*email_out = NULL;
	return -1;
}

int
serve_check_origin(struct serve_app *app, const struct serve_request *request,
		   struct serve_response *response)
{
	int cross = 0;

	/* Browsers say where a form came from: another site, or a
	 * sibling host of the same site, may not post here. */
	if (request->fetch_site &&
	    (util_strcasecmp(request->fetch_site, "cross-site") == 0 ||
	     util_strcasecmp(request->fetch_site, "same-site") == 0))
		cross = 1;
	/* "null" is an origin the browser keeps to itself: no evidence. */
	if (request->origin && strcmp(request->origin, "null") != 0 &&
	    util_strcasecmp(request->origin, app->base_origin) != 0)
		cross = 1;
	if (!cross)
		return 0;
	serve_error(app, request, response, 403, "cross_site", NULL);
	return -1;
}

void
serve_add_providers(struct serve_app *app, struct value *data,
		    const char *checked_id)
{
	const struct config *config = app->setup.config;
	struct value *list = value_new_list();

	for (size_t i = 0; i < config->provider_count; i++) {
		const struct provider *provider = &config->providers[i];
		struct value *entry = value_new_map();

		value_map_set_string(entry, "id", provider->id);
		value_map_set_string(entry, "name", provider->name);
		value_map_set_string(entry, "from_address",
				     provider->from_address);
		value_map_set_bool(entry, "checked",
				   checked_id &&
				       strcmp(checked_id, provider->id) == 0);
		value_list_append(list, entry);
	}
	value_map_set(data, "providers", list);
}

void
serve_add_choices(struct value *data, const char *language, const char *format)
{
	value_map_set_bool(data, "choose_nl", strcmp(language, "nl") == 0);
	value_map_set_bool(data, "choose_en", strcmp(language, "en") == 0);
	value_map_set_bool(data, "format_text", strcmp(format, "text") == 0);
	value_map_set_bool(data, "format_both", strcmp(format, "text") != 0);
}

/* The sign-up form, with what was typed and what was wrong. */
static void
signup_form(struct serve_app *app, const struct serve_request *request,
	    struct serve_response *response, int status, struct value *data)
{
	const char *language =
	    serve_visitor_language(request, app->setup.config->language);
	const char *chosen = serve_field(request, "language");
	const char *format = serve_field(request, "format");
	char *token = sign_token(links_signer(app->setup.links), SIGNUP_FORM,
				 SIGNUP_ACTION, request->now);

	if (subscriber_language_parse(chosen))
		chosen = subscriber_language_parse(chosen);
	else
		chosen = language;
	value_map_set_string(data, "form_token", token);
	free(token);
	value_map_set_string(
	    data, "email",
	    serve_field(request, "email") ? serve_field(request, "email") : "");
	serve_add_providers(app, data, serve_field(request, "provider"));
	serve_add_choices(data, chosen, format ? format : "both");
	value_map_set_string(data, "other_language",
			     strcmp(language, "nl") == 0 ? "en" : "nl");
	serve_page(app, response, status, "signup", language, data);
}

static void
signup_get(struct serve_app *app, const struct serve_request *request,
	   struct serve_response *response)
{
	signup_form(app, request, response, 200, value_new_map());
}

/* The confirmation mail: its template's first line is the subject. */
static char *
confirm_mail(struct serve_app *app, const struct signup *signup,
	     const struct provider *provider, time_t now, size_t *size_out)
{
	struct value *data = value_new_map();
	struct mail_input input = {0};
	char *url =
	    links_url(app->setup.links, LINKS_CONFIRM, signup->email, now);
	char *text, *body, *message = NULL, *errstr = NULL;
	const char *at = strrchr(provider->from_address, '@');
	char *days = xasprintf(
	    "%ld", (app->setup.config->web.confirm_max_age + 86399) / 86400);

	value_map_set_string(data, "confirm_url", url);
	value_map_set_string(data, "email", signup->email);
	value_map_set_string(data, "provider_name", provider->name);
	value_map_set_string(data, "valid_days", days);
	free(days);
	value_map_set_bool(data, "one_day",
			   app->setup.config->web.confirm_max_age <= 86400);
	text = serve_web_render(app->web, app->setup.config, "confirm-mail",
				signup->language, data, &errstr);
	value_free(data);
	free(url);
	if (text == NULL)
		goto out;
	body = strchr(text, '\n');
	if (body == NULL)
		body = text + strlen(text);
	else
		*body++ = '\0';
	while (*body == '\n')
		body++;
	input.from_address = provider->from_address;
	input.from_name = provider->from_name;
	input.to_address = signup->email;
	input.subject = text;
	input.date = now;
	input.timezone = app->setup.config->timezone;
	input.text_body = body;
	input.message_id_domain = at ? at + 1 : "localhost";
	if (mail_compose(&input, &message, size_out, NULL, &errstr) != MAIL_OK)
		message = NULL;
out:
	if (message == NULL)
		serve_log(app, 1, "confirmation mail to %s: %s", signup->email,
			  errstr ? errstr : "cannot be made");
	free(errstr);
	free(text);
	return message;
}

/* Stores the sign-up and queues its mail, unless one went out just now. */
static int
store_signup(struct serve_app *app, const struct signup *signup,
	     const struct provider *provider, char **errstr_out)
{
	struct signup pending;
	char *message;
	size_t size = 0;
	int recent;

	recent =
	    state_signup_get(app->setup.state, signup->email, &pending, NULL) ==
		STATE_OK &&
	    signup->requested_at - pending.requested_at < SIGNUP_RESEND_GAP &&
	    signup->requested_at >= pending.requested_at;
	state_signup_clear(&pending);
	if (recent) {
		serve_log(app, 0,
			  "sign-up of %s: a confirmation mail went "
			  "out just now, none again",
			  signup->email);
		return 0;
	}
	if (state_signup_put(app->setup.state, signup,
			     signup->requested_at -
				 app->setup.config->web.confirm_max_age,
			     errstr_out) != STATE_OK)
		return -1;
	serve_log(app, 0, "sign-up of %s waits for its confirmation (%s)",
		  signup->email, provider->id);
	message =
	    confirm_mail(app, signup, provider, signup->requested_at, &size);
	if (message && serve_mailer_queue(app->mailer, provider, signup->email,
					  message, size) < 0)
		serve_log(app, 1,
			  "confirmation mail to %s: too many waiting, "
			  "not sent",
			  signup->email);
	return 0;
}

/* Whether the form's own token is ours and fresh enough. */
static int
form_token_good(struct serve_app *app, const struct serve_request *request)
{
	char *subject = NULL;
	int good;

	good = sign_check(links_signer(app->setup.links),
			  serve_field(request, "f"), SIGNUP_ACTION,
			  request->now, app->setup.config->web.confirm_max_age,
			  &subject, NULL) == SIGN_OK &&
	       strcmp(subject, SIGNUP_FORM) == 0;
	free(subject);
	return good;
}

static void
signup_post(struct serve_app *app, const struct serve_request *request,
	    struct serve_response *response)
{
	const char *typed = serve_field(request, "email");
	const char *format = serve_field(request, "format");
	struct signup signup = {0};
	const struct provider *provider;
	struct value *data;
	char *errstr = NULL;
	struct subscriber sub;
	int active;

	if (serve_check_origin(app, request, response) < 0)
		return;
	if (request->form_broken || !form_token_good(app, request)) {
		serve_error(app, request, response, 403, "form", NULL);
		return;
	}
	signup.email =
	    typed && strlen(typed) <= 254 ? address_normalize(typed) : NULL;
	provider = serve_field(request, "provider")
		       ? config_find_provider(app->setup.config,
					      serve_field(request, "provider"))
		       : NULL;
	if (signup.email == NULL || provider == NULL) {
		data = value_new_map();
		value_map_set_bool(data, "error_email", signup.email == NULL);
		value_map_set_bool(data, "error_provider", provider == NULL);
		value_map_set_bool(data, "has_errors", 1);
		signup_form(app, request, response, 400, data);
		free(signup.email);
		return;
	}
	signup.provider = xstrdup(provider->id);
	signup.language = xstrdup(
	    subscriber_language_parse(serve_field(request, "language"))
		? subscriber_language_parse(serve_field(request, "language"))
		: serve_visitor_language(request, app->setup.config->language));
	signup.format = format && strcmp(format, "text") == 0
			    ? SUBSCRIBER_FORMAT_TEXT
			    : SUBSCRIBER_FORMAT_BOTH;
	signup.requested_at = request->now;
	active = state_subscriber_get(app->setup.state, signup.email, &sub,
				      NULL) == STATE_OK &&
		 sub.active;
	subscriber_clear(&sub);
	if (active)
		serve_log(app, 0,
			  "sign-up of %s: already a subscriber, no mail",
			  signup.email);
	else if (store_signup(app, &signup, provider, &errstr) < 0) {
		serve_store_failed(app, request, response, errstr);
		state_signup_clear(&signup);
		return;
	}
	data = value_new_map();
	value_map_set_string(data, "email", signup.email);
	serve_page(app, response, 200, "signup-sent", signup.language, data);
	state_signup_clear(&signup);
}

static void
confirm_get(struct serve_app *app, const struct serve_request *request,
	    struct serve_response *response)
{
	struct value *data;
	char *email = NULL;

	if (serve_check_token(app, request, response, LINKS_CONFIRM,
			      app->setup.config->web.confirm_max_age, &email,
			      NULL) < 0)
		return;
	data = value_new_map();
	value_map_set_string(data, "email", email);
	value_map_set_string(data, "token", request->query_token);
	serve_page(app, response, 200, "confirm",
		   serve_language_of(app, request, email), data);
	free(email);
}

static void
confirm_post(struct serve_app *app, const struct serve_request *request,
	     struct serve_response *response)
{
	enum state_confirm result;
	struct value *data;
	char *email = NULL, *errstr = NULL, *hashes[2], *url;

	if (serve_check_origin(app, request, response) < 0 ||
	    serve_check_token(app, request, response, LINKS_CONFIRM,
			      app->setup.config->web.confirm_max_age, &email,
			      NULL) < 0)
		return;
	links_address_hashes(app->setup.links, email, hashes);
	if (state_signup_confirm(app->setup.state, email,
				 (const char *const *)hashes, 2, request->now,
				 &result, &errstr) != STATE_OK) {
		serve_store_failed(app, request, response, errstr);
		goto out;
	}
	if (result == STATE_CONFIRM_NONE) {
		serve_error(app, request, response, 410, "gone", NULL);
		goto out;
	}
	if (result == STATE_CONFIRMED)
		serve_log(app, 0, "subscriber %s confirmed their sign-up",
			  email);
	url = links_url(app->setup.links, LINKS_PREFS, email, request->now);
	data = value_new_map();
	value_map_set_string(data, "email", email);
	value_map_set_string(data, "prefs_url", url);
	free(url);
	serve_page(app, response, 200, "confirmed",
		   serve_language_of(app, request, email), data);
out:
	free(hashes[0]);
	free(hashes[1]);
	free(email);
}

/* The routes: a path and its handlers, GET (also for HEAD) and POST. */
struct route {
	const char *path;
	void (*get)(struct serve_app *, const struct serve_request *,
		    struct serve_response *);
	void (*post)(struct serve_app *, const struct serve_request *,
		     struct serve_response *);
};

static const struct route routes[] = {
    {"/", signup_get, signup_post},
    {"/confirm", confirm_get, confirm_post},
    {"/prefs", serve_prefs_get, serve_prefs_post},
    {"/export", NULL, serve_export_post},
    {"/erase", serve_erase_get, serve_erase_post},
    {"/unsubscribe", serve_unsubscribe_get, serve_unsubscribe_post},
    {"/resubscribe", NULL, serve_resubscribe_post},
    {"/view", serve_view_get, NULL},
};

void
serve_route(struct serve_app *app, const struct serve_request *request,
	    struct serve_response *response)
{
	const struct route *route = NULL;
	int get = strcmp(request->method, "GET") == 0 ||
		  strcmp(request->method, "HEAD") == 0;
	int post = strcmp(request->method, "POST") == 0;

	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (strcmp(routes[i].path, request->path) == 0)
			route = &routes[i];
	if (route == NULL) {
		serve_error(app, request, response, 404, "not_found", NULL);
	} else if (get && route->get) {
		route->get(app, request, response);
	} else if (post && route->post) {
		route->post(app, request, response);
	} else {
		response->allow = !route->get	 ? "POST"
				  : !route->post ? "GET, HEAD"
						 : "GET, HEAD, POST";
		serve_error(app, request, response, 405, "method", NULL);
	}
}
