/*
 * 3513-render-cache: one renderer used for many renders must give exactly
 * what a fresh renderer gives, whatever changed in between: the items
 * (also a list refilled in place, at the same address and with the same
 * count, which a cache keyed on the list's address got wrong), the
 * language, the clock or the zone; and after a render that failed midway,
 * with the cached items lent to the data tree.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "3500-render-sample.h"

static int failures;

static void
fail(const char *what, const char *detail)
{
	fprintf(stderr, "FAIL %s: %s\n", what, detail != NULL ? detail : "");
	failures++;
}

/* Renders with a renderer of its own: the reference, free of any cache. */
static char *
render_fresh(const char *directory, enum render_format format,
	     const struct render_context *context,
	     const struct item_list *items)
{
	struct renderer *renderer = NULL;
	char *output = NULL, *error = NULL;

	if (render_open(directory, &renderer, &error) != RENDER_OK ||
	    render_digest(renderer, format, context, items, &output, &error) !=
		RENDER_OK) {
		fprintf(stderr, "fresh render: %s\n", error ? error : "?");
		exit(2);
	}
	render_close(renderer);
	return output;
}

/* Renders with the shared renderer and compares with a fresh one. */
static char *
expect_same(const char *what, struct renderer *renderer, const char *directory,
	    enum render_format format, const struct render_context *context,
	    const struct item_list *items)
{
	char *want = render_fresh(directory, format, context, items);
	char *got = NULL, *error = NULL;

	if (render_digest(renderer, format, context, items, &got, &error) !=
	    RENDER_OK)
		fail(what, error);
	else if (strcmp(got, want) != 0)
		fail(what, "differs from a fresh renderer's output");
	free(error);
	free(want);
	return got;
}

static void
expect_contains(const char *what, const char *output, const char *needle)
{
	if (output == NULL || strstr(output, needle) == NULL)
		fail(what, needle);
}

/* The shipped templates: items, languages, clocks and zones. */
static void
check_shipped(void)
{
	char *directory = sample_template_dir();
	struct renderer *renderer = NULL;
	struct render_context context = sample_context("nl");
	struct item_list items = {0};
	char *error = NULL, *first, *output;

	if (render_open(directory, &renderer, &error) != RENDER_OK) {
		fprintf(stderr, "render_open: %s\n", error);
		exit(2);
	}
	sample_list_fill(&items, sample_items, 1);
	first = expect_same("first list", renderer, directory, RENDER_TEXT,
			    &context, &items);
	expect_contains("first list", first, "València");

	/* The same struct, refilled with other items of the same count. */
	sample_list_free(&items);
	sample_list_fill(&items, sample_items + 1, 1);
	output = expect_same("refilled list", renderer, directory, RENDER_TEXT,
			     &context, &items);
	expect_contains("refilled list", output, "Bogotá");
	if (output != NULL && strstr(output, "València") != NULL)
		fail("refilled list", "still shows the first list's item");
	free(output);

	/* One field changed in place. */
	free(items.items[0].title);
	items.items[0].title = xstrdup("Een andere kop");
	output = expect_same("title changed", renderer, directory, RENDER_HTML,
			     &context, &items);
	expect_contains("title changed", output, "Een andere kop");
	free(output);
	items.items[0].has_published = 0;
	output = expect_same("date dropped", renderer, directory, RENDER_TEXT,
			     &context, &items);
	free(output);

	/* Languages back and forth, both formats. */
	sample_list_free(&items);
	sample_list_fill(&items, sample_items, SAMPLE_ITEM_COUNT);
	for (int round = 0; round < 2; round++) {
		context = sample_context("nl");
		output = expect_same("nl", renderer, directory, RENDER_HTML,
				     &context, &items);
		expect_contains("nl", output, "11 minuten geleden");
		free(output);
		context = sample_context("en");
		output = expect_same("en", renderer, directory, RENDER_TEXT,
				     &context, &items);
		expect_contains("en", output, "11 minutes ago");
		free(output);
	}

	/* A later clock, then another zone. */
	context = sample_context("nl");
	context.now = SAMPLE_NOW + 2 * 3600;
	output = expect_same("clock", renderer, directory, RENDER_TEXT,
			     &context, &items);
	expect_contains("clock", output, "2 uur geleden");
	free(output);
	context.timezone = "America/Bogota";
	output = expect_same("zone", renderer, directory, RENDER_TEXT, &context,
			     &items);
	free(output);

	/* No items at all, then the items again. */
	context = sample_context("nl");
	output = expect_same("no items", renderer, directory, RENDER_TEXT,
			     &context, NULL);
	free(output);
	output = expect_same("items again", renderer, directory, RENDER_TEXT,
			     &context, &items);
	if (output != NULL && first != NULL && strcmp(output, first) == 0)
		fail("items again", "shows the one-item digest");
	free(output);

	free(first);
	render_close(renderer);
	sample_list_free(&items);
	free(directory);
}

/*
 * A render that fails inside the items section (a broken partial) while
 * the cached items are lent to it; the renderer must hand them back and
 * go on working.  Also a summary of blanks and one long word, which the
 * summary cut used to reduce to a lone ellipsis.
 */
static void
check_failure_midway(void)
{
	char scratch[] = "/tmp/digest-3513-XXXXXX";
	struct renderer *renderer = NULL;
	struct render_context context = sample_context("nl");
	struct item_list items = {0};
	struct buf long_word = BUF_INIT;
	char *output = NULL, *error = NULL;

	if (mkdtemp(scratch) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	write_template(scratch, "digest.txt.mustache",
		       "{{#items}}{{> line}}{{/items}}");
	write_template(scratch, "line.mustache", "{{index}}:{{summary}}|\n");
	write_template(scratch, "digest.html.mustache",
		       "{{#items}}<p>{{title}}</p>{{> gone}}{{/items}}");
	/* A partial that does not parse fails every render; a missing one
	 * would render as nothing. */
	write_template(scratch, "gone.mustache", "{{#unclosed}}");
	sample_list_fill(&items, sample_items, 3);
	if (render_open(scratch, &renderer, &error) != RENDER_OK) {
		fprintf(stderr, "render_open: %s\n", error);
		exit(2);
	}
	for (int round = 0; round < 3; round++) {
		free(expect_same("before failure", renderer, scratch,
				 RENDER_TEXT, &context, &items));
		if (render_digest(renderer, RENDER_HTML, &context, &items,
				  &output, &error) != RENDER_ETEMPLATE ||
		    output != NULL)
			fail("failure midway", "render did not fail");
		else if (error == NULL || strstr(error, "gone") == NULL)
			fail("failure midway", error);
		free(error);
		error = NULL;
		free(output);
		output = NULL;
		free(expect_same("after failure", renderer, scratch,
				 RENDER_TEXT, &context, &items));
	}

	buf_puts(&long_word, "   ");
	for (int i = 0; i < 600; i++)
		buf_putc(&long_word, 'x');
	free(items.items[1].summary);
	items.items[1].summary = buf_detach(&long_word);
	output = expect_same("long word summary", renderer, scratch,
			     RENDER_TEXT, &context, &items);
	expect_contains("long word summary", output,
			"xxxxxxxxxx \xE2\x80\xA6|");
	free(output);

	render_close(renderer);
	sample_list_free(&items);
	remove_template(scratch, "digest.txt.mustache");
	remove_template(scratch, "digest.html.mustache");
	remove_template(scratch, "line.mustache");
	remove_template(scratch, "gone.mustache");
	if (rmdir(scratch) < 0)
		perror(scratch);
}

int
main(void)
{
	check_shipped();
	check_failure_midway();
	if (failures > 0) {
		fprintf(stderr, "%d failure(s)\n", failures);
		return 1;
	}
	return 0;
}
