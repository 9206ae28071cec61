/*
 * 3002-template-api - value.c and the template API from C: building and
 * freeing trees, map order and replacement, partial callbacks and their
 * cache, missing partials (empty, or an error when strict), errors and
 * their statuses, and output appended to a buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "util.h"
#include "value.h"

static int failures;

#define CHECK(condition)                                                       \
	do {                                                                   \
		if (!(condition)) {                                            \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #condition);                         \
			failures++;                                            \
		}                                                              \
	} while (0)

static void
test_value(void)
{
	struct value *map = value_new_map();
	struct value *list = value_new_list();
	const struct value *found;
	static const char bytes[] = {'a', '\0', 'b'};
	size_t index;

	value_map_set_string(map, "b", "first");
	value_map_set_bool(map, "a", 1);
	value_map_set_string(map, "b", "second");
	value_map_set(map, "n", value_new_null());
	value_map_set(map, "z", value_new_string_len(bytes, sizeof bytes));
	for (index = 0; index < 100; index++) {
		char *text = xasprintf("%zu", index);

		value_list_append(list, value_new_string(text));
		free(text);
	}
	value_map_set(map, "list", list);

	CHECK(value_kind(map) == VALUE_MAP);
	CHECK(value_map_count(map) == 5);
	CHECK(strcmp(value_map_key_at(map, 0), "b") == 0);
	CHECK(strcmp(value_map_key_at(map, 1), "a") == 0);
	CHECK(strcmp(value_map_key_at(map, 4), "list") == 0);
	CHECK(value_map_key_at(map, 5) == NULL);
	CHECK(strcmp(value_string(value_map_get(map, "b")), "second") == 0);
	CHECK(value_bool(value_map_get(map, "a")) == 1);
	CHECK(value_kind(value_map_get(map, "n")) == VALUE_NULL);
	CHECK(value_map_get(map, "missing") == NULL);
	found = value_map_get(map, "z");
	CHECK(value_string_length(found) == 3);
	CHECK(memcmp(value_string(found), bytes, 3) == 0);
	found = value_map_get(map, "list");
	CHECK(value_list_count(found) == 100);
	CHECK(strcmp(value_string(value_list_get(found, 99)), "99") == 0);
	CHECK(value_list_get(found, 100) == NULL);
	/* Wrong kinds answer empty rather than crash. */
	CHECK(value_list_count(map) == 0);
	CHECK(value_string(map) == NULL);
	CHECK(value_map_get(found, "x") == NULL);
	CHECK(value_kind(NULL) == VALUE_NULL);
	value_free(map);
	value_free(NULL);
}

struct partial_source {
	int calls;
};

static int
fixed_partials(void *context, const char *name, char **text_out,
	       char **origin_out)
{
	struct partial_source *source = context;

	source->calls++;
	if (strcmp(name, "row") == 0)
		*text_out = xstrdup("<{{.}}>");
	else if (strcmp(name, "broken") == 0)
		*text_out = xstrdup("ok\n{{#open}}\n");
	else
		return -1;
	*origin_out = xasprintf("%s.mustache", name);
	return 0;
}

/* Parses and renders; returns the output (free()) or NULL on error. */
static char *
render(const char *text, const struct value *data, enum template_escape escape,
       enum template_missing missing, struct partial_source *source,
       enum template_status *status_out, char **errstr_out)
{
	struct template *template = NULL;
	struct buf out = BUF_INIT;
	enum template_status status;

	*errstr_out = NULL;
	status = template_parse(text, strlen(text), "api.mustache", &template,
				errstr_out);
	if (status == TEMPLATE_OK) {
		buf_puts(&out, "pre:");
		status = template_render(template, data, escape, missing,
					 source ? fixed_partials : NULL, source,
					 &out, errstr_out);
	} else {
		CHECK(template == NULL);
	}
	template_free(template);
	*status_out = status;
	if (status != TEMPLATE_OK) {
		buf_free(&out);
		return NULL;
	}
	return buf_detach(&out);
}

static void
expect(const char *text, const struct value *data, enum template_escape escape,
       const char *want)
{
	struct partial_source source = {0};
	enum template_status status;
	char *errstr;
	char *got = render(text, data, escape, TEMPLATE_MISSING_EMPTY, &source,
			   &status, &errstr);

	CHECK(status == TEMPLATE_OK);
	if (got == NULL || strcmp(got, want) != 0) {
		fprintf(stderr, "template %s: got '%s' (%s), want '%s'\n", text,
			got ? got : "", errstr ? errstr : "", want);
		failures++;
	}
	free(got);
	free(errstr);
}

static void
expect_error(const char *text, enum template_missing missing,
	     enum template_status want_status, const char *want_message)
{
	struct partial_source source = {0};
	enum template_status status;
	char *errstr;
	char *got = render(text, NULL, TEMPLATE_ESCAPE_HTML, missing, &source,
			   &status, &errstr);

	CHECK(got == NULL);
	CHECK(status == want_status);
	if (errstr == NULL || strstr(errstr, want_message) == NULL) {
		fprintf(stderr, "template %s: error '%s', want '%s'\n", text,
			errstr ? errstr : "(none)", want_message);
		failures++;
	}
	free(got);
	free(errstr);
}

static void
test_render(void)
{
	struct value *data = value_new_map();
	struct value *rows = value_new_list();
	struct partial_source source = {0};
	enum template_status status;
	char *errstr;
	char *got;

	value_list_append(rows, value_new_string("a<"));
	value_list_append(rows, value_new_string("b"));
	value_map_set(data, "rows", rows);
	value_map_set_string(data, "q", "\"x\" & 'y'");

	expect("{{q}}", data, TEMPLATE_ESCAPE_HTML,
	       "pre:&quot;x&quot; &amp; &#39;y&#39;");
	expect("{{q}}", data, TEMPLATE_ESCAPE_NONE, "pre:\"x\" & 'y'");
	expect("{{#rows}}{{>row}}{{/rows}}", data, TEMPLATE_ESCAPE_HTML,
	       "pre:<a&lt;><b>");
	expect("", data, TEMPLATE_ESCAPE_HTML, "pre:");

	/* A partial is fetched once per render, however often it is used. */
	got = render("{{>row}}{{#rows}}{{>row}}{{/rows}}{{>row}}", data,
		     TEMPLATE_ESCAPE_NONE, TEMPLATE_MISSING_EMPTY, &source,
		     &status, &errstr);
	CHECK(status == TEMPLATE_OK);
	CHECK(got != NULL && strcmp(got, "pre:<><a<><b><>") == 0);
	CHECK(source.calls == 1);
	free(got);
	free(errstr);

	/* A missing partial renders as nothing, as the spec says; a
	 * standalone one takes its line with it.  It too is asked for once. */
	expect("[{{>nope}}]", data, TEMPLATE_ESCAPE_HTML, "pre:[]");
	expect("x\n{{>nope}}", data, TEMPLATE_ESCAPE_HTML, "pre:x\n");
	expect("a\n  {{>nope}}\nb", data, TEMPLATE_ESCAPE_HTML, "pre:a\nb");
	source.calls = 0;
	got = render("{{>nope}}{{#rows}}{{>nope}}{{/rows}}", data,
		     TEMPLATE_ESCAPE_NONE, TEMPLATE_MISSING_EMPTY, &source,
		     &status, &errstr);
	CHECK(status == TEMPLATE_OK);
	CHECK(got != NULL && strcmp(got, "pre:") == 0);
	CHECK(source.calls == 1);
	free(got);
	free(errstr);

	/* Strict, it is an error that names the file and line of its tag. */
	expect_error("x\n{{>nope}}", TEMPLATE_MISSING_ERROR, TEMPLATE_EPARTIAL,
		     "api.mustache:2: partial 'nope' not found");
	/* A partial that exists but does not parse fails either way, and
	 * so do syntax errors. */
	for (int strict = 0; strict <= 1; strict++) {
		enum template_missing missing =
		    strict ? TEMPLATE_MISSING_ERROR : TEMPLATE_MISSING_EMPTY;

		expect_error("{{>broken}}", missing, TEMPLATE_EPARTIAL,
			     "broken.mustache:2: unclosed section 'open'");
		expect_error("a\n{{#s}}\n", missing, TEMPLATE_ESYNTAX,
			     "api.mustache:2: unclosed section 's'");
		expect_error(
		    "{{#s}}{{/t}}", missing, TEMPLATE_ESYNTAX,
		    "api.mustache:1: mismatched close 't', expected 's'");
	}

	/* Without a partial callback no partial exists: each renders as
	 * nothing, or is an error when strict. */
	got = render("[{{>row}}]", data, TEMPLATE_ESCAPE_NONE,
		     TEMPLATE_MISSING_EMPTY, NULL, &status, &errstr);
	CHECK(status == TEMPLATE_OK && got != NULL &&
	      strcmp(got, "pre:[]") == 0);
	free(got);
	free(errstr);
	got = render("{{>row}}", data, TEMPLATE_ESCAPE_NONE,
		     TEMPLATE_MISSING_ERROR, NULL, &status, &errstr);
	CHECK(got == NULL && status == TEMPLATE_EPARTIAL);
	CHECK(errstr != NULL && strstr(errstr, "'row' not found") != NULL);
	free(errstr);
	value_free(data);
}

/* Nesting deeper than the engine allows fails cleanly, not by overflow. */
static void
test_depth(void)
{
	struct value *data = value_new_map();
	struct buf text = BUF_INIT;
	struct template *template = NULL;
	struct buf out = BUF_INIT;
	char *errstr = NULL;
	int index;

	value_map_set_bool(data, "a", 1);
	for (index = 0; index < 5000; index++)
		buf_puts(&text, "{{#a}}");
	for (index = 0; index < 5000; index++)
		buf_puts(&text, "{{/a}}");
	CHECK(template_parse(text.data, text.length, "deep", &template,
			     &errstr) == TEMPLATE_OK);
	CHECK(template_render(template, data, TEMPLATE_ESCAPE_HTML,
			      TEMPLATE_MISSING_EMPTY, NULL, NULL, &out,
			      &errstr) == TEMPLATE_ESYNTAX);
	CHECK(errstr != NULL && strstr(errstr, "nested more than") != NULL);
	free(errstr);
	template_free(template);
	buf_free(&out);
	buf_free(&text);
	value_free(data);
}

static void
test_partial_from_dir(void)
{
	const char *data_dir = getenv("DIGEST_TEST_DATA");
	char *directory;
	char *text = NULL;
	char *origin = NULL;

	if (data_dir == NULL)
		data_dir = "data";
	directory = xasprintf("%s/template/partial-basic/partials", data_dir);
	CHECK(template_partial_from_dir(directory, "p", &text, &origin) == 0);
	CHECK(text != NULL && strcmp(text, "*{{t}}*") == 0);
	CHECK(origin != NULL && strstr(origin, "/p.mustache") != NULL);
	free(text);
	free(origin);
	CHECK(template_partial_from_dir(directory, "../partials/p", &text,
					&origin) == -1);
	CHECK(template_partial_from_dir(directory, ".p", &text, &origin) == -1);
	CHECK(template_partial_from_dir(directory, "", &text, &origin) == -1);
	CHECK(template_partial_from_dir(directory, "absent", &text, &origin) ==
	      -1);
	CHECK(text == NULL && origin == NULL);
	free(directory);
}

int
main(void)
{
	test_value();
	test_render();
	test_depth();
	test_partial_from_dir();
	if (failures > 0) {
		fprintf(stderr, "3002: %d checks failed\n", failures);
		return 1;
	}
	puts("3002: all checks pass");
	return 0;
}
