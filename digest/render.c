/*
 * render.c - the renderer: loads the digest templates of a template
 * directory once, serves their partials from memory, and renders each
 * digest against the data tree of render_data.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "render_data.h"
#include "template.h"
#include "util.h"
#include "value.h"
#include "words.h"

/* No template of ours comes near this; a larger file is a mistake. */
#define RENDER_TEMPLATE_MAX (1024 * 1024)

/* A partial's text, read from the template directory once; text and
 * origin are NULL for a partial the directory does not have. */
struct partial_text {
	char *name;
	char *text;
	char *origin;
};

struct renderer {
	char *directory;
	struct template *templates[2]; /* indexed by enum render_format */
	struct partial_text *partials;
	size_t partial_count;
	struct render_data_cache cache[WORDS_LANGUAGE_COUNT];
};

static const char *const template_names[2] = {
    "digest.txt.mustache",
    "digest.html.mustache",
};

/*
 * The partial_fn for the engine: serves partials from the renderer's
 * memory, reading each file of the template directory only the first time.
 * A partial that is missing stays missing for the renderer's life, so every
 * subscriber of a run gets the same digest.
 */
static int
cached_partial(void *context, const char *name, char **text_out,
	       char **origin_out)
{
	struct renderer *renderer = context;
	struct partial_text *slot;
	char *text = NULL, *origin = NULL;

	for (size_t i = 0; i < renderer->partial_count; i++) {
		slot = &renderer->partials[i];
		if (strcmp(slot->name, name) == 0) {
			if (slot->text == NULL)
				return -1;
			*text_out = xstrdup(slot->text);
			*origin_out = xstrdup(slot->origin);
			return 0;
		}
	}
	if (template_partial_from_dir(renderer->directory, name, &text,
				      &origin) < 0)
		text = origin = NULL;
	renderer->partials =
	    xreallocarray(renderer->partials, renderer->partial_count + 1,
			  sizeof *renderer->partials);
	slot = &renderer->partials[renderer->partial_count++];
	slot->name = xstrdup(name);
	slot->text = text;
	slot->origin = origin;
	if (text == NULL)
		return -1;
	*text_out = xstrdup(text);
	*origin_out = xstrdup(origin);
	return 0;
}

enum render_status
render_open(const char *template_dir, struct renderer **renderer_out,
	    char **errstr_out)
{
	struct renderer *renderer = xcalloc(1, sizeof *renderer);
	enum render_status status = RENDER_OK;
	char *path = NULL, *text = NULL, *error = NULL;
	size_t size;

	*renderer_out = NULL;
	*errstr_out = NULL;
	renderer->directory = xstrdup(template_dir);
	for (size_t i = 0; i < 2; i++) {
		free(path);
		free(text);
		text = NULL;
		path = xasprintf("%s/%s", template_dir, template_names[i]);
		if (util_read_file(path, RENDER_TEMPLATE_MAX, &text, &size) <
		    0) {
			*errstr_out =
			    xasprintf("%s: %s", path, strerror(errno));
			status = RENDER_ETEMPLATE;
			goto out;
		}
		if (template_parse(text, size, path, &renderer->templates[i],
				   &error) != TEMPLATE_OK) {
			/* The engine's message names the file and line. */
			*errstr_out = error != NULL
					  ? error
					  : xasprintf("%s: cannot parse", path);
			error = NULL;
			status = RENDER_ETEMPLATE;
			goto out;
		}
	}
	*renderer_out = renderer;
	renderer = NULL;
out:
	free(path);
	free(text);
	render_close(renderer);
	return status;
}

/* Renders as render_digest() does, with missing partials as missing
 * says. */
static enum render_status
render_run(struct renderer *renderer, enum render_format format,
	   const struct render_context *context, const struct item_list *items,
	   enum template_missing missing, char **output_out, char **errstr_out)
{
	const struct words_language *lang =
	    words_find_language(context->language);
	struct value *data = NULL;
	struct value *list;
	struct buf out = BUF_INIT;
	enum render_status status = RENDER_OK;
	enum template_status rendered;
	char *error = NULL;
	size_t which = format == RENDER_HTML ? 1 : 0;

	*output_out = NULL;
	*errstr_out = NULL;
	if (lang == NULL) {
		*errstr_out = xasprintf(
		    "unknown language \"%s\" "
		    "(use \"nl\" or \"en\")",
		    context->language != NULL ? context->language : "");
		status = RENDER_ELANGUAGE;
		goto out;
	}
	list = render_data_items(&renderer->cache[words_language_index(lang)],
				 context, items, lang);
	data = render_data_tree(context, items, lang, list);
	rendered = template_render(
	    renderer->templates[which], data,
	    format == RENDER_HTML ? TEMPLATE_ESCAPE_HTML : TEMPLATE_ESCAPE_NONE,
	    missing, cached_partial, renderer, &out, &error);
	/* The items list is the renderer's: take it back before freeing. */
	value_map_take(data, "items");
	if (rendered != TEMPLATE_OK) {
		*errstr_out = error != NULL ? error
					    : xasprintf("%s/%s: cannot render",
							renderer->directory,
							template_names[which]);
		error = NULL;
		status = RENDER_ETEMPLATE;
		goto out;
	}
	*output_out = buf_detach(&out);
out:
	buf_free(&out);
	if (data != NULL)
		value_free(data);
	return status;
}

enum render_status
render_digest(struct renderer *renderer, enum render_format format,
	      const struct render_context *context,
	      const struct item_list *items, char **output_out,
	      char **errstr_out)
{
	return render_run(renderer, format, context, items,
			  TEMPLATE_MISSING_EMPTY, output_out, errstr_out);
}

enum render_status
render_check(struct renderer *renderer, enum render_format format,
	     const struct render_context *context,
	     const struct item_list *items, char **errstr_out)
{
	char *output = NULL;
	enum render_status status;

	status = render_run(renderer, format, context, items,
			    TEMPLATE_MISSING_ERROR, &output, errstr_out);
	free(output);
	return status;
}

char *
render_greeting(const char *language, const char *recipient_name, int wrapped)
{
	const struct words_language *lang = words_find_language(language);

	return lang != NULL
		   ? render_data_greeting(lang, recipient_name, wrapped)
		   : NULL;
}

char *
render_escape(enum render_format format, const char *text)
{
	struct buf out = BUF_INIT;

	if (format != RENDER_HTML)
		return xstrdup(text);
	template_escape_html(&out, text, strlen(text));
	return buf_detach(&out);
}

void
render_close(struct renderer *renderer)
{
	if (renderer == NULL)
		return;
	for (size_t i = 0; i < 2; i++)
		template_free(renderer->templates[i]);
	for (size_t i = 0; i < WORDS_LANGUAGE_COUNT; i++)
		render_data_cache_clear(&renderer->cache[i]);
	for (size_t i = 0; i < renderer->partial_count; i++) {
		free(renderer->partials[i].name);
		free(renderer->partials[i].text);
		free(renderer->partials[i].origin);
	}
	free(renderer->partials);
	free(renderer->directory);
	free(renderer);
}
