/*
 * 3514-render-lists: bullet lists in a summary.  The feed reader turns an
 * HTML <li> into a line that starts with "- " (digest/feed_html.c); a feed
 * may also write "• " lines as text.  Each run of such lines is one real
 * list in the HTML part (<ul> with an <li> per line, marks dropped), blank
 * lines between bullets included, while other lines stay paragraphs; in
 * the text part the lines keep their marks and hang under their text when
 * they wrap.  A dash that is not a bullet ("-5 graden", "A - B") stays
 * text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "3500-render-sample.h"

static int failures;

static void
expect(const char *what, int condition, const char *document)
{
	if (condition)
		return;
	fprintf(stderr, "FAIL %s\n--- document:\n%s\n", what, document);
	failures++;
}

static size_t
count(const char *haystack, const char *needle)
{
	size_t found = 0;

	for (const char *p = strstr(haystack, needle); p != NULL;
	     p = strstr(p + 1, needle))
		found++;
	return found;
}

static const struct sample_item list_item = {
    "NOS",
    "Wat er verandert",
    "https://nos.example.nl/lijst",
    60,
    NULL,
    "De regels in het kort:\n"
    "- geen plastic tassen meer\n"
    "\n"
    "\xE2\x80\xA2 verpakkingen moeten vanaf 2028 herbruikbaar zijn, en "
    "supermarkten nemen ze terug bij elke kassa in het land\n"
    "Daarna: -5 graden in Oslo, Parijs - Berlijn per trein.\n"
    "- een tweede lijst van een regel"};

int
main(void)
{
	struct renderer *renderer = NULL;
	struct item_list items = {0};
	struct render_context context = sample_context("nl");
	char *directory = sample_template_dir(), *error = NULL;
	char *html = NULL, *text = NULL;

	sample_list_fill(&items, &list_item, 1);
	if (render_open(directory, &renderer, &error) != RENDER_OK ||
	    render_digest(renderer, RENDER_HTML, &context, &items, &html,
			  &error) != RENDER_OK ||
	    render_digest(renderer, RENDER_TEXT, &context, &items, &text,
			  &error) != RENDER_OK) {
		fprintf(stderr, "FAIL render: %s\n", error ? error : "?");
		return 1;
	}
	expect("two lists", count(html, "<ul ") == 2, html);
	expect("three items", count(html, "<li ") == 3, html);
	expect("marks dropped",
	       strstr(html, ">geen plastic tassen meer</li>") != NULL &&
		   strstr(html, ">verpakkingen moeten vanaf 2028") != NULL,
	       html);
	expect("no mark left in the HTML",
	       strstr(html, ">- ") == NULL &&
		   strstr(html, ">\xE2\x80\xA2 ") == NULL,
	       html);
	expect("other lines stay paragraphs",
	       strstr(html, ">De regels in het kort:</p>") != NULL &&
		   strstr(html, ">Daarna: -5 graden in Oslo, Parijs - Berlijn "
				"per trein.</p>") != NULL,
	       html);
	expect("text keeps the marks",
	       strstr(text, "\n    - geen plastic tassen meer\n") != NULL,
	       text);
	expect("a wrapped bullet hangs under its text",
	       strstr(text, "\n    \xE2\x80\xA2 verpakkingen moeten vanaf "
			    "2028 herbruikbaar zijn, en supermarkten\n"
			    "      nemen ze terug") != NULL,
	       text);
	expect("the blank line between the bullets stays",
	       strstr(text, "meer\n\n    \xE2\x80\xA2") != NULL, text);
	free(html);
	free(text);
	sample_list_free(&items);
	render_close(renderer);
	free(directory);
	return failures > 0 ? 1 : 0;
}
