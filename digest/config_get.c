/*
 * config_get.c - reading one value of the configuration: the getters that
 * copy a value out of the INI dictionary, parse it and check it, each
 * problem reported as one line naming the file, the section and the key.
 */
#include "config_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "url.h"

/*
 * Appends text with control characters (a CR or a newline in a value, say)
 * shown as '?', so that every problem stays one line that the terminal
 * shows as written.
 */
void
config_put_visible(struct buf *out, const char *text)
{
	for (; *text != '\0'; text++)
		buf_putc(out, (unsigned char)*text < 0x20 || *text == 0x7F
				  ? '?'
				  : *text);
}

/* Records one problem as "FILE: [SECTION] KEY: text". */
void
config_problem(struct loader *loader, const char *section, const char *key,
	       const char *format, ...)
{
	va_list args;
	char *text;

	buf_printf(&loader->problems, "%s: [", loader->file);
	config_put_visible(&loader->problems, section);
	buf_putc(&loader->problems, ']');
	if (key) {
		buf_putc(&loader->problems, ' ');
		config_put_visible(&loader->problems, key);
	}
	buf_puts(&loader->problems, ": ");
	va_start(args, format);
	text = xvasprintf(format, args);
	va_end(args);
	config_put_visible(&loader->problems, text);
	free(text);
	buf_putc(&loader->problems, '\n');
	loader->problem_count++;
}

/* The value of SECTION:KEY, or NULL when absent. */
const char *
config_get(struct loader *loader, const char *section, const char *key)
{
	char *full = xasprintf("%s:%s", section, key);
	const char *value = iniparser_getstring(loader->ini, full, NULL);

	free(full);
	return value;
}

/* A copy of the value, or of fallback (may be NULL) when absent or empty. */
char *
config_get_string(struct loader *loader, const char *section, const char *key,
		  const char *fallback)
{
	const char *value = config_get(loader, section, key);

	if (value == NULL || *value == '\0')
		return fallback ? xstrdup(fallback) : NULL;
	return xstrdup(value);
}

char *
config_get_required(struct loader *loader, const char *section, const char *key)
{
	char *value = config_get_string(loader, section, key, NULL);

	if (value == NULL)
		config_problem(loader, section, key, "missing (required)");
	return value;
}

void
config_get_long(struct loader *loader, const char *section, const char *key,
		long min, long max, long *value_out)
{
	const char *value = config_get(loader, section, key);

	if (value == NULL || *value == '\0')
		return;
	if (util_parse_long(value, min, max, value_out) < 0)
		config_problem(loader, section, key,
			       "\"%s\" is not a whole number from %ld to %ld",
			       value, min, max);
}

void
config_get_duration(struct loader *loader, const char *section, const char *key,
		    long min, long max, long *seconds_out)
{
	const char *value = config_get(loader, section, key);
	long seconds;

	if (value == NULL || *value == '\0')
		return;
	if (util_parse_duration(value, &seconds) < 0 || seconds < min ||
	    seconds > max)
		config_problem(
		    loader, section, key,
		    "\"%s\" is not a duration from %ld to %ld seconds "
		    "(as in 90s, 15m, 36h, 2d)",
		    value, min, max);
	else
		*seconds_out = seconds;
}

/* Makes path absolute against the config file's directory. */
char *
config_resolve_path(const struct config *config, const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	return xasprintf("%s/%s", config->base_dir, path);
}

char *
config_get_path(struct loader *loader, const char *section, const char *key,
		const char *fallback)
{
	char *value = config_get_string(loader, section, key, fallback);
	char *absolute;

	if (value == NULL)
		return NULL;
	absolute = config_resolve_path(loader->config, value);
	free(value);
	return absolute;
}

void
config_check_url(struct loader *loader, const char *section, const char *key,
		 const char *url, const char *schemes)
{
	char *errstr = NULL;

	if (url == NULL)
		return;
	if (url_has_userinfo(url)) {
		/* Never echo it: the part before '@' may be a password. */
		config_problem(
		    loader, section, key,
		    "holds a user or password; put the user in \"user\" "
		    "and the password in password_env or password_file");
		return;
	}
	if (url_check(url, schemes, &errstr) < 0) {
		config_problem(loader, section, key, "\"%s\": %s", url, errstr);
		free(errstr);
	}
}

void
config_check_address(struct loader *loader, const char *section,
		     const char *key, const char *address)
{
	char *normal;

	if (address == NULL)
		return;
	normal = address_normalize(address);
	if (normal == NULL)
		config_problem(loader, section, key,
			       "\"%s\" is not a valid email address", address);
	free(normal);
}

static int
key_known(const char *key, const char *const *known)
{
	for (size_t i = 0; known[i]; i++)
		if (strcmp(key, known[i]) == 0)
			return 1;
	return 0;
}

/* Reports every key of section that is not in known. */
void
config_check_keys(struct loader *loader, const char *section,
		  const char *const *known)
{
	int key_count = iniparser_getsecnkeys(loader->ini, section);
	const char **keys;
	size_t prefix = strlen(section) + 1;

	if (key_count <= 0)
		return;
	keys = xcalloc((size_t)key_count, sizeof *keys);
	if (iniparser_getseckeys(loader->ini, section, keys) != NULL) {
		for (int i = 0; i < key_count; i++) {
			const char *key = keys[i] + prefix;

			if (!key_known(key, known))
				config_problem(
				    loader, section, key, "%s",
				    strcmp(key, "password") == 0
					? "unknown key: a password never "
					  "goes in this file; use "
					  "password_env or password_file"
					: "unknown key");
		}
	}
	free(keys);
}

/*
 * Reads a key whose value is one of two words; returns 1 for the second
 * word, 0 for the first or when the key is absent.
 */
int
config_get_choice(struct loader *loader, const char *section, const char *key,
		  const char *first, const char *second)
{
	const char *value = config_get(loader, section, key);

	if (value == NULL || *value == '\0' || strcmp(value, first) == 0)
		return 0;
	if (strcmp(value, second) == 0)
		return 1;
	config_problem(loader, section, key, "\"%s\" is not one of %s, %s",
		       value, first, second);
	return 0;
}
