/*
 * serve_web.c - the page templates of digest serve: <templates>/web/,
 * beside the digest's, so an operator restyles and rewords the pages the
 * way they do the digest.  Each page is one template holding both
 * languages ({{#nl}}...{{/nl}}{{#en}}...{{/en}}), so that its markup
 * exists once; the look is in the partials head.html and foot.html.
 */
#include "serve_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

/* No page template comes near this; a larger file is a mistake. */
#define SERVE_TEMPLATE_MAX (256 * 1024)

/* The pages; "confirm-mail" is the text of the confirmation mail. */
static const char *const page_names[] = {
    "signup",	    "signup-sent",  "confirm", "confirmed",
    "prefs",	    "erase",	    "erased",  "unsubscribe",
    "unsubscribed", "resubscribed", "error",   "confirm-mail",
};

#define PAGE_COUNT (sizeof page_names / sizeof page_names[0])

/* A partial read once: text NULL when the directory has none. */
struct partial {
	char *name;
	char *text;
	char *origin;
};

struct serve_web {
	char *directory;
	struct template *pages[PAGE_COUNT];
	/* Read on first use, then served from memory: only the page thread
	 * renders, so this needs no lock. */
	struct partial *partials;
	size_t partial_count;
};

/* The engine's partial_fn: each file of the directory is read once. */
static int
cached_partial(void *context, const char *name, char **text_out,
	       char **origin_out)
{
	struct serve_web *web = context;
	struct partial *slot = NULL;

	for (size_t i = 0; i < web->partial_count && !slot; i++)
		if (strcmp(web->partials[i].name, name) == 0)
			slot = &web->partials[i];
	if (slot == NULL) {
		web->partials =
		    xreallocarray(web->partials, web->partial_count + 1,
				  sizeof *web->partials);
		slot = &web->partials[web->partial_count++];
		slot->name = xstrdup(name);
		if (template_partial_from_dir(web->directory, name, &slot->text,
					      &slot->origin) < 0)
			slot->text = slot->origin = NULL;
	}
	if (slot->text == NULL)
		return -1;
	*text_out = xstrdup(slot->text);
	*origin_out = xstrdup(slot->origin);
	return 0;
}

static int
is_text(const char *page)
{
	return strcmp(page, "confirm-mail") == 0;
}

static char *
file_of(const char *directory, const char *page)
{
	return xasprintf("%s/%s.%s.mustache", directory, page,
			 is_text(page) ? "txt" : "html");
}

int
serve_web_open(const char *directory, struct serve_web **web_out,
	       char **errstr_out)
{
	struct serve_web *web = xcalloc(1, sizeof *web);
	char *path = NULL, *text = NULL, *error = NULL;
	size_t size;
	int result = -1;

	*web_out = NULL;
	web->directory = xstrdup(directory);
	for (size_t i = 0; i < PAGE_COUNT; i++) {
		free(path);
		free(text);
		text = NULL;
		path = file_of(directory, page_names[i]);
		if (util_read_file(path, SERVE_TEMPLATE_MAX, &text, &size) <
		    0) {
			*errstr_out =
			    xasprintf("%s: %s", path, strerror(errno));
			goto out;
		}
		if (template_parse(text, size, path, &web->pages[i], &error) !=
		    TEMPLATE_OK) {
			*errstr_out =
			    error ? error : xasprintf("%s: cannot parse", path);
			goto out;
		}
	}
	*web_out = web;
	web = NULL;
	result = 0;
out:
	free(path);
	free(text);
	serve_web_free(web);
	return result;
}

static const struct template *
find_page(const struct serve_web *web, const char *page)
{
	for (size_t i = 0; i < PAGE_COUNT; i++)
		if (strcmp(page_names[i], page) == 0)
			return web->pages[i];
	return NULL;
}

char *
serve_web_render(struct serve_web *web, const struct config *config,
		 const char *page, const char *language, struct value *data,
		 char **errstr_out)
{
	const struct template *template = find_page(web, page);
	struct buf out = BUF_INIT;
	char *error = NULL;

	if (template == NULL) {
		*errstr_out = xasprintf("no page template \"%s\"", page);
		return NULL;
	}
	value_map_set_string(data, "language", language);
	value_map_set_bool(data, "nl", strcmp(language, "nl") == 0);
	value_map_set_bool(data, "en", strcmp(language, "en") == 0);
	value_map_set_string(data, "title", config->title);
	value_map_set_string(data, "base_url", config->web.base_url);
	if (template_render(template, data,
			    is_text(page) ? TEMPLATE_ESCAPE_NONE
					  : TEMPLATE_ESCAPE_HTML,
			    TEMPLATE_MISSING_ERROR, cached_partial, web, &out,
			    &error) != TEMPLATE_OK) {
		buf_free(&out);
		*errstr_out = error ? error
				    : xasprintf("%s/%s: cannot render",
						web->directory, page);
		return NULL;
	}
	return buf_detach(&out);
}

void
serve_web_free(struct serve_web *web)
{
	if (web == NULL)
		return;
	for (size_t i = 0; i < PAGE_COUNT; i++)
		template_free(web->pages[i]);
	for (size_t i = 0; i < web->partial_count; i++) {
		free(web->partials[i].name);
		free(web->partials[i].text);
		free(web->partials[i].origin);
	}
	free(web->partials);
	free(web->directory);
	free(web);
}
