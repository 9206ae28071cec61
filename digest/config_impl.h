/*
 * config_impl.h - what the files of the configuration loader (config*.c)
 * share: the loader that collects problems, and the helpers that read one
 * value of the INI file, check it and report what is wrong with it.  Only
 * config*.c include it; iniparser stays behind it.
 */
#ifndef DIGEST_CONFIG_IMPL_H
#define DIGEST_CONFIG_IMPL_H

#include <iniparser.h>

#include "config.h"
#include "util.h"

/* What loading needs besides the config itself: where problems go. */
struct loader {
	struct config *config;
	dictionary *ini;
	const char *file; /* for messages */
	struct buf problems;
	size_t problem_count;
};

/*
 * Appends text with control characters shown as '?', so that a message
 * stays one line that the terminal shows as written.
 */
void config_put_visible(struct buf *out, const char *text);

/* Records one problem as "FILE: [SECTION] KEY: text" (key may be NULL). */
void config_problem(struct loader *loader, const char *section, const char *key,
		    const char *format, ...)
    __attribute__((format(printf, 4, 5)));

/* The value of SECTION:KEY, or NULL when absent; the loader's memory. */
const char *config_get(struct loader *loader, const char *section,
		       const char *key);

/*
 * A copy of the value (free()), or of fallback (may be NULL) when it is
 * absent or empty.
 */
char *config_get_string(struct loader *loader, const char *section,
			const char *key, const char *fallback);

/* As config_get_string() without fallback; reports a missing value. */
char *config_get_required(struct loader *loader, const char *section,
			  const char *key);

/* Sets *value_out to a whole number in [min, max] when the key is set. */
void config_get_long(struct loader *loader, const char *section,
		     const char *key, long min, long max, long *value_out);

/* Sets *seconds_out to a duration ("36h") in [min, max] when set. */
void config_get_duration(struct loader *loader, const char *section,
			 const char *key, long min, long max,
			 long *seconds_out);

/*
 * Returns 1 when the value is the second of two words, 0 for the first or
 * when the key is absent (a third word is reported).
 */
int config_get_choice(struct loader *loader, const char *section,
		      const char *key, const char *first, const char *second);

/* path made absolute against the config file's directory (free()). */
char *config_resolve_path(const struct config *config, const char *path);

/* A path value made absolute (free()), or fallback's, or NULL. */
char *config_get_path(struct loader *loader, const char *section,
		      const char *key, const char *fallback);

/* Reports a URL that does not parse, has another scheme, or holds a user. */
void config_check_url(struct loader *loader, const char *section,
		      const char *key, const char *url, const char *schemes);

/* Reports an address (may be NULL: nothing to check) that does not parse. */
void config_check_address(struct loader *loader, const char *section,
			  const char *key, const char *address);

/* Reports every key of section that is not in known (NULL-terminated). */
void config_check_keys(struct loader *loader, const char *section,
		       const char *const *known);

/*
 * Reads the keys by which a digest speaks in someone's name: list_id,
 * unsubscribe_mailto and footer.  With provider NULL, [mail]'s into the
 * config, the defaults; else the provider's own, or those defaults.
 */
void config_load_sender(struct loader *loader, const char *section,
			struct provider *provider);

/* Reads [provider ID] into a new entry of the config's providers. */
void config_load_provider(struct loader *loader, const char *section,
			  const char *id);

/* Frees what one provider holds (not the provider itself). */
void config_free_provider(struct provider *provider);

#endif
