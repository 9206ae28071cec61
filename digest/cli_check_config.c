/*
 * cli_check_config.c - `digest check-config`: the configuration, and what
 * it points at, checked before cron finds out.
 */
#include "cli_commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "links.h"
#include "render.h"
#include "serve.h"
#include "state.h"
#include "util.h"

static const struct cli_usage usage = {
    "check-config",
    "",
    "Checks the configuration file: every section and key, the templates "
    "and their partials (by trial renders), password files (which only "
    "their owner may read), the key that signs links, the state store "
    "(the SQLite file's directory, or logging in to a PostgreSQL server), "
    "and providers that subscribers chose but the file no longer has.  "
    "Prints one line per "
    "problem, naming the file, section and key, and exits 78 when there "
    "is any.",
    NULL,
    0,
    0};

/*
 * Beyond the file itself: the templates must parse, and so must the
 * partials they include, which the engine reads only when a render reaches
 * them.  Trial renders in each language and format, with one sample item
 * and with none, reach them as a real run would, so that a broken partial
 * shows here and not as a failure for every subscriber at send time.
 */
static size_t
check_templates(const struct config *config)
{
	static const char *const languages[] = {"nl", "en"};
	char source[] = "Voorbeeld";
	char title[] = "Voorbeeldbericht";
	char link[] = "https://example.org/voorbeeld";
	char summary[] = "Een voorbeeld.\n\nTweede alinea.";
	struct item sample = {0};
	struct item_list items = {0};
	struct render_context context = {0};
	static const char *const webmails[] = {"webmail", "andere webmail",
					       NULL};
	struct renderer *renderer = NULL;
	char *errstr = NULL;
	size_t problems = 0;

	if (render_open(config->template_dir, &renderer, &errstr) !=
	    RENDER_OK) {
		problems = 1;
		goto out;
	}
	sample.source = source;
	sample.title = title;
	sample.link = link;
	sample.id = link;
	sample.summary = summary;
	sample.published_at = time(NULL) - 3600;
	sample.has_published = 1;
	items.items = &sample;
	context.title = config->title;
	context.timezone = config->timezone;
	context.now = sample.published_at + 3600;
	context.provider_name = "webmail";
	context.recipient_name = "Lezer";
	/* Every optional part on, so that the trials reach every partial. */
	context.unsubscribe_url = "https://example.org/afmelden";
	context.unsubscribe_mailto = "afmelden@example.org";
	context.prefs_url = "https://example.org/voorkeuren";
	context.view_url = "https://example.org/bekijk";
	context.footer = "Voorbeeld B.V., Postbus 1, 1000 AA Amsterdam";
	context.prompt = 1;
	context.webmail_names = webmails;
	for (size_t trial = 0; trial < 8 && problems == 0; trial++) {
		enum render_format format =
		    trial % 2 ? RENDER_HTML : RENDER_TEXT;

		context.language = languages[trial / 4];
		items.count = trial / 2 % 2 == 0 ? 1 : 0;
		/* Strict: a partial the directory lacks is an error here,
		 * though a send renders it as nothing. */
		if (render_check(renderer, format, &context, &items, &errstr) !=
		    RENDER_OK)
			problems = 1;
	}
out:
	if (problems > 0)
		fprintf(stderr, "%s: [digest] templates: %s\n", config->path,
			errstr);
	free(errstr);
	render_close(renderer);
	return problems;
}

/* With [web] base_url, the pages of digest serve must parse too. */
static size_t
check_web(const struct config *config)
{
	char *errstr = NULL;

	if (config->web.base_url == NULL ||
	    serve_check_templates(config, &errstr) == SERVE_OK)
		return 0;
	fprintf(stderr, "%s: [web] %s\n", config->path, errstr);
	free(errstr);
	return 1;
}

/*
 * Password files must be private; an unset variable is only a warning,
 * since cron's environment is not this shell's.  Without SMTP (the
 * maildir or stdout transport) no password is needed at all.
 */
static size_t
check_passwords(const struct config *config)
{
	size_t problems = 0;

	if (config->transport != TRANSPORT_KIND_SMTP)
		return 0;
	for (size_t i = 0; i < config->provider_count; i++) {
		const struct provider *provider = &config->providers[i];
		char *password = NULL;
		char *errstr = NULL;

		if (provider_read_password(provider, &password, &errstr) == 0) {
			free(password);
			continue;
		}
		if (provider->password_file) {
			fprintf(stderr, "%s: [provider %s] password_file: %s\n",
				config->path, provider->id, errstr);
			problems++;
		} else {
			cli_warn("warning: %s", errstr);
		}
		free(errstr);
	}
	return problems;
}

/*
 * With [web] base_url, every digest carries links signed by its key: one
 * that cannot be read would stop send at six in the morning.
 */
static size_t
check_links(const struct config *config)
{
	struct links *links = NULL;
	char *errstr = NULL;

	if (links_open(config, &links, &errstr) != LINKS_EKEY) {
		links_free(links);
		return 0;
	}
	fprintf(stderr, "%s: %s\n", config->path, errstr);
	free(errstr);
	return 1;
}

/*
 * The state database's directory must exist and be writable: send keeps
 * its journal there, and finding out at six in the morning is too late.
 */
static size_t
check_state_dir(const struct config *config)
{
	char *directory, *slash;
	struct stat info;
	size_t problems = 0;

	/* A database server's URL has no directory here. */
	if (!state_location_is_path(config->state_path))
		return 0;
	directory = xstrdup(config->state_path);
	slash = strrchr(directory, '/');
	if (slash != NULL)
		*(slash == directory ? slash + 1 : slash) = '\0';
	if (stat(directory, &info) < 0 || !S_ISDIR(info.st_mode)) {
		fprintf(stderr,
			"%s: [digest] state: the directory %s does not "
			"exist\n",
			config->path, directory);
		problems = 1;
	} else if (access(directory, W_OK | X_OK) < 0) {
		fprintf(stderr,
			"%s: [digest] state: the directory %s is not "
			"writable by this user\n",
			config->path, directory);
		problems = 1;
	}
	free(directory);
	return problems;
}

/* Providers that subscribers chose but the config no longer has. */
static size_t
check_stranded(const struct config *config)
{
	struct state *state = NULL;
	char **ids = NULL;
	char *errstr = NULL;
	enum state_status status;
	size_t problems = 0;

	/*
	 * Checking must not create the database, but it does log in to a
	 * database server: a wrong password is found now, not at six.
	 */
	status = cli_state_connect(config, NULL, 1, &state, &errstr);
	if (status == STATE_ENOTFOUND)
		goto out;
	if (status == STATE_EINVALID) {
		/* The password's own message names its key. */
		fprintf(stderr, "%s: %s\n", config->path, errstr);
		problems++;
		goto out;
	}
	if (status != STATE_OK ||
	    state_providers_in_use(state, &ids, &errstr) != STATE_OK) {
		fprintf(stderr, "%s: [digest] state: %s\n", config->path,
			errstr);
		problems++;
		goto out;
	}
	for (size_t i = 0; ids[i]; i++) {
		size_t count = 0;

		if (config_find_provider(config, ids[i]))
			continue;
		if (state_count_by_provider(state, ids[i], &count, NULL) !=
		    STATE_OK)
			count = 0;
		fprintf(stderr,
			"%s: [provider %s]: missing, but %zu subscriber%s "
			"chose it and would get no digest\n",
			config->path, ids[i], count, count == 1 ? "" : "s");
		problems++;
	}
out:
	for (size_t i = 0; ids && ids[i]; i++)
		free(ids[i]);
	free(ids);
	free(errstr);
	state_close(state);
	return problems;
}

int
cli_check_config_main(struct cli *cli, int argc, char **argv)
{
	struct cli_args args;
	size_t problems;
	int code;

	code = cli_parse_args(&usage, argc, argv, &args);
	if (code == CLI_HELP_SHOWN)
		return cli_finish_output();
	if (code != 0)
		return code;
	if ((code = cli_load_config(cli)) != EX_OK)
		return code;
	problems = check_templates(cli->config);
	problems += check_web(cli->config);
	problems += check_passwords(cli->config);
	problems += check_links(cli->config);
	problems += check_state_dir(cli->config);
	problems += check_stranded(cli->config);
	if (problems)
		return EX_CONFIG;
	printf("%s: ok (%zu sources, %zu providers)\n", cli->config->path,
	       cli->config->source_count, cli->config->provider_count);
	return cli_finish_output();
}
