/*
 * 3512-render-errors: what render_open, render_digest and render_check say
 * when the templates are missing or broken, or the language is unknown: a
 * status, a message naming the template file (and line), and no partial
 * output; and that a missing partial renders as nothing unless checked.
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

/* Expects render_open to fail with a message containing each needle. */
static void
expect_open_error(const char *what, const char *directory, const char *needle1,
		  const char *needle2)
{
	struct renderer *renderer = NULL;
	char *error = NULL;
	enum render_status status;

	status = render_open(directory, &renderer, &error);
	if (status != RENDER_ETEMPLATE || renderer != NULL)
		fail(what, "render_open did not fail");
	else if (error == NULL || strstr(error, needle1) == NULL ||
		 (needle2 != NULL && strstr(error, needle2) == NULL))
		fail(what, error != NULL ? error : "no message");
	render_close(renderer);
	free(error);
}

/*
 * A missing partial renders as nothing, its standalone line and all (the
 * mustache spec), while render_check() fails on it and names the template
 * file and line.  The HTML template is a title, then the partial's line.
 */
static void
check_missing_partial(struct renderer *renderer, struct render_context *context,
		      const struct item_list *items)
{
	char *output = NULL, *error = NULL;
	enum render_status status;

	context->title = "T";
	status = render_digest(renderer, RENDER_HTML, context, items, &output,
			       &error);
	if (status != RENDER_OK || output == NULL ||
	    strcmp(output, "<p>T</p>\n") != 0)
		fail("missing partial renders empty",
		     output != NULL ? output : error);
	free(output);
	output = NULL;
	free(error);
	error = NULL;
	status = render_check(renderer, RENDER_HTML, context, items, &error);
	if (status != RENDER_ETEMPLATE)
		fail("missing partial, checked", "check did not fail");
	else if (error == NULL ||
		 strstr(error, "digest.html.mustache:2: partial "
			       "'nosuchpartial' not found") == NULL)
		fail("missing partial, checked",
		     error != NULL ? error : "no message");
	free(error);
	error = NULL;
	/* The text template has no partial: the check passes. */
	status = render_check(renderer, RENDER_TEXT, context, items, &error);
	if (status != RENDER_OK || error != NULL)
		fail("text check", error);
	free(error);
}

int
main(void)
{
	char scratch[] = "/tmp/digest-3512-XXXXXX";
	struct renderer *renderer = NULL;
	struct render_context context = sample_context("nl");
	struct item_list items = {0};
	char *output = NULL, *error = NULL, *missing;
	enum render_status status;

	if (mkdtemp(scratch) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	sample_list_fill(&items, sample_items, 2);

	/* No such directory: the message names the file it wanted. */
	missing = xasprintf("%s/nonexistent", scratch);
	expect_open_error("missing directory", missing,
			  "nonexistent/digest.txt.mustache", NULL);
	free(missing);

	/* An unclosed section on line 3 of the HTML template. */
	write_template(scratch, "digest.txt.mustache", "{{title}}\n");
	write_template(scratch, "digest.html.mustache",
		       "<p>{{title}}</p>\n<ul>\n{{#items}}<li>{{title}}</li>\n"
		       "</ul>\n");
	expect_open_error("unclosed section", scratch, "digest.html.mustache",
			  ":3");

	/*
	 * A tag that spans lines: the message stays one line.  Regression:
	 * its raw newline split the operator's log line in two.
	 */
	write_template(scratch, "digest.html.mustache",
		       "<p>{{title}}</p>\n{{#it\nems}}x{{/items}}\n");
	if (render_open(scratch, &renderer, &error) == RENDER_OK)
		fail("tag over two lines", "render_open did not fail");
	else if (error == NULL || strchr(error, '\n') != NULL ||
		 strchr(error, '\r') != NULL)
		fail("tag over two lines: one line", error);
	render_close(renderer);
	renderer = NULL;
	free(error);
	error = NULL;

	/* A missing partial fails neither the open nor the render, only a
	 * strict check. */
	write_template(scratch, "digest.html.mustache",
		       "<p>{{title}}</p>\n{{> nosuchpartial}}\n");
	if (render_open(scratch, &renderer, &error) != RENDER_OK) {
		fail("open with partial", error);
	} else {
		check_missing_partial(renderer, &context, &items);

		/* Text still renders: plain, unescaped. */
		context.title = "A & B <c>";
		status = render_digest(renderer, RENDER_TEXT, &context, &items,
				       &output, &error);
		if (status != RENDER_OK || output == NULL ||
		    strcmp(output, "A & B <c>\n") != 0)
			fail("text render", output != NULL ? output : error);
		free(output);
		output = NULL;
		free(error);
		error = NULL;

		/* Unknown language. */
		context.language = "de";
		status = render_digest(renderer, RENDER_TEXT, &context, &items,
				       &output, &error);
		if (status != RENDER_ELANGUAGE || output != NULL ||
		    error == NULL || strstr(error, "\"de\"") == NULL)
			fail("unknown language", error);
		free(output);
		free(error);
		error = NULL;
		render_close(renderer);
	}

	remove_template(scratch, "digest.txt.mustache");
	remove_template(scratch, "digest.html.mustache");
	if (rmdir(scratch) < 0)
		perror(scratch);
	sample_list_free(&items);
	if (failures > 0) {
		fprintf(stderr, "%d failure(s)\n", failures);
		return 1;
	}
	return 0;
}
