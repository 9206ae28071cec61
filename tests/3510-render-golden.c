/*
 * 3510-render-golden: renders the shipped templates for the fixed sample
 * items (text and HTML, Dutch and English, full and empty) and compares
 * each document byte for byte with tests/data/render/NAME.golden.
 *
 * After a deliberate change to the templates or render.c, run with
 * DIGEST_UPDATE_GOLDEN=1 to rewrite the golden files, then read the diff.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "3500-render-sample.h"

static int failures;

/* Reports where two documents first differ, by line. */
static void
report_difference(const char *name, const char *got, const char *want)
{
	size_t line = 1, i = 0;

	while (got[i] != '\0' && got[i] == want[i]) {
		if (got[i] == '\n')
			line++;
		i++;
	}
	fprintf(stderr, "FAIL %s: differs from the golden file at line %zu\n",
		name, line);
}

static void
check(struct renderer *renderer, const char *name, enum render_format format,
      const struct render_context *context, const struct item_list *items)
{
	const char *data = getenv("DIGEST_TEST_DATA");
	const char *update = getenv("DIGEST_UPDATE_GOLDEN");
	char *output = NULL, *error = NULL, *path = NULL, *golden = NULL;
	size_t size;

	path = xasprintf("%s/render/%s.golden", data != NULL ? data : "data",
			 name);
	if (render_digest(renderer, format, context, items, &output, &error) !=
	    RENDER_OK) {
		fprintf(stderr, "FAIL %s: %s\n", name, error);
		failures++;
		goto out;
	}
	if (update != NULL && strcmp(update, "1") == 0) {
		if (util_write_file_atomic(path, output, strlen(output)) < 0) {
			fprintf(stderr, "FAIL %s: %s\n", path, strerror(errno));
			failures++;
		} else {
			fprintf(stderr, "wrote %s\n", path);
		}
		goto out;
	}
	if (util_read_file(path, 1024 * 1024, &golden, &size) < 0) {
		fprintf(stderr,
			"FAIL %s: %s (DIGEST_UPDATE_GOLDEN=1 writes "
			"it)\n",
			path, strerror(errno));
		failures++;
		goto out;
	}
	if (size != strlen(output) || memcmp(golden, output, size) != 0) {
		report_difference(name, output, golden);
		failures++;
	}
out:
	free(output);
	free(error);
	free(path);
	free(golden);
}

int
main(void)
{
	struct renderer *renderer = NULL;
	struct item_list items = {0}, none = {0};
	struct render_context context;
	char *directory = sample_template_dir(), *error = NULL;

	if (!datetime_zone_exists("Europe/Amsterdam")) {
		fprintf(stderr, "SKIP: no zoneinfo for Europe/Amsterdam\n");
		free(directory);
		return 77;
	}
	if (render_open(directory, &renderer, &error) != RENDER_OK) {
		fprintf(stderr, "FAIL render_open: %s\n", error);
		free(error);
		free(directory);
		return 1;
	}
	sample_list_fill(&items, sample_items, SAMPLE_ITEM_COUNT);

	context = sample_context("nl");
	check(renderer, "digest-nl.txt", RENDER_TEXT, &context, &items);
	check(renderer, "digest-nl.html", RENDER_HTML, &context, &items);
	context = sample_context("en");
	check(renderer, "digest-en.txt", RENDER_TEXT, &context, &items);
	check(renderer, "digest-en.html", RENDER_HTML, &context, &items);

	/*
	 * Nothing new, no name, no provider, no links (no [web]), only a
	 * mailto to leave by.
	 */
	context = sample_context("nl");
	context.recipient_name = NULL;
	context.provider_name = NULL;
	context.unsubscribe_url = NULL;
	context.prefs_url = NULL;
	context.view_url = NULL;
	context.footer = NULL;
	context.prompt = 0;
	check(renderer, "empty-nl.txt", RENDER_TEXT, &context, &none);
	check(renderer, "empty-nl.html", RENDER_HTML, &context, &none);
	/* The links without a mailto, and no prompt (a reader who chose). */
	context = sample_context("en");
	context.recipient_name = NULL;
	context.unsubscribe_mailto = NULL;
	context.prompt = 0;
	check(renderer, "empty-en.txt", RENDER_TEXT, &context, &none);
	check(renderer, "empty-en.html", RENDER_HTML, &context, &none);

	sample_list_free(&items);
	render_close(renderer);
	free(directory);
	if (failures > 0) {
		fprintf(stderr, "%d failure(s)\n", failures);
		return 1;
	}
	return 0;
}
