/*
 * serve_account.c - the pages of a subscriber, each reached through the
 * signed link of their address: preferences ("Kies je webmail", language,
 * format, name), their data to download or erase, unsubscribing (on the
 * page, or at once by RFC 8058's one-click POST) and undoing it, and the
 * digest they were sent, in the browser.
 */
#include "serve_impl.h"

#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "letter.h"
#include "sign.h"

/* The longest name a subscriber may give, in bytes. */
#define SERVE_NAME_MAX 200

/* Reads the profile of email; -1 after answering (410 when gone). */
static int
load_profile(struct serve_app *app, const struct serve_request *request,
	     struct serve_response *response, const char *email,
	     struct profile *profile_out)
{
	char *errstr = NULL;

	switch (
	    state_profile_get(app->setup.state, email, profile_out, &errstr)) {
	case STATE_OK:
		return 0;
	case STATE_ENOTFOUND:
		free(errstr);
		serve_error(app, request, response, 410, "gone", NULL);
		return -1;
	default:
		serve_store_failed(app, request, response, errstr);
		return -1;
	}
}

static const char *
language_of(const struct profile *profile)
{
	const char *language =
	    subscriber_language_parse(profile->subscriber.language);

	return language ? language : "nl";
}

/* A form token for coming back after unsubscribing. */
static void
add_undo(struct serve_app *app, struct value *data, const char *email,
	 time_t now)
{
	char *token = sign_token(links_signer(app->setup.links), email,
				 LINKS_RESUBSCRIBE, now);

	value_map_set_string(data, "undo_token", token);
	value_map_set_bool(data, "can_undo", 1);
	free(token);
}

/* The preferences form of profile, with token for its POST. */
static void
prefs_page(struct serve_app *app, const struct serve_request *request,
	   struct serve_response *response, const struct profile *profile,
	   const char *token, int status, struct value *data)
{
	const struct subscriber *sub = &profile->subscriber;
	const struct web *web = &app->setup.config->web;
	char *url = links_url(app->setup.links, LINKS_UNSUBSCRIBE, sub->email,
			      request->now);

	value_map_set_string(data, "token", token);
	value_map_set_string(data, "email", sub->email);
	value_map_set_string(data, "name", sub->name ? sub->name : "");
	value_map_set_bool(data, "active", sub->active);
	value_map_set_bool(data, "no_provider", sub->provider == NULL);
	value_map_set_string(data, "unsubscribe_url", url);
	value_map_set_bool(data, "data_export", web->data_export);
	value_map_set_bool(data, "data_erase", web->data_erase);
	if (!sub->active && profile->unsubscribed_at)
		add_undo(app, data, sub->email, request->now);
	serve_add_providers(app, data, sub->provider);
	serve_add_choices(data, language_of(profile),
			  subscriber_format_name(sub->format));
	serve_page(app, response, status, "prefs", language_of(profile), data);
	free(url);
}

void
serve_prefs_get(struct serve_app *app, const struct serve_request *request,
		struct serve_response *response)
{
	struct profile profile;
	char *email = NULL;

	if (serve_check_token(app, request, response, LINKS_PREFS,
			      app->setup.config->web.link_max_age, &email,
			      NULL) < 0)
		return;
	if (load_profile(app, request, response, email, &profile) == 0)
		prefs_page(app, request, response, &profile,
			   request->query_token, 200, value_new_map());
	state_profile_clear(&profile);
	free(email);
}

/*
 * Reads the form into *sub (a copy of the stored one); returns 0, or -1
 * with the fields that were wrong flagged in data.
 */
static int
read_choices(struct serve_app *app, const struct serve_request *request,
	     struct subscriber *sub, struct value *data)
{
	const char *provider_id = serve_field(request, "provider");
	const char *language =
	    subscriber_language_parse(serve_field(request, "language"));
	const char *format = serve_field(request, "format");
	const char *name = serve_field(request, "name");
	const struct provider *provider =
	    provider_id ? config_find_provider(app->setup.config, provider_id)
			: NULL;
	char *clean = NULL;
	int bad = 0;

	if (provider != NULL) {
		free(sub->provider);
		sub->provider = xstrdup(provider->id);
	} else if (provider_id != NULL || sub->provider != NULL) {
		value_map_set_bool(data, "error_provider", bad = 1);
	}
	if (language != NULL) {
		free(sub->language);
		sub->language = xstrdup(language);
	}
	if (format && strcmp(format, "text") == 0)
		sub->format = SUBSCRIBER_FORMAT_TEXT;
	else if (format && sub->format == SUBSCRIBER_FORMAT_TEXT)
		sub->format = SUBSCRIBER_FORMAT_BOTH;
	if (name != NULL && (strlen(name) > SERVE_NAME_MAX ||
			     subscriber_clean_name(name, &clean) != NULL)) {
		value_map_set_bool(data, "error_name", bad = 1);
	} else if (name != NULL) {
		free(sub->name);
		sub->name = clean;
	}
	value_map_set_bool(data, "has_errors", bad);
	return bad ? -1 : 0;
}

static void
log_choices(struct serve_app *app, const struct subscriber *sub)
{
	serve_log(app, 0,
		  "subscriber %s chose provider %s, language %s, format %s%s",
		  sub->email, sub->provider ? sub->provider : "(default)",
		  sub->language, subscriber_format_name(sub->format),
		  sub->name ? ", and a name" : ", no name");
}

void
serve_prefs_post(struct serve_app *app, const struct serve_request *request,
		 struct serve_response *response)
{
	struct profile profile = {0};
	struct value *data;
	char *email = NULL, *errstr = NULL;
	int changed = 0;

	if (serve_check_origin(app, request, response) < 0 ||
	    serve_check_token(app, request, response, LINKS_PREFS,
			      app->setup.config->web.link_max_age, &email,
			      NULL) < 0 ||
	    load_profile(app, request, response, email, &profile) < 0)
		goto out;
	data = value_new_map();
	if (request->form_broken ||
	    read_choices(app, request, &profile.subscriber, data) < 0) {
		prefs_page(app, request, response, &profile,
			   serve_field(request, "t"), 400, data);
		goto out;
	}
	if (state_subscriber_choose(app->setup.state, &profile.subscriber,
				    &changed, &errstr) != STATE_OK) {
		value_free(data);
		serve_store_failed(app, request, response, errstr);
		goto out;
	}
	if (changed)
		log_choices(app, &profile.subscriber);
	value_map_set_bool(data, "saved", 1);
	prefs_page(app, request, response, &profile, serve_field(request, "t"),
		   200, data);
out:
	state_profile_clear(&profile);
	free(email);
}

/* Appends "key": "RFC 3339 time", or null for 0. */
static void
json_time(struct buf *out, const char *key, time_t when, int last)
{
	char text[DATETIME_RFC3339_SIZE];

	buf_printf(out, "  \"%s\": ", key);
	if (when == 0) {
		buf_puts(out, "null");
	} else {
		datetime_format_rfc3339(when, text);
		buf_put_json_string(out, text);
	}
	buf_puts(out, last ? "\n" : ",\n");
}

static void
json_string(struct buf *out, const char *key, const char *text)
{
	buf_printf(out, "  \"%s\": ", key);
	buf_put_json_string(out, text);
	buf_puts(out, ",\n");
}

static void
json_deliveries(struct buf *out, const struct delivery_list *list)
{
	char at[DATETIME_RFC3339_SIZE];

	buf_puts(out, "  \"deliveries\": [");
	for (size_t i = 0; i < list->count; i++) {
		const struct delivery *entry = &list->deliveries[i];

		datetime_format_rfc3339(entry->updated_at, at);
		buf_puts(out, i ? ",\n    {" : "\n    {");
		buf_puts(out, "\"date\": ");
		buf_put_json_string(out, entry->digest_date);
		buf_puts(out, ", \"state\": ");
		buf_put_json_string(out,
				    state_delivery_state_name(entry->state));
		buf_puts(out, ", \"provider\": ");
		buf_put_json_string(out, entry->provider);
		buf_printf(out, ", \"editions\": [%ld, %ld]",
			   entry->first_edition, entry->last_edition);
		buf_puts(out, ", \"message_id\": ");
		buf_put_json_string(out, entry->message_id);
		buf_printf(out,
			   ", \"attempts\": %ld, \"at\": ", entry->attempts);
		buf_put_json_string(out, at);
		buf_putc(out, '}');
	}
	buf_puts(out, list->count ? "\n  ],\n" : "],\n");
}

/* Everything kept about the subscriber, as one JSON object. */
static char *
export_json(struct serve_app *app, const struct profile *profile,
	    const struct delivery_list *history, time_t now)
{
	const struct subscriber *sub = &profile->subscriber;
	const struct provider *provider =
	    sub->provider
		? config_find_provider(app->setup.config, sub->provider)
		: NULL;
	struct buf out = BUF_INIT;

	buf_puts(&out, "{\n");
	json_string(&out, "email", sub->email);
	json_string(&out, "name", sub->name);
	json_string(&out, "provider", sub->provider);
	json_string(&out, "provider_name", provider ? provider->name : NULL);
	json_string(&out, "language", sub->language);
	json_string(&out, "format", subscriber_format_name(sub->format));
	buf_printf(&out, "  \"active\": %s,\n", sub->active ? "true" : "false");
	json_string(&out, "origin", profile->origin);
	json_time(&out, "created_at", profile->created_at, 0);
	json_time(&out, "confirmed_at", profile->confirmed_at, 0);
	json_time(&out, "updated_at", profile->updated_at, 0);
	json_time(&out, "unsubscribed_at", profile->unsubscribed_at, 0);
	json_time(&out, "webmail_prompt_at", profile->prompted_at, 0);
	json_time(&out, "switched_off_at", profile->deactivated_at, 0);
	json_deliveries(&out, history);
	json_time(&out, "exported_at", now, 1);
	buf_puts(&out, "}\n");
	return buf_detach(&out);
}

void
serve_export_post(struct serve_app *app, const struct serve_request *request,
		  struct serve_response *response)
{
	struct profile profile = {0};
	struct delivery_list history = {0};
	char *email = NULL, *errstr = NULL;

	if (!app->setup.config->web.data_export) {
		serve_error(app, request, response, 403, "export_off", NULL);
		return;
	}
	if (serve_check_origin(app, request, response) < 0 ||
	    serve_check_token(app, request, response, LINKS_PREFS,
			      app->setup.config->web.link_max_age, &email,
			      NULL) < 0 ||
	    load_profile(app, request, response, email, &profile) < 0)
		goto out;
	if (state_subscriber_history(app->setup.state, email, &history,
				     &errstr) != STATE_OK) {
		serve_store_failed(app, request, response, errstr);
		goto out;
	}
	response->status = 200;
	response->content_type = "application/json; charset=utf-8";
	response->disposition = "attachment; filename=\"digest-data.json\"";
	response->body = export_json(app, &profile, &history, request->now);
	response->length = strlen(response->body);
	serve_log(app, 0, "subscriber %s downloaded their data", email);
out:
	state_delivery_list_clear(&history);
	state_profile_clear(&profile);
	free(email);
}

void
serve_erase_get(struct serve_app *app, const struct serve_request *request,
		struct serve_response *response)
{
	struct profile profile = {0};
	struct value *data;
	char *email = NULL;

	if (!app->setup.config->web.data_erase) {
		serve_error(app, request, response, 403, "erase_off", NULL);
		return;
	}
	if (serve_check_token(app, request, response, LINKS_PREFS,
			      app->setup.config->web.link_max_age, &email,
			      NULL) < 0 ||
	    load_profile(app, request, response, email, &profile) < 0)
		goto out;
	data = value_new_map();
	value_map_set_string(data, "email", email);
	value_map_set_string(data, "token", request->query_token);
	serve_page(app, response, 200, "erase", language_of(&profile), data);
out:
	state_profile_clear(&profile);
	free(email);
}

void
serve_erase_post(struct serve_app *app, const struct serve_request *request,
		 struct serve_response *response)
{
	char *email = NULL, *errstr = NULL, *hashes[2] = {NULL, NULL};
	const char *language;
	int found = 0;

	if (!app->setup.config->web.data_erase) {
		serve_error(app, request, response, 403, "erase_off", NULL);
		return;
	}
	if (serve_check_origin(app, request, response) < 0 ||
	    serve_check_token(app, request, response, LINKS_PREFS,
			      app->setup.config->web.link_max_age, &email,
			      NULL) < 0)
		return;
	language = serve_language_of(app, request, email);
	links_address_hashes(app->setup.links, email, hashes);
	if (state_subscriber_erase(app->setup.state, email, hashes[0],
				   request->now, &found, &errstr) != STATE_OK) {
		serve_store_failed(app, request, response, errstr);
		goto out;
	}
	/* The address is gone: the log line does not keep it either. */
	if (found)
		serve_log(app, 0,
			  "a subscriber erased their data (only a "
			  "keyed hash of the address is kept)");
	serve_page(app, response, 200, "erased", language, value_new_map());
out:
	free(hashes[0]);
	free(hashes[1]);
	free(email);
}

void
serve_unsubscribe_get(struct serve_app *app,
		      const struct serve_request *request,
		      struct serve_response *response)
{
	struct profile profile = {0};
	struct value *data;
	char *email = NULL, *errstr = NULL;
	enum state_status status;

	if (serve_check_token(app, request, response, LINKS_UNSUBSCRIBE,
			      app->setup.config->web.link_max_age, &email,
			      NULL) < 0)
		return;
	status = state_profile_get(app->setup.state, email, &profile, &errstr);
	if (status != STATE_OK && status != STATE_ENOTFOUND) {
		serve_store_failed(app, request, response, errstr);
		goto out;
	}
	free(errstr);
	data = value_new_map();
	value_map_set_string(data, "email", email);
	value_map_set_string(data, "token", request->query_token);
	if (status == STATE_OK && profile.subscriber.active) {
		serve_page(app, response, 200, "unsubscribe",
			   language_of(&profile), data);
		goto out;
	}
	if (status == STATE_OK && profile.unsubscribed_at)
		add_undo(app, data, email, request->now);
	serve_page(app, response, 200, "unsubscribed",
		   serve_language_of(app, request, email), data);
out:
	state_profile_clear(&profile);
	free(email);
}

/* RFC 8058: a POST whose body holds List-Unsubscribe=One-Click. */
static int
is_one_click(const struct serve_request *request)
{
	const char *value = serve_field(request, "List-Unsubscribe");

	return value != NULL && strcmp(value, "One-Click") == 0;
}

void
serve_unsubscribe_post(struct serve_app *app,
		       const struct serve_request *request,
		       struct serve_response *response)
{
	int one_click = is_one_click(request), changed = 0;
	char *email = NULL, *errstr = NULL;
	enum state_status status;
	struct value *data;

	/* A mail provider's server posts one-click: it sends no Origin of
	 * ours, and the token alone speaks for the address. */
	if ((!one_click && serve_check_origin(app, request, response) < 0) ||
	    serve_check_token(app, request, response, LINKS_UNSUBSCRIBE,
			      app->setup.config->web.link_max_age, &email,
			      NULL) < 0)
		return;
	status = state_subscriber_leave(app->setup.state, email, request->now,
					&changed, &errstr);
	if (status != STATE_OK && status != STATE_ENOTFOUND) {
		serve_store_failed(app, request, response, errstr);
		goto out;
	}
	free(errstr);
	if (changed)
		serve_log(app, 0, "subscriber %s unsubscribed (%s)", email,
			  one_click ? "one-click" : "on the page");
	if (one_click) {
		response->status = 200;
		response->content_type = "text/plain; charset=utf-8";
		response->body = xstrdup("Unsubscribed.\n");
		response->length = strlen(response->body);
		goto out;
	}
	data = value_new_map();
	value_map_set_string(data, "email", email);
	if (status == STATE_OK)
		add_undo(app, data, email, request->now);
	serve_page(app, response, 200, "unsubscribed",
		   serve_language_of(app, request, email), data);
out:
	free(email);
}

void
serve_resubscribe_post(struct serve_app *app,
		       const struct serve_request *request,
		       struct serve_response *response)
{
	struct profile profile = {0};
	char *email = NULL, *errstr = NULL, *url;
	struct value *data;
	int changed = 0;

	if (serve_check_origin(app, request, response) < 0 ||
	    serve_check_token(app, request, response, LINKS_RESUBSCRIBE,
			      app->setup.config->web.link_max_age, &email,
			      NULL) < 0)
		return;
	if (state_subscriber_return(app->setup.state, email, request->now,
				    &changed, &errstr) == STATE_EIO) {
		serve_store_failed(app, request, response, errstr);
		goto out;
	}
	free(errstr);
	if (load_profile(app, request, response, email, &profile) < 0)
		goto out;
	if (!profile.subscriber.active) {
		serve_error(app, request, response, 410, "gone",
			    language_of(&profile));
		goto out;
	}
	if (changed)
		serve_log(app, 0, "subscriber %s subscribed again (undo)",
			  email);
	url = links_url(app->setup.links, LINKS_PREFS, email, request->now);
	data = value_new_map();
	value_map_set_string(data, "email", email);
	value_map_set_string(data, "prefs_url", url);
	free(url);
	serve_page(app, response, 200, "resubscribed", language_of(&profile),
		   data);
out:
	state_profile_clear(&profile);
	free(email);
}
