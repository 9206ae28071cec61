/*
 * letter.c - see letter.h.
 */
#include "letter.h"

#include <stdlib.h>
#include <string.h>

#include "mail.h"
#include "url.h"
#include "datetime.h"
#include "util.h"
#include "verp.h"
#include "words.h"

const struct provider *
letter_provider(const struct config *config,
		const struct subscriber *subscriber)
{
	const char *id = subscriber->provider ? subscriber->provider
					      : config->default_provider;

	return id ? config_find_provider(config, id) : NULL;
}

void
letter_digest_date(const struct config *config, time_t now, char out[11])
{
	struct tm local;

	if (datetime_local(config->timezone, now, &local) < 0 ||
	    strftime(out, 11, "%Y-%m-%d", &local) == 0)
		util_strlcpy(out, "1970-01-01", 11);
}

/*
 * The subject line: the title and the long date of now in the language.
 * Returns a new string (free()).
 */
static char *
letter_subject(const struct config *config, const char *language, time_t now)
{
	char *date = words_long_date(now, language, config->timezone);
	char *subject;

	subject = date ? xasprintf("%s \xe2\x80\x93 %s", config->title, date)
		       : xstrdup(config->title);
	free(date);
	return subject;
}

/*
 * The subscriber's one-click unsubscribe URL: the configured base with the
 * address as a query parameter, or NULL without a base.  The signed-link
 * page (a later issue) adds its signature here, in this one place.
 */
static char *
unsubscribe_url(const struct config *config, const char *email)
{
	char *escaped;
	char *url;

	if (config->unsubscribe_url == NULL)
		return NULL;
	escaped = url_escape(email);
	if (escaped == NULL)
		return NULL;
	url = xasprintf("%s%cemail=%s", config->unsubscribe_url,
			strchr(config->unsubscribe_url, '?') ? '&' : '?',
			escaped);
	free(escaped);
	return url;
}

static void
fill_context(const struct config *config, const struct subscriber *subscriber,
	     const struct provider *provider, time_t now, const char *url,
	     struct render_context *context)
{
	memset(context, 0, sizeof *context);
	context->title = config->title;
	context->language =
	    subscriber->language ? subscriber->language : config->language;
	context->timezone = config->timezone;
	context->now = now;
	context->provider_name = provider ? provider->name : NULL;
	context->recipient_name = subscriber->name;
	context->unsubscribe_url = url;
	context->unsubscribe_mailto = config->unsubscribe_mailto;
}

enum render_status
letter_render_part(const struct config *config, struct renderer *renderer,
		   const struct item_list *items,
		   const struct subscriber *subscriber,
		   enum render_format format, time_t now, char **output_out,
		   char **errstr_out)
{
	struct render_context context;
	char *url = unsubscribe_url(config, subscriber->email);
	enum render_status status;

	fill_context(config, subscriber, letter_provider(config, subscriber),
		     now, url, &context);
	status = render_digest(renderer, format, &context, items, output_out,
			       errstr_out);
	free(url);
	return status;
}

char *
letter_envelope_from(const struct provider *provider, const char *email,
		     const char *digest_date)
{
	char *verp = NULL;

	if (provider->bounce_domain != NULL)
		verp = verp_encode(provider->bounce_domain, email, digest_date);
	return verp ? verp : xstrdup(provider->from_address);
}

/* The right-hand side of the From address, for the Message-ID. */
static const char *
address_domain(const char *address)
{
	const char *at = strrchr(address, '@');

	return at ? at + 1 : "localhost";
}

enum letter_status
letter_build(const struct config *config, struct renderer *renderer,
	     const struct item_list *items, const struct subscriber *subscriber,
	     time_t now, struct letter *letter_out, char **errstr_out)
{
	const struct provider *provider = letter_provider(config, subscriber);
	struct render_context context;
	struct mail_input input = {0};
	char *url = NULL, *text = NULL, *html = NULL, *subject = NULL;
	char date[11];
	enum letter_status status = LETTER_ERENDER;

	memset(letter_out, 0, sizeof *letter_out);
	if (provider == NULL) {
		*errstr_out = xasprintf(
		    "provider \"%s\" is not configured",
		    subscriber->provider ? subscriber->provider : "(default)");
		return LETTER_EPROVIDER;
	}
	url = unsubscribe_url(config, subscriber->email);
	fill_context(config, subscriber, provider, now, url, &context);
	if (render_digest(renderer, RENDER_TEXT, &context, items, &text,
			  errstr_out) != RENDER_OK)
		goto out;
	if (subscriber->format != SUBSCRIBER_FORMAT_TEXT &&
	    render_digest(renderer, RENDER_HTML, &context, items, &html,
			  errstr_out) != RENDER_OK)
		goto out;
	subject = letter_subject(config, context.language, now);
	input.from_address = provider->from_address;
	input.from_name = provider->from_name;
	input.to_address = subscriber->email;
	input.to_name = subscriber->name;
	input.subject = subject;
	input.date = now;
	input.timezone = config->timezone;
	input.text_body = text;
	input.html_body = html;
	input.list_id = config->list_id;
	input.unsubscribe_mailto = config->unsubscribe_mailto;
	input.unsubscribe_url = url;
	input.message_id_domain = address_domain(provider->from_address);
	status = LETTER_ECOMPOSE;
	if (mail_compose(&input, &letter_out->message, &letter_out->size,
			 &letter_out->message_id, errstr_out) != MAIL_OK)
		goto out;
	/*
	 * The digest date of now, by the same rule `digest send` dates its
	 * run and its journal entries with, so a bounce names that entry.
	 */
	letter_digest_date(config, now, date);
	letter_out->envelope_from =
	    letter_envelope_from(provider, subscriber->email, date);
	letter_out->provider = provider;
	status = LETTER_OK;
out:
	free(url);
	free(text);
	free(html);
	free(subject);
	return status;
}

void
letter_clear(struct letter *letter)
{
	free(letter->message);
	free(letter->message_id);
	free(letter->envelope_from);
	memset(letter, 0, sizeof *letter);
}
