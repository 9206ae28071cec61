/*
 * config.c - see config.h.
 *
 * Values are filled in three steps so precedence is visible: defaults, then
 * the INI file; the command line overrides afterwards in cli.c.
 */
#include "config.h"
#include "config_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <iniparser.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "address.h"
#include "url.h"
#include "datetime.h"
#include "util.h"

#ifndef DIGEST_DATADIR
#define DIGEST_DATADIR "/usr/share/digest"
#endif

/*
 * iniparser reports syntax errors through a printf-like callback, one call
 * per bad line, and then loads nothing.  Each becomes a line of our own
 * naming the file and the line number.  The offending line itself is left
 * out: it may be a password pasted into the wrong file.
 */
static struct buf ini_errors = BUF_INIT;
static const char *ini_file;

static int
capture_ini_error(const char *format, ...)
{
	static const char syntax[] = "iniparser: syntax error in %s (%d):\n"
				     "-> %s\n";
	static const char too_long[] = "iniparser: input line too long in %s "
				       "(%d)\n";
	int is_syntax = strcmp(format, syntax) == 0;
	va_list args;
	char *text;

	va_start(args, format);
	if (is_syntax || strcmp(format, too_long) == 0) {
		/* Both pass the file name, then the line number. */
		(void)va_arg(args, const char *);
		buf_printf(&ini_errors, "%s: line %d: %s\n", ini_file,
			   va_arg(args, int),
			   is_syntax ? "syntax error (want [section] or "
				       "key = value)"
				     : "line too long");
	} else {
		text = xvasprintf(format, args);
		buf_printf(&ini_errors, "%s: ", ini_file);
		config_put_visible(&ini_errors, text);
		buf_putc(&ini_errors, '\n');
		free(text);
	}
	va_end(args);
	return 0;
}

/* The keys each kind of section may hold; NULL-terminated. */
static const char *const digest_keys[] = {"title",     "language", "timezone",
					  "max_items", "max_age",  "templates",
					  "state",     "syslog",   NULL};
static const char *const fetch_keys[] = {
    "connect_timeout", "timeout",	   "max_size",	  "max_redirects",
    "user_agent",      "future_tolerance", "error_after", NULL};
static const char *const mail_keys[] = {"transport",
					"outbox",
					"default_provider",
					"list_id",
					"unsubscribe_mailto",
					"unsubscribe_url",
					"footer",
					"retries",
					"retry_delay",
					"uncertain",
					"deactivate_after",
					"when_empty",
					NULL};
static const char *const web_keys[] = {"base_url",
				       "listen",
				       "secret_file",
				       "secret_env",
				       "previous_secret_file",
				       "previous_secret_env",
				       "previous_until",
				       "link_max_age",
				       "confirm_max_age",
				       "data_export",
				       "data_erase",
				       NULL};
static const char *const source_keys[] = {"url", "category", "name", NULL};

static void
load_digest(struct loader *loader)
{
	struct config *config = loader->config;
	const char *section = "digest";

	config_check_keys(loader, section, digest_keys);
	config->title = config_get_required(loader, section, "title");
	config->language = config_get_string(loader, section, "language", "nl");
	if (strcmp(config->language, "nl") != 0 &&
	    strcmp(config->language, "en") != 0)
		config_problem(loader, section, "language",
			       "\"%s\" is not a language we have (nl, en)",
			       config->language);
	config->timezone =
	    config_get_string(loader, section, "timezone", "Europe/Amsterdam");
	if (!datetime_zone_exists(config->timezone))
		config_problem(loader, section, "timezone",
			       "\"%s\" is not a known time zone (as in "
			       "Europe/Amsterdam)",
			       config->timezone);
	config_get_long(loader, section, "max_items", 1, 1000,
			&config->max_items);
	config_get_duration(loader, section, "max_age", 60, 366L * 86400,
			    &config->max_age);
	config->template_dir = config_get_path(loader, section, "templates",
					       DIGEST_DATADIR "/templates");
	config->state_path =
	    config_get_path(loader, section, "state", "digest.sqlite");
	config->syslog =
	    config_get_choice(loader, section, "syslog", "no", "yes");
}

static void
load_fetch(struct loader *loader)
{
	struct config *config = loader->config;
	const char *section = "fetch";
	const char *size;

	config_check_keys(loader, section, fetch_keys);
	config_get_duration(loader, section, "connect_timeout", 1, 600,
			    &config->connect_timeout);
	config_get_duration(loader, section, "timeout", 1, 3600,
			    &config->fetch_timeout);
	config_get_long(loader, section, "max_redirects", 0, 20,
			&config->max_redirects);
	config_get_long(loader, section, "error_after", 0, 1000,
			&config->error_after);
	config_get_duration(loader, section, "future_tolerance", 0, 7L * 86400,
			    &config->future_tolerance);
	/* FEED_MAX_SIZE in feed.c must stay at least the 64M allowed. */
	size = config_get(loader, section, "max_size");
	if (size && *size &&
	    (util_parse_size(size, &config->max_feed_size) < 0 ||
	     config->max_feed_size < 1024 ||
	     config->max_feed_size > ((size_t)64 << 20)))
		config_problem(loader, section, "max_size",
			       "\"%s\" is not a size from 1k to 64M", size);
	free(config->user_agent);
	config->user_agent = config_get_string(
	    loader, section, "user_agent",
	    "digest/" DIGEST_VERSION " (foreign-news digest; feed reader)");
}

/* How send deals with failures: retries, uncertain ones, bad addresses. */
static void
load_delivery_rules(struct loader *loader)
{
	struct config *config = loader->config;
	const char *section = "mail";

	config_get_long(loader, section, "retries", 0, 10, &config->retries);
	config_get_duration(loader, section, "retry_delay", 1, 3600,
			    &config->retry_delay);
	config->resend_uncertain =
	    config_get_choice(loader, section, "uncertain", "skip", "resend");
	config_get_long(loader, section, "deactivate_after", 0, 365,
			&config->deactivate_after);
	config->note_when_empty =
	    config_get_choice(loader, section, "when_empty", "skip", "note");
}

static void
load_mail(struct loader *loader)
{
	struct config *config = loader->config;
	const char *section = "mail";
	const char *transport, *old_url;

	config_check_keys(loader, section, mail_keys);
	transport = config_get(loader, section, "transport");
	if (transport == NULL || *transport == '\0' ||
	    strcmp(transport, "smtp") == 0)
		config->transport = TRANSPORT_KIND_SMTP;
	else if (strcmp(transport, "maildir") == 0)
		config->transport = TRANSPORT_KIND_MAILDIR;
	else if (strcmp(transport, "stdout") == 0)
		config->transport = TRANSPORT_KIND_STDOUT;
	else
		config_problem(loader, section, "transport",
			       "\"%s\" is not one of smtp, maildir, stdout",
			       transport);
	config->outbox_dir = config_get_path(loader, section, "outbox", NULL);
	if (config->transport == TRANSPORT_KIND_MAILDIR &&
	    config->outbox_dir == NULL)
		config_problem(loader, section, "outbox",
			       "missing (required with transport = maildir)");
	config->default_provider =
	    config_get_string(loader, section, "default_provider", NULL);
	config_load_sender(loader, section, NULL);
	/*
	 * The old unsubscribe link carried the bare address (?email=), so
	 * anyone could unsubscribe anyone: refused, not quietly ignored,
	 * so that whoever relied on it learns what replaced it.
	 */
	old_url = config_get(loader, section, "unsubscribe_url");
	if (old_url != NULL && *old_url != '\0')
		config_problem(loader, section, "unsubscribe_url",
			       "no longer used (its ?email= links could be "
			       "forged); set [web] base_url and secret_file "
			       "instead: every digest then carries signed "
			       "unsubscribe and preferences links");
	load_delivery_rules(loader);
}

/*
 * The public URL of the pages: https, or http only to this host (a test,
 * or a proxy on the same machine that terminates TLS is no reason to
 * send links that travel in plain text).
 */
static void
check_base_url(struct loader *loader, const char *url)
{
	char *scheme, *host;

	if (url == NULL)
		return;
	config_check_url(loader, "web", "base_url", url, "https,http");
	/* The pages' paths and their ?t= tokens are appended to it. */
	if (strpbrk(url, "?#") != NULL)
		config_problem(loader, "web", "base_url",
			       "\"%s\" must not hold a query or fragment", url);
	scheme = url_scheme(url);
	host = url_host(url);
	if (scheme != NULL && host != NULL &&
	    util_strcasecmp(scheme, "http") == 0 &&
	    strcmp(host, "127.0.0.1") != 0 && strcmp(host, "localhost") != 0 &&
	    strcmp(host, "[::1]") != 0)
		config_problem(
		    loader, "web", "base_url",
		    "\"%s\" must be https (plain http only for this host)",
		    url);
	free(scheme);
	free(host);
}

/* [web]: where digest serve listens, its public URL, the link keys. */
static void
load_web(struct loader *loader)
{
	struct web *web = &loader->config->web;
	const char *section = "web";
	const char *until;

	config_check_keys(loader, section, web_keys);
	web->base_url = config_get_string(loader, section, "base_url", NULL);
	check_base_url(loader, web->base_url);
	web->listen =
	    config_get_string(loader, section, "listen", "127.0.0.1:8025");
	web->secret_file =
	    config_get_path(loader, section, "secret_file", NULL);
	web->secret_env =
	    config_get_string(loader, section, "secret_env", NULL);
	if (web->base_url != NULL && web->secret_file == NULL &&
	    web->secret_env == NULL)
		config_problem(
		    loader, section, "secret_file",
		    "missing (signed links need a key: secret_file or "
		    "secret_env)");
	web->previous_secret_file =
	    config_get_path(loader, section, "previous_secret_file", NULL);
	web->previous_secret_env =
	    config_get_string(loader, section, "previous_secret_env", NULL);
	until = config_get(loader, section, "previous_until");
	if (until != NULL && *until != '\0' &&
	    datetime_parse_rfc3339(until, DATETIME_LENIENT,
				   &web->previous_until) < 0)
		config_problem(loader, section, "previous_until",
			       "\"%s\" is not a date (as in 2027-01-31)",
			       until);
	if ((web->previous_secret_file || web->previous_secret_env) &&
	    web->previous_until == 0)
		config_problem(
		    loader, section, "previous_until",
		    "missing (until when the previous key verifies)");
	config_get_duration(loader, section, "link_max_age", 3600,
			    3660L * 86400, &web->link_max_age);
	config_get_duration(loader, section, "confirm_max_age", 600,
			    30L * 86400, &web->confirm_max_age);
	web->data_export =
	    !config_get_choice(loader, section, "data_export", "yes", "no");
	web->data_erase =
	    !config_get_choice(loader, section, "data_erase", "yes", "no");
}

static void
load_source(struct loader *loader, const char *section, const char *id)
{
	struct config *config = loader->config;
	struct source *source;

	config->sources = xreallocarray(
	    config->sources, config->source_count + 1, sizeof *config->sources);
	source = &config->sources[config->source_count++];
	memset(source, 0, sizeof *source);
	config_check_keys(loader, section, source_keys);
	source->id = xstrdup(id);
	source->name = config_get_string(loader, section, "name", id);
	source->url = config_get_required(loader, section, "url");
	if (source->url && strncmp(source->url, "file:", 5) == 0 &&
	    source->url[5] != '/') {
		/* "file:demo/feed.xml": relative to this file, as paths are,
		 * and encoded, since the directory may hold a space or '#'. */
		char *path = config_resolve_path(config, source->url + 5);
		char *absolute = url_from_file_path(path);

		if (absolute == NULL)
			absolute = xasprintf("file://%s", path);
		free(path);
		free(source->url);
		source->url = absolute;
	}
	config_check_url(loader, section, "url", source->url,
			 "http,https,file");
	source->category = config_get_string(loader, section, "category", NULL);
}
/* Returns the part after "kind " in "kind NAME", or NULL. */
static const char *
section_name(const char *section, const char *kind)
{
	size_t length = strlen(kind);

	if (strncmp(section, kind, length) != 0 || section[length] != ' ')
		return NULL;
	section += length + 1;
	while (*section == ' ')
		section++;
	return *section ? section : NULL;
}

static void
load_sections(struct loader *loader)
{
	int section_count = iniparser_getnsec(loader->ini);

	for (int i = 0; i < section_count; i++) {
		const char *section = iniparser_getsecname(loader->ini, i);
		const char *name;

		if (section == NULL)
			continue;
		if (strcmp(section, "digest") == 0 ||
		    strcmp(section, "fetch") == 0 ||
		    strcmp(section, "mail") == 0 || strcmp(section, "web") == 0)
			continue;
		if ((name = section_name(section, "source")) != NULL)
			load_source(loader, section, name);
		else if ((name = section_name(section, "provider")) != NULL)
			config_load_provider(loader, section, name);
		else
			config_problem(
			    loader, section, NULL,
			    "unknown section (expected digest, fetch, "
			    "mail, web, \"source ID\" or \"provider "
			    "ID\")");
	}
}

/*
 * Reports keys written before the first section: iniparser files them
 * under no section, where nothing would ever read them.
 */
static void
check_stray_keys(struct loader *loader)
{
	const dictionary *ini = loader->ini;

	for (ssize_t i = 0; i < ini->size; i++)
		if (ini->key[i] != NULL && ini->key[i][0] == ':')
			config_problem(loader, "", ini->key[i] + 1,
				       "outside any section (put it under the "
				       "[section] it belongs to)");
}

/* One "[section] key" seen while looking for keys set twice. */
struct seen_key {
	char *name; /* "section\x1fkey", lowercased as iniparser does */
	int line;
};

/* Lowercases text in place; returns it. */
static char *
lowercase(char *text)
{
	for (char *p = text; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return text;
}

/* Notes section/key of line; reports it when an earlier line set it. */
static void
note_key(struct loader *loader, struct seen_key **seen, size_t *count,
	 const char *section, char *key, int line)
{
	char *name;

	util_trim(key);
	name = xasprintf("%s\x1f%s", section, lowercase(key));
	for (size_t i = 0; i < *count; i++) {
		if (strcmp((*seen)[i].name, name) == 0) {
			config_problem(
			    loader, section, key,
			    "set twice (lines %d and %d); only the last "
			    "one would count",
			    (*seen)[i].line, line);
			free(name);
			return;
		}
	}
	*seen = xreallocarray(*seen, *count + 1, sizeof **seen);
	(*seen)[*count].name = name;
	(*seen)[(*count)++].line = line;
}

/*
 * iniparser keeps the last of two lines that set the same key, silently:
 * a copied line that was meant to be changed goes unnoticed.  This reads
 * the file's lines the way iniparser does, to report them.
 */
static void
check_duplicate_keys(struct loader *loader)
{
	struct seen_key *seen = NULL;
	char *data = NULL, *line, *next, *end, section[256] = "";
	size_t size = 0, count = 0;
	int number = 0, continued = 0;

	if (util_read_file(loader->file, 1 << 20, &data, &size) < 0)
		return;
	for (line = data; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		number++;
		util_trim(line);
		end = line + strlen(line);
		if (continued || line[0] == '\0' || line[0] == ';' ||
		    line[0] == '#') {
			continued = continued && end > line && end[-1] == '\\';
			continue;
		}
		continued = end[-1] == '\\';
		if (line[0] == '[' && (end = strchr(line, ']')) != NULL) {
			*end = '\0';
			util_strlcpy(section, line + 1, sizeof section);
			util_trim(lowercase(section));
		} else if ((end = strchr(line, '=')) != NULL) {
			*end = '\0';
			note_key(loader, &seen, &count, section, line, number);
		}
	}
	for (size_t i = 0; i < count; i++)
		free(seen[i].name);
	free(seen);
	free(data);
}

static void
check_whole(struct loader *loader)
{
	struct config *config = loader->config;

	if (iniparser_find_entry(loader->ini, "digest") == 0)
		config_problem(loader, "digest", NULL, "missing section");
	if (config->source_count == 0)
		config_problem(loader, "source ID", NULL,
			       "no news source configured");
	if (config->default_provider &&
	    config_find_provider(config, config->default_provider) == NULL)
		config_problem(loader, "mail", "default_provider",
			       "\"%s\" is not a configured provider",
			       config->default_provider);
	if (config->default_provider == NULL && config->provider_count > 0)
		config_problem(loader, "mail", "default_provider",
			       "missing (subscribers who have not chosen a "
			       "provider are sent through it)");
}

static void
set_defaults(struct config *config, const char *path)
{
	char *slash;
	char *real;

	config->path = xstrdup(path);
	config->base_dir = xstrdup(path);
	slash = strrchr(config->base_dir, '/');
	if (slash == NULL) {
		free(config->base_dir);
		config->base_dir = xstrdup(".");
	} else if (slash == config->base_dir) {
		slash[1] = '\0';
	} else {
		*slash = '\0';
	}
	/* An absolute base keeps file: URLs and paths valid from any cwd. */
	real = realpath(config->base_dir, NULL);
	if (real) {
		free(config->base_dir);
		config->base_dir = real;
	}
	config->max_items = 20;
	config->max_age = 48 * 3600;
	config->connect_timeout = 10;
	config->fetch_timeout = 30;
	/* No real news feed comes near 16 MB. */
	config->max_feed_size = (size_t)16 << 20;
	config->max_redirects = 5;
	config->future_tolerance = 3600;
	config->transport = TRANSPORT_KIND_SMTP;
	config->retries = 2;
	config->retry_delay = 60;
	config->deactivate_after = 3;
	config->error_after = 3;
	config->web.link_max_age = 400L * 86400;
	config->web.confirm_max_age = 2L * 86400;
}

/* Opens path only if it is a readable regular file; explains otherwise. */
static int
check_readable(const char *path, char **problems_out)
{
	struct stat info;

	if (stat(path, &info) < 0 || access(path, R_OK) < 0) {
		*problems_out =
		    xasprintf("%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(info.st_mode)) {
		*problems_out = xasprintf("%s: not a regular file", path);
		return -1;
	}
	return 0;
}

enum config_status
config_load(const char *path, struct config **config_out, char **problems_out)
{
	struct loader loader = {0};
	enum config_status status = CONFIG_EINVALID;

	*config_out = NULL;
	*problems_out = NULL;
	if (check_readable(path, problems_out) < 0)
		return CONFIG_ENOENT;
	loader.config = xcalloc(1, sizeof *loader.config);
	loader.file = path;
	set_defaults(loader.config, path);
	buf_reset(&ini_errors);
	ini_file = path;
	iniparser_set_error_callback(capture_ini_error);
	loader.ini = iniparser_load(path);
	if (loader.ini == NULL) {
		*problems_out = ini_errors.length > 0
				    ? xstrdup(ini_errors.data)
				    : xasprintf("%s: cannot be parsed\n", path);
		buf_free(&ini_errors);
		goto out;
	}
	buf_free(&ini_errors);
	check_stray_keys(&loader);
	check_duplicate_keys(&loader);
	load_digest(&loader);
	load_fetch(&loader);
	load_mail(&loader);
	load_web(&loader);
	load_sections(&loader);
	check_whole(&loader);
	if (loader.problem_count > 0) {
		*problems_out = buf_detach(&loader.problems);
		goto out;
	}
	*config_out = loader.config;
	loader.config = NULL;
	status = CONFIG_OK;
out:
	if (loader.ini)
		iniparser_freedict(loader.ini);
	buf_free(&loader.problems);
	config_free(loader.config);
	return status;
}

const struct provider *
config_find_provider(const struct config *config, const char *id)
{
	for (size_t i = 0; i < config->provider_count; i++)
		if (util_strcasecmp(config->providers[i].id, id) == 0)
			return &config->providers[i];
	return NULL;
}

char *
config_provider_ids(const struct config *config)
{
	struct buf ids = BUF_INIT;

	for (size_t i = 0; i < config->provider_count; i++)
		buf_printf(&ids, "%s%s", i ? ", " : "",
			   config->providers[i].id);
	if (config->provider_count == 0)
		buf_puts(&ids, "none");
	return buf_detach(&ids);
}

static void
free_source(struct source *source)
{
	free(source->id);
	free(source->name);
	free(source->url);
	free(source->category);
}

void
config_free(struct config *config)
{
	if (config == NULL)
		return;
	for (size_t i = 0; i < config->source_count; i++)
		free_source(&config->sources[i]);
	for (size_t i = 0; i < config->provider_count; i++)
		config_free_provider(&config->providers[i]);
	free(config->sources);
	free(config->providers);
	free(config->path);
	free(config->base_dir);
	free(config->title);
	free(config->language);
	free(config->timezone);
	free(config->template_dir);
	free(config->state_path);
	free(config->user_agent);
	free(config->outbox_dir);
	free(config->default_provider);
	free(config->list_id);
	free(config->unsubscribe_mailto);
	free(config->footer);
	free(config->web.base_url);
	free(config->web.listen);
	free(config->web.secret_file);
	free(config->web.secret_env);
	free(config->web.previous_secret_file);
	free(config->web.previous_secret_env);
	free(config);
}
