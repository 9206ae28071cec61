/*
 * letter.c - see letter.h.
 */
#include "letter.h"

#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "letter_impl.h"
#include "mail.h"
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

char *
letter_subject(const struct config *config, const char *language, time_t now)
{
	char *date = words_long_date(now, language, config->timezone);
	char *subject;

	subject = date ? xasprintf("%s \xe2\x80\x93 %s", config->title, date)
		       : xstrdup(config->title);
	free(date);
	return subject;
}

int
letter_wants_prompt(const struct config *config, const struct links *links,
		    const struct subscriber *subscriber)
{
	return links != NULL && subscriber->provider == NULL &&
	       subscriber->prompted_at == 0 && config->provider_count >= 2;
}

/* Makes the subscriber's links (each issued at now) and prompt. */
static void
extras_make(const struct config *config, const struct links *links,
	    const struct subscriber *subscriber, time_t now,
	    struct letter_extras *extras)
{
	memset(extras, 0, sizeof *extras);
	if (links == NULL)
		return;
	extras->unsubscribe_url =
	    links_url(links, LINKS_UNSUBSCRIBE, subscriber->email, now);
	extras->prefs_url =
	    links_url(links, LINKS_PREFS, subscriber->email, now);
	extras->view_url = links_url(links, LINKS_VIEW, subscriber->email, now);
	extras->prompt = letter_wants_prompt(config, links, subscriber);
	extras->webmail_names = letter_webmail_names(config);
}

static void
extras_clear(struct letter_extras *extras)
{
	free(extras->unsubscribe_url);
	free(extras->prefs_url);
	free(extras->view_url);
	free(extras->webmail_names);
	memset(extras, 0, sizeof *extras);
}

const char **
letter_webmail_names(const struct config *config)
{
	const char **names = xcalloc(config->provider_count + 1, sizeof *names);

	for (size_t i = 0; i < config->provider_count; i++)
		names[i] = config->providers[i].name;
	return names;
}

void
letter_fill_context(const struct config *config,
		    const struct subscriber *subscriber,
		    const struct provider *provider, time_t now,
		    const struct letter_extras *extras,
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
	/* Each provider speaks in its own name; [mail]'s without one. */
	context->unsubscribe_mailto = provider ? provider->unsubscribe_mailto
					       : config->unsubscribe_mailto;
	context->footer = provider ? provider->footer : config->footer;
	context->unsubscribe_url = extras->unsubscribe_url;
	context->prefs_url = extras->prefs_url;
	context->view_url = extras->view_url;
	context->prompt = extras->prompt;
	context->webmail_names = extras->webmail_names;
}

enum render_status
letter_render_part(const struct config *config, struct renderer *renderer,
		   const struct links *links, const struct item_list *items,
		   const struct subscriber *subscriber,
		   enum render_format format, time_t now, char **output_out,
		   char **errstr_out)
{
	struct render_context context;
	struct letter_extras extras;
	enum render_status status;

	extras_make(config, links, subscriber, now, &extras);
	letter_fill_context(config, subscriber,
			    letter_provider(config, subscriber), now, &extras,
			    &context);
	status = render_digest(renderer, format, &context, items, output_out,
			       errstr_out);
	extras_clear(&extras);
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

const char *
letter_one_click_url(const char *url)
{
	return url != NULL && util_strncasecmp(url, "https://", 8) == 0 ? url
									: NULL;
}

void
letter_fill_input(const struct config *config,
		  const struct subscriber *subscriber,
		  const struct provider *provider,
		  const struct render_context *context,
		  struct mail_input *input)
{
	memset(input, 0, sizeof *input);
	input->from_address = provider->from_address;
	input->from_name = provider->from_name;
	input->to_address = subscriber->email;
	input->to_name = subscriber->name;
	input->date = context->now;
	input->timezone = config->timezone;
	input->list_id = provider->list_id;
	input->unsubscribe_mailto = provider->unsubscribe_mailto;
	input->unsubscribe_url = letter_one_click_url(context->unsubscribe_url);
	input->message_id_domain = address_domain(provider->from_address);
}

enum letter_status
letter_build(const struct config *config, struct renderer *renderer,
	     const struct links *links, const struct item_list *items,
	     const struct subscriber *subscriber, time_t now,
	     struct letter *letter_out, char **errstr_out)
{
	const struct provider *provider = letter_provider(config, subscriber);
	struct render_context context;
	struct letter_extras extras;
	struct mail_input input;
	char *text = NULL, *html = NULL, *subject = NULL;
	char date[11];
	enum letter_status status = LETTER_ERENDER;

	memset(letter_out, 0, sizeof *letter_out);
	if (provider == NULL) {
		*errstr_out = xasprintf(
		    "provider \"%s\" is not configured",
		    subscriber->provider ? subscriber->provider : "(default)");
		return LETTER_EPROVIDER;
	}
	extras_make(config, links, subscriber, now, &extras);
	letter_fill_context(config, subscriber, provider, now, &extras,
			    &context);
	if (render_digest(renderer, RENDER_TEXT, &context, items, &text,
			  errstr_out) != RENDER_OK)
		goto out;
	if (subscriber->format != SUBSCRIBER_FORMAT_TEXT &&
	    render_digest(renderer, RENDER_HTML, &context, items, &html,
			  errstr_out) != RENDER_OK)
		goto out;
	subject = letter_subject(config, context.language, now);
	letter_fill_input(config, subscriber, provider, &context, &input);
	input.subject = subject;
	input.text_body = text;
	input.html_body = html;
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
	letter_out->prompted = extras.prompt;
	status = LETTER_OK;
out:
	extras_clear(&extras);
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
