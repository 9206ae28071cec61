/*
 * 3500-render-sample.h - a fixed set of made-up foreign-news items and
 * render contexts shared by the 35xx render drivers.  Every story here is
 * invented for the tests.
 */
#ifndef DIGEST_TEST_RENDER_SAMPLE_H
#define DIGEST_TEST_RENDER_SAMPLE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feed.h"
#include "render.h"
#include "datetime.h"
#include "util.h"

/* Sunday 29 November 2026, 08:00 in Amsterdam. */
#define SAMPLE_NOW ((time_t)1795935600)

struct sample_item {
	const char *source;
	const char *title;
	const char *link;
	long seconds_ago;      /* -1: the item has no date */
	const char *published; /* RFC 3339; overrides seconds_ago */
	const char *summary;
};

static const struct sample_item sample_items[] = {
    {"NOS",
     "Overstromingen rond València: hulpdiensten zoeken nog naar "
     "vermisten",
     "https://nos.example.nl/artikel/2518841-overstromingen-valencia", 11 * 60,
     NULL,
     "In de regio rond València zoeken reddingswerkers voor de derde dag "
     "naar vermiste inwoners. Het water in de dorpen ten zuiden van de "
     "stad is gezakt, maar veel wegen zijn nog onbegaanbaar. De Spaanse "
     "regering heeft het leger ingezet om drinkwater en voedsel te "
     "brengen."},
    {"NU.nl",
     "Kiezers in Bogotá straffen regeringscoalitie af bij "
     "lokale verkiezingen",
     "https://www.nu.example.nl/buitenland/6330171/kiezers-bogota.html",
     3 * 3600, NULL, NULL},
    {"Trouw",
     "Handelsakkoord EU & Mercosur: boeren \"<ontevreden>\" over "
     "quota",
     "https://trouw.example.nl/buitenland/handelsakkoord?id=77&ref=rss", 0,
     "2026-11-28T18:30:00Z",
     "Boeren in Frankrijk & België protesteren tegen het akkoord: de "
     "invoerquota voor rundvlees gaan omhoog van 99.000 naar >150.000 "
     "ton. \"Dit is <oneerlijk>\", zegt een woordvoerder van de "
     "Belgische boerenbond."},
    {"de Volkskrant",
     "Zwitsers stemmen in met strengere regels voor "
     "banken in Zürich en Genève",
     "javascript:alert('geen link')", 3 * 86400, NULL,
     "Een ruime meerderheid van de Zwitsers stemde zondag voor een "
     "hogere kapitaalbuffer voor grootbanken.\n\nDe regering in Bern "
     "verwacht dat de nieuwe regels in 2028 ingaan; de banken noemen "
     "dat te vroeg.\n\n- meer eigen vermogen\n\xE2\x80\xA2 een "
     "noodplan voor elke grootbank, dat de toezichthouder elk jaar "
     "beoordeelt"},
    {"Reuters (vertaald)", "Ñandú-reservaat in Patagonië fors uitgebreid",
     "https://reuters.example.com/world/americas/nandu-reservaat", -1, NULL,
     "Argentinië verdubbelt het beschermde leefgebied van de nandoe, "
     "een loopvogel die door de uitbreiding van landbouwgrond "
     "steeds verder werd teruggedrongen."},
    {"NOS", "Terugblik: twee jaar na de aardbeving in Türkiye",
     "https://nos.example.nl/collectie/13871/artikel/2490001-terugblik-"
     "twee-jaar-na-de-aardbeving-in-turkije-wederopbouw-gaat-langzaam",
     0, "2025-11-12T10:00:00Z",
     "De wederopbouw in het zuidoosten gaat langzamer dan beloofd."},
};

#define SAMPLE_ITEM_COUNT (sizeof sample_items / sizeof sample_items[0])

/* Fills list with the sample items; free with sample_list_free(). */
static inline void
sample_list_fill(struct item_list *list, const struct sample_item *samples,
		 size_t count)
{
	list->items = xcalloc(count > 0 ? count : 1, sizeof *list->items);
	list->count = count;
	list->capacity = count;
	for (size_t i = 0; i < count; i++) {
		struct item *item = &list->items[i];
		const struct sample_item *sample = &samples[i];

		item->source = xstrdup(sample->source);
		item->title = xstrdup(sample->title);
		item->link = sample->link ? xstrdup(sample->link) : NULL;
		item->id = xasprintf("sample-%zu", i);
		item->summary =
		    sample->summary ? xstrdup(sample->summary) : NULL;
		if (sample->published != NULL) {
			if (datetime_parse_rfc3339(sample->published,
						   DATETIME_STRICT,
						   &item->published_at) < 0)
				abort();
			item->has_published = 1;
		} else if (sample->seconds_ago >= 0) {
			item->published_at = SAMPLE_NOW - sample->seconds_ago;
			item->has_published = 1;
		}
	}
}

static inline void
sample_list_free(struct item_list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		struct item *item = &list->items[i];

		free(item->source);
		free(item->title);
		free(item->link);
		free(item->id);
		free(item->summary);
	}
	free(list->items);
	list->items = NULL;
	list->count = list->capacity = 0;
}

/* The webmails a reader may choose from, for the prompt. */
static const char *const sample_webmails[] = {"ZeelandNet webmail",
					      "DELTA webmail", NULL};

/*
 * A full context: a named recipient, both ways to unsubscribe, the other
 * signed links, the provider's footer line and the "Kies je webmail"
 * prompt.
 */
static inline struct render_context
sample_context(const char *language)
{
	struct render_context context = {0};
	int dutch = strcmp(language, "nl") == 0;

	context.title = dutch ? "Buitenland \xE2\x80\x94 dagelijks overzicht"
			      : "Foreign news \xE2\x80\x94 daily digest";
	context.language = language;
	context.timezone = "Europe/Amsterdam";
	context.now = SAMPLE_NOW;
	context.provider_name = "ZeelandNet webmail";
	context.recipient_name = "Anneke de Vries";
	context.unsubscribe_url =
	    "https://digest.example.nl/afmelden?id=8f3a&token=c0ffee";
	context.unsubscribe_mailto = "afmelden@digest.example.nl";
	context.prefs_url =
	    "https://digest.example.nl/prefs?t=1.YQ.prefs.1.c0ffee";
	context.view_url =
	    "https://digest.example.nl/view?t=1.YQ.view.1.c0ffee";
	context.footer =
	    "Digest B.V. \xC2\xB7 Postbus 1 \xC2\xB7 4330 AA Middelburg";
	context.prompt = 1;
	context.webmail_names = sample_webmails;
	return context;
}

/* The templates shipped in the source tree, from the test data dir. */
static inline char *
sample_template_dir(void)
{
	const char *data = getenv("DIGEST_TEST_DATA");

	return xasprintf("%s/../../templates", data != NULL ? data : "data");
}

/* Writes a template file into a scratch template directory; exits 2 if
 * it cannot, since nothing after it would mean anything. */
static inline void
write_template(const char *directory, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", directory, name);

	if (util_write_file_atomic(path, text, strlen(text)) < 0) {
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
		exit(2);
	}
	free(path);
}

static inline void
remove_template(const char *directory, const char *name)
{
	char *path = xasprintf("%s/%s", directory, name);

	unlink(path);
	free(path);
}

#endif
