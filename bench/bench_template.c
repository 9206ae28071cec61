/*
 * bench_template - renders a digest-sized HTML template (20 items, one
 * partial per item) 100,000 times and prints renders per second.  Not a
 * test: it prints figures for a person to read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "template.h"
#include "util.h"
#include "value.h"

#define RENDERS 100000
#define ITEMS 20

static const char page[] =
    "<html><body>\n<h1>{{title}}</h1>\n{{#items}}\n  {{>item}}\n"
    "{{/items}}\n{{^items}}\n<p>Geen nieuws.</p>\n{{/items}}\n"
    "<p>{{footer}}</p>\n</body></html>\n";
static const char item[] =
    "<article>\n  <h2><a href=\"{{link}}\">{{headline}}</a></h2>\n"
    "  {{#summary}}\n  <p>{{summary}}</p>\n  {{/summary}}\n"
    "  <small>{{source.name}} {{published}}</small>\n</article>\n";

static int
item_partial(void *context, const char *name, char **text_out,
	     char **origin_out)
{
	(void)context;
	if (strcmp(name, "item") != 0)
		return -1;
	*text_out = xstrdup(item);
	*origin_out = xstrdup("item.mustache");
	return 0;
}

static double
seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int
main(void)
{
	struct value *data = value_new_map();
	struct value *items = value_new_list();
	struct value *source = value_new_map();
	struct template *template = NULL;
	struct buf out = BUF_INIT;
	struct timespec start;
	char *errstr = NULL;
	size_t bytes = 0;
	double elapsed;
	int index;

	value_map_set_string(source, "name", "ANP & Reuters");
	value_map_set(data, "source", source);
	value_map_set_string(data, "title", "Buitenland – vandaag");
	value_map_set_string(data, "footer", "Afmelden? Antwoord \"stop\".");
	for (index = 0; index < ITEMS; index++) {
		struct value *entry = value_new_map();
		char *text = xasprintf("Kop %d: \"vrede\" & <oorlog>", index);

		value_map_set_string(entry, "headline", text);
		free(text);
		text = xasprintf("https://example.org/n/%d?a=1&b=2", index);
		value_map_set_string(entry, "link", text);
		free(text);
		value_map_set_string(entry, "summary",
				     "Een samenvatting van twee zinnen. "
				     "Met een 'citaat' erin.");
		value_map_set_string(entry, "published", "2026-11-29 07:00");
		value_list_append(items, entry);
	}
	value_map_set(data, "items", items);
	if (template_parse(page, strlen(page), "page.mustache", &template,
			   &errstr) != TEMPLATE_OK) {
		fprintf(stderr, "bench_template: %s\n", errstr);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (index = 0; index < RENDERS; index++) {
		buf_reset(&out);
		if (template_render(template, data, TEMPLATE_ESCAPE_HTML,
				    TEMPLATE_MISSING_EMPTY, item_partial, NULL,
				    &out, &errstr) != TEMPLATE_OK) {
			fprintf(stderr, "bench_template: %s\n", errstr);
			return 1;
		}
		bytes += out.length;
	}
	elapsed = seconds_since(&start);
	printf("template: %d renders of %zu bytes (%d items, 1 partial) in "
	       "%.2f s: %.0f renders/s, %.1f MB/s\n",
	       RENDERS, out.length, ITEMS, elapsed, RENDERS / elapsed,
	       (double)bytes / elapsed / 1e6);
	buf_free(&out);
	template_free(template);
	value_free(data);
	return 0;
}
