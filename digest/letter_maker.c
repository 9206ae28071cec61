/*
 * letter_maker.c - letters rendered once per variant (see letter.h): the
 * variants a run has met, kept up to a cap, and each subscriber's letter
 * filled in from theirs.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "letter_impl.h"
#include "letter_variant.h"
#include "links.h"
#include "mail.h"
#include "util.h"

/*
 * Variants are few (languages x formats x providers x shares), but a run
 * with many shares must not keep them all: past this many, the one used
 * longest ago goes.
 */
#define LETTER_VARIANTS_MAX 64

struct variant {
	/* The key: everything that makes one digest differ from another. */
	long share_key;
	const struct item_list *share_seen; /* the list last seen as it */
	struct item_list share;		    /* a copy, to compare with */
	char *language;
	int text_only;
	const struct provider *provider;
	int has_name;
	int prompt;
	/* What was made of it. */
	struct mail_stencil *stencil; /* NULL: build each letter whole */
	unsigned long used;	      /* the holes its parts hold */
	unsigned long last_used;      /* the maker's clock at its last use */
	int refs;		      /* letters being filled from it */
	int evicted;		      /* out of the table: free at refs 0 */
};

struct letter_maker {
	const struct config *config;
	struct renderer *renderer;
	const struct links *links;
	time_t now;
	char digest_date[11];
	const char **webmail_names;
	struct letter_marks marks;
	pthread_mutex_t lock; /* the table, the clock, the renderer, stats */
	struct variant *variants[LETTER_VARIANTS_MAX];
	size_t variant_count;
	unsigned long clock;
	struct letter_maker_stats stats;
};

/* What a subscriber's letter is made with besides the variant. */
struct personal {
	char *urls[3]; /* unsubscribe, preferences, view; NULL without */
	char *values[LETTER_HOLE_COUNT];
};

struct letter_maker *
letter_maker_new(const struct config *config, struct renderer *renderer,
		 const struct links *links, time_t now)
{
	struct letter_maker *maker = xcalloc(1, sizeof *maker);
	char nonce[33];

	maker->config = config;
	maker->renderer = renderer;
	maker->links = links;
	maker->now = now;
	letter_digest_date(config, now, maker->digest_date);
	maker->webmail_names = letter_webmail_names(config);
	util_random_hex(nonce, 16);
	letter_marks_make(&maker->marks, nonce);
	pthread_mutex_init(&maker->lock, NULL);
	return maker;
}

static void
variant_free(struct variant *variant)
{
	if (variant == NULL)
		return;
	feed_item_list_clear(&variant->share);
	free(variant->language);
	mail_stencil_free(variant->stencil);
	free(variant);
}

void
letter_maker_free(struct letter_maker *maker)
{
	if (maker == NULL)
		return;
	for (size_t i = 0; i < maker->variant_count; i++)
		variant_free(maker->variants[i]);
	free(maker->webmail_names);
	pthread_mutex_destroy(&maker->lock);
	free(maker);
}

void
letter_maker_stats(struct letter_maker *maker,
		   struct letter_maker_stats *stats_out)
{
	pthread_mutex_lock(&maker->lock);
	*stats_out = maker->stats;
	stats_out->variants_kept = maker->variant_count;
	pthread_mutex_unlock(&maker->lock);
}

static int
same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Whether two lists hold what a render reads of their items. */
static int
same_items(const struct item_list *a, const struct item_list *b)
{
	if (a->count != b->count)
		return 0;
	for (size_t i = 0; i < a->count; i++) {
		const struct item *x = &a->items[i], *y = &b->items[i];

		if (x->has_published != y->has_published ||
		    (x->has_published && x->published_at != y->published_at) ||
		    !same_text(x->source, y->source) ||
		    !same_text(x->title, y->title) ||
		    !same_text(x->link, y->link) ||
		    !same_text(x->summary, y->summary))
			return 0;
	}
	return 1;
}

static int
has_text(const char *text)
{
	return text != NULL && *text != '\0';
}

/* The language a subscriber's digest is written in. */
static const char *
language_of(const struct letter_maker *maker,
	    const struct subscriber *subscriber)
{
	return subscriber->language ? subscriber->language
				    : maker->config->language;
}

/* Whether variant is the subscriber's digest of share. */
static int
variant_fits(struct variant *variant, const struct letter_maker *maker,
	     const struct item_list *share, long share_key,
	     const struct subscriber *subscriber,
	     const struct provider *provider)
{
	if (variant->share_key != share_key || variant->provider != provider ||
	    variant->text_only !=
		(subscriber->format == SUBSCRIBER_FORMAT_TEXT) ||
	    variant->has_name != has_text(subscriber->name) ||
	    variant->prompt !=
		letter_wants_prompt(maker->config, maker->links, subscriber) ||
	    !same_text(variant->language, language_of(maker, subscriber)))
		return 0;
	if (variant->share_seen == share)
		return 1;
	/* Another list under the key: the same only if its items are. */
	if (!same_items(&variant->share, share))
		return 0;
	variant->share_seen = share;
	return 1;
}

/*
 * Renders the subscriber's variant with markers for what is theirs and
 * cuts it into its stencil; a variant whose render cannot be cut keeps no
 * stencil, and its letters are built whole.  Returns LETTER_OK and
 * *variant_out, or LETTER_ERENDER with *errstr_out (free()).
 */
static enum letter_status
variant_build(struct letter_maker *maker, const struct item_list *share,
	      long share_key, const struct subscriber *subscriber,
	      const struct provider *provider, struct variant **variant_out,
	      char **errstr_out)
{
	const struct config *config = maker->config;
	struct variant *variant = xcalloc(1, sizeof *variant);
	const char(*marker)[64] = maker->marks.marker;
	struct letter_extras extras;
	struct render_context context;
	struct mail_input input;
	char *text = NULL, *html = NULL, *subject = NULL, *sample = NULL;
	enum letter_status status = LETTER_ERENDER;

	variant->share_key = share_key;
	variant->share_seen = share;
	for (size_t i = 0; i < share->count; i++)
		feed_item_list_push_copy(&variant->share, &share->items[i]);
	variant->language = language_of(maker, subscriber)
				? xstrdup(language_of(maker, subscriber))
				: NULL;
	variant->text_only = subscriber->format == SUBSCRIBER_FORMAT_TEXT;
	variant->provider = provider;
	variant->has_name = has_text(subscriber->name);
	variant->prompt = letter_wants_prompt(config, maker->links, subscriber);
	memset(&extras, 0, sizeof extras);
	extras.prompt = variant->prompt;
	extras.webmail_names = maker->webmail_names;
	letter_fill_context(config, subscriber, provider, maker->now, &extras,
			    &context);
	if (maker->links != NULL) {
		context.unsubscribe_url = marker[LETTER_SLOT_UNSUBSCRIBE];
		context.prefs_url = marker[LETTER_SLOT_PREFS];
		context.view_url = marker[LETTER_SLOT_VIEW];
		sample = links_url(maker->links, LINKS_UNSUBSCRIBE,
				   subscriber->email, maker->now);
	}
	context.recipient_name =
	    variant->has_name ? marker[LETTER_SLOT_NAME] : NULL;
	if (variant->has_name) {
		context.greeting_as_is = marker[LETTER_SLOT_GREETING];
		context.greeting_text_as_is = marker[LETTER_SLOT_GREETING_TEXT];
	}
	if (render_digest(maker->renderer, RENDER_TEXT, &context, share, &text,
			  errstr_out) != RENDER_OK ||
	    (!variant->text_only &&
	     render_digest(maker->renderer, RENDER_HTML, &context, share, &html,
			   errstr_out) != RENDER_OK))
		goto out;
	subject = letter_subject(config, context.language, maker->now);
	letter_fill_input(config, subscriber, provider, &context, &input);
	input.subject = subject;
	if (letter_variant_stencil(&input, letter_one_click_url(sample) != NULL,
				   text, html, &maker->marks, &variant->stencil,
				   &variant->used) < 0)
		variant->stencil = NULL;
	maker->stats.variants_rendered++;
	*variant_out = variant;
	variant = NULL;
	status = LETTER_OK;
out:
	variant_free(variant);
	free(sample);
	free(subject);
	free(html);
	free(text);
	return status;
}

/* Keeps variant in the table, putting out the one used longest ago. */
static void
variant_keep(struct letter_maker *maker, struct variant *variant)
{
	struct variant *gone;
	size_t oldest = 0;

	if (maker->variant_count == LETTER_VARIANTS_MAX) {
		for (size_t i = 1; i < maker->variant_count; i++)
			if (maker->variants[i]->last_used <
			    maker->variants[oldest]->last_used)
				oldest = i;
		gone = maker->variants[oldest];
		maker->variants[oldest] =
		    maker->variants[--maker->variant_count];
		/* A letter being filled from it frees it when done. */
		if (gone->refs == 0)
			variant_free(gone);
		else
			gone->evicted = 1;
	}
	maker->variants[maker->variant_count++] = variant;
}

/*
 * Finds or makes the subscriber's variant and takes a reference to it.
 * Call with the lock held.  Returns LETTER_OK and *variant_out, or
 * LETTER_ERENDER with *errstr_out (free()).
 */
static enum letter_status
variant_take(struct letter_maker *maker, const struct item_list *share,
	     long share_key, const struct subscriber *subscriber,
	     const struct provider *provider, struct variant **variant_out,
	     char **errstr_out)
{
	struct variant *variant = NULL;
	enum letter_status status;

	for (size_t i = 0; i < maker->variant_count && variant == NULL; i++)
		if (variant_fits(maker->variants[i], maker, share, share_key,
				 subscriber, provider))
			variant = maker->variants[i];
	if (variant == NULL) {
		status = variant_build(maker, share, share_key, subscriber,
				       provider, &variant, errstr_out);
		if (status != LETTER_OK)
			return status;
		variant_keep(maker, variant);
	}
	variant->refs++;
	variant->last_used = ++maker->clock;
	*variant_out = variant;
	return LETTER_OK;
}

/* Drops a reference from letter_make(), counting how the letter went. */
static void
variant_release(struct letter_maker *maker, struct variant *variant, int filled)
{
	pthread_mutex_lock(&maker->lock);
	if (filled)
		maker->stats.letters_filled++;
	if (--variant->refs == 0 && variant->evicted)
		variant_free(variant);
	pthread_mutex_unlock(&maker->lock);
}

/* The raw value of slot for the subscriber (free()), or NULL. */
static char *
slot_value(const struct letter_maker *maker,
	   const struct subscriber *subscriber, const struct personal *personal,
	   enum letter_slot slot)
{
	const char *language = language_of(maker, subscriber);

	switch (slot) {
	case LETTER_SLOT_NAME:
		return subscriber->name ? xstrdup(subscriber->name) : NULL;
	case LETTER_SLOT_GREETING:
		return render_greeting(language, subscriber->name, 0);
	case LETTER_SLOT_GREETING_TEXT:
		return render_greeting(language, subscriber->name, 1);
	case LETTER_SLOT_UNSUBSCRIBE:
	case LETTER_SLOT_PREFS:
	case LETTER_SLOT_VIEW: {
		const char *url =
		    personal->urls[slot - LETTER_SLOT_UNSUBSCRIBE];

		return url ? xstrdup(url) : NULL;
	}
	case LETTER_SLOT_COUNT:
		break;
	}
	return NULL;
}

/* Makes the subscriber's links and the values of the variant's holes. */
static void
personal_make(const struct letter_maker *maker, const struct variant *variant,
	      const struct subscriber *subscriber, struct personal *personal)
{
	static const char *const actions[3] = {LINKS_UNSUBSCRIBE, LINKS_PREFS,
					       LINKS_VIEW};

	memset(personal, 0, sizeof *personal);
	for (size_t i = 0; i < 3 && maker->links != NULL; i++)
		personal->urls[i] = links_url(maker->links, actions[i],
					      subscriber->email, maker->now);
	for (size_t slot = 0; slot < LETTER_SLOT_COUNT; slot++) {
		size_t raw = LETTER_HOLE(slot, 0),
		       escaped = LETTER_HOLE(slot, 1);
		char *value;

		if ((variant->used & (1UL << raw | 1UL << escaped)) == 0)
			continue;
		value = slot_value(maker, subscriber, personal, slot);
		if (value != NULL && (variant->used & 1UL << escaped))
			personal->values[escaped] =
			    render_escape(RENDER_HTML, value);
		if (variant->used & 1UL << raw)
			personal->values[raw] = value;
		else
			free(value);
	}
}

static void
personal_clear(struct personal *personal)
{
	for (size_t i = 0; i < 3; i++)
		free(personal->urls[i]);
	for (size_t i = 0; i < LETTER_HOLE_COUNT; i++)
		free(personal->values[i]);
}

/* Fills the subscriber's letter from variant; 0, or -1 if it cannot. */
static int
fill(const struct letter_maker *maker, const struct variant *variant,
     const struct subscriber *subscriber, const struct provider *provider,
     struct letter *letter_out)
{
	struct personal personal;
	struct mail_recipient recipient;
	int result = -1;

	personal_make(maker, variant, subscriber, &personal);
	memset(&recipient, 0, sizeof recipient);
	recipient.to_address = subscriber->email;
	recipient.to_name = subscriber->name;
	recipient.unsubscribe_url = letter_one_click_url(personal.urls[0]);
	recipient.values = (const char *const *)personal.values;
	if (mail_stencil_fill(variant->stencil, &recipient,
			      &letter_out->message, &letter_out->size,
			      &letter_out->message_id) == MAIL_OK) {
		letter_out->envelope_from = letter_envelope_from(
		    provider, subscriber->email, maker->digest_date);
		letter_out->provider = provider;
		letter_out->prompted = variant->prompt;
		result = 0;
	}
	personal_clear(&personal);
	return result;
}

/* Builds the letter whole, as letter_build() does (the reference). */
static enum letter_status
build_whole(struct letter_maker *maker, const struct item_list *share,
	    const struct subscriber *subscriber, struct letter *letter_out,
	    char **errstr_out)
{
	enum letter_status status;

	pthread_mutex_lock(&maker->lock);
	status =
	    letter_build(maker->config, maker->renderer, maker->links, share,
			 subscriber, maker->now, letter_out, errstr_out);
	maker->stats.letters_whole++;
	pthread_mutex_unlock(&maker->lock);
	return status;
}

enum letter_status
letter_make(struct letter_maker *maker, const struct item_list *share,
	    long share_key, const struct subscriber *subscriber,
	    struct letter *letter_out, char **errstr_out)
{
	const struct provider *provider =
	    letter_provider(maker->config, subscriber);
	struct variant *variant = NULL;
	enum letter_status status;
	int filled;

	memset(letter_out, 0, sizeof *letter_out);
	*errstr_out = NULL;
	if (provider == NULL)
		return build_whole(maker, share, subscriber, letter_out,
				   errstr_out);
	pthread_mutex_lock(&maker->lock);
	status = variant_take(maker, share, share_key, subscriber, provider,
			      &variant, errstr_out);
	pthread_mutex_unlock(&maker->lock);
	if (status != LETTER_OK)
		return status;
	filled = variant->stencil != NULL &&
		 fill(maker, variant, subscriber, provider, letter_out) == 0;
	variant_release(maker, variant, filled);
	if (filled)
		return LETTER_OK;
	return build_whole(maker, share, subscriber, letter_out, errstr_out);
}
