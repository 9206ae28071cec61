/*
 * serve_view.c - the digest in the browser: GET /view?t=TOKEN shows the
 * digest that the token's subscriber was sent on the token's day (the
 * editions its journal entry covered), rendered from the digest's own
 * HTML template in their language, with the times as they read in the
 * mail.  For mail clients that show HTML badly.
 */
#include "serve_impl.h"

#include <stdlib.h>
#include <string.h>

#include "letter.h"

/* Renders the items for the subscriber as the mail had them. */
static char *
render_for(struct serve_app *app, const struct subscriber *sub,
	   const struct delivery *entry, const struct item_list *items,
	   time_t issued, char **errstr_out)
{
	const struct config *config = app->setup.config;
	const struct provider *provider =
	    entry->provider ? config_find_provider(config, entry->provider)
			    : letter_provider(config, sub);
	struct render_context context;
	char *url =
	    links_url(app->setup.links, LINKS_UNSUBSCRIBE, sub->email, issued);
	char *html = NULL;

	memset(&context, 0, sizeof context);
	context.title = config->title;
	context.language = sub->language ? sub->language : config->language;
	context.timezone = config->timezone;
	context.now = issued;
	context.provider_name = provider ? provider->name : NULL;
	context.recipient_name = sub->name;
	context.unsubscribe_url = url;
	context.unsubscribe_mailto = config->unsubscribe_mailto;
	if (render_digest(app->setup.renderer, RENDER_HTML, &context, items,
			  &html, errstr_out) != RENDER_OK)
		html = NULL;
	free(url);
	return html;
}

/* Reads the items of the entry's editions; -1 after answering. */
static int
load_items(struct serve_app *app, const struct serve_request *request,
	   struct serve_response *response, const struct delivery *entry,
	   time_t issued, struct item_list *items_out)
{
	const struct config *config = app->setup.config;
	char *errstr = NULL;

	if (state_edition_items(app->setup.state, entry->first_edition - 1,
				entry->last_edition, issued - config->max_age,
				(size_t)config->max_items, items_out,
				&errstr) != STATE_OK) {
		serve_store_failed(app, request, response, errstr);
		return -1;
	}
	return 0;
}

/* The journal entry of the token's day; -1 after answering (404). */
static int
load_entry(struct serve_app *app, const struct serve_request *request,
	   struct serve_response *response, const struct subscriber *sub,
	   time_t issued, struct delivery *entry_out)
{
	char date[11], *errstr = NULL;

	letter_digest_date(app->setup.config, issued, date);
	if (state_delivery_get(app->setup.state, sub->email, date, entry_out,
			       &errstr) != STATE_OK) {
		serve_store_failed(app, request, response, errstr);
		return -1;
	}
	if (entry_out->state == DELIVERY_NONE ||
	    entry_out->last_edition < entry_out->first_edition) {
		serve_error(app, request, response, 404, "no_digest",
			    sub->language);
		return -1;
	}
	return 0;
}

void
serve_view_get(struct serve_app *app, const struct serve_request *request,
	       struct serve_response *response)
{
	struct subscriber sub = {0};
	struct delivery entry = {0};
	struct item_list items = {0};
	char *email = NULL, *errstr = NULL, *html;
	time_t issued = 0;

	if (serve_check_token(app, request, response, LINKS_VIEW,
			      app->setup.config->web.link_max_age, &email,
			      &issued) < 0)
		return;
	if (state_subscriber_get(app->setup.state, email, &sub, &errstr) !=
	    STATE_OK) {
		free(errstr);
		serve_error(app, request, response, 410, "gone", NULL);
		goto out;
	}
	if (load_entry(app, request, response, &sub, issued, &entry) < 0 ||
	    load_items(app, request, response, &entry, issued, &items) < 0)
		goto out;
	html = render_for(app, &sub, &entry, &items, issued, &errstr);
	if (html == NULL) {
		serve_log(app, 1, "view for %s: %s", email, errstr);
		free(errstr);
		serve_error(app, request, response, 500, "broken",
			    sub.language);
		goto out;
	}
	response->status = 200;
	response->body = html;
	response->length = strlen(html);
out:
	feed_item_list_clear(&items);
	state_delivery_clear(&entry);
	subscriber_clear(&sub);
	free(email);
}
