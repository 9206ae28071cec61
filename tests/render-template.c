/*
 * render-template - renders a mustache template against JSON data, for the
 * template test cases (tests/3001-template-cases.sh) and by hand:
 *
 *     render-template TEMPLATE_FILE DATA_JSON PARTIALS_DIR [--text] [--strict]
 *
 * JSON objects become maps, arrays lists, numbers their decimal text.
 * HTML escaping unless --text.  A missing partial renders as nothing, or
 * fails with --strict.  Exits 65 on a template or data error, 66
 * when a file cannot be read, 64 on bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <cjson/cJSON.h>

#include "template.h"
#include "util.h"
#include "value.h"

#define MAX_INPUT_SIZE (16 * 1024 * 1024)

/* Numbers print as the shortest text that reads back the same. */
static struct value *
number_value(double number)
{
	char *text = xasprintf("%.15g", number);
	struct value *value;

	if (strtod(text, NULL) != number) {
		free(text);
		text = xasprintf("%.17g", number);
	}
	value = value_new_string(text);
	free(text);
	return value;
}

static struct value *
json_to_value(const cJSON *json)
{
	struct value *value;
	const cJSON *child;

	if (cJSON_IsObject(json)) {
		value = value_new_map();
		cJSON_ArrayForEach(child, json)
		    value_map_set(value, child->string, json_to_value(child));
		return value;
	}
	if (cJSON_IsArray(json)) {
		value = value_new_list();
		cJSON_ArrayForEach(child, json)
		    value_list_append(value, json_to_value(child));
		return value;
	}
	if (cJSON_IsString(json))
		return value_new_string(json->valuestring);
	if (cJSON_IsTrue(json))
		return value_new_bool(1);
	if (cJSON_IsFalse(json))
		return value_new_bool(0);
	if (cJSON_IsNumber(json))
		return number_value(json->valuedouble);
	return value_new_null();
}

int
main(int argc, char **argv)
{
	enum template_escape escape = TEMPLATE_ESCAPE_HTML;
	enum template_missing missing = TEMPLATE_MISSING_EMPTY;
	struct template *template = NULL;
	struct value *data = NULL;
	struct buf out = BUF_INIT;
	cJSON *json = NULL;
	char *template_text = NULL;
	char *json_text = NULL;
	char *errstr = NULL;
	size_t template_size;
	size_t json_size;
	int status = EX_OK;
	int bad_usage = argc < 4;

	for (int index = 4; index < argc; index++) {
		if (strcmp(argv[index], "--text") == 0)
			escape = TEMPLATE_ESCAPE_NONE;
		else if (strcmp(argv[index], "--strict") == 0)
			missing = TEMPLATE_MISSING_ERROR;
		else
			bad_usage = 1;
	}
	if (bad_usage) {
		fputs("usage: render-template TEMPLATE_FILE DATA_JSON "
		      "PARTIALS_DIR [--text] [--strict]\n",
		      stderr);
		return EX_USAGE;
	}
	if (util_read_file(argv[1], MAX_INPUT_SIZE, &template_text,
			   &template_size) != 0) {
		fprintf(stderr, "render-template: %s: %s\n", argv[1],
			strerror(errno));
		status = EX_NOINPUT;
		goto out;
	}
	if (util_read_file(argv[2], MAX_INPUT_SIZE, &json_text, &json_size) !=
	    0) {
		fprintf(stderr, "render-template: %s: %s\n", argv[2],
			strerror(errno));
		status = EX_NOINPUT;
		goto out;
	}
	json = cJSON_ParseWithLength(json_text, json_size);
	if (json == NULL) {
		fprintf(stderr, "render-template: %s: bad JSON\n", argv[2]);
		status = EX_DATAERR;
		goto out;
	}
	data = json_to_value(json);
	if (template_parse(template_text, template_size, argv[1], &template,
			   &errstr) != TEMPLATE_OK ||
	    template_render(template, data, escape, missing,
			    template_partial_from_dir, argv[3], &out,
			    &errstr) != TEMPLATE_OK) {
		fprintf(stderr, "render-template: %s\n", errstr);
		status = EX_DATAERR;
		goto out;
	}
	if (fwrite(out.data, 1, out.length, stdout) != out.length ||
	    fflush(stdout) != 0) {
		fprintf(stderr, "render-template: write: %s\n",
			strerror(errno));
		status = EX_IOERR;
	}
out:
	free(errstr);
	buf_free(&out);
	template_free(template);
	value_free(data);
	cJSON_Delete(json);
	free(json_text);
	free(template_text);
	return status;
}
