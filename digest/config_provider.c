/*
 * config_provider.c - the [provider ID] sections of the configuration: a
 * webmail brand's SMTP settings, its TLS rule and where its password
 * comes from.
 */
#include "config_impl.h"

#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "url.h"

static const char *const provider_keys[] = {"name",
					    "smtp_url",
					    "tls",
					    "smtp_client",
					    "user",
					    "password_env",
					    "password_file",
					    "ca_file",
					    "from",
					    "from_name",
					    "connect_timeout",
					    "timeout",
					    "data_timeout",
					    "bounce_domain",
					    "list_id",
					    "unsubscribe_mailto",
					    "footer",
					    "max_connections",
					    "messages_per_connection",
					    "max_per_minute",
					    "max_per_hour",
					    "max_per_day",
					    "backoff",
					    NULL};

/* A footer longer than this is a paragraph pasted into the wrong key. */
#define CONFIG_FOOTER_MAX 500

/*
 * RFC 2919: an optional description, then the list's identifier in angle
 * brackets, a dotted name in letters, digits and hyphens:
 * "Buitenland <buitenland.nieuws.delta.nl>".
 */
static int
list_id_is_valid(const char *value)
{
	const char *open = strrchr(value, '<');
	const char *p;
	int dots = 0;

	if (open == NULL || strchr(open, '>') != value + strlen(value) - 1 ||
	    open[1] == '.' || open[1] == '>')
		return 0;
	for (p = open + 1; *p != '>'; p++) {
		if (*p == '.' && p[1] != '.' && p[1] != '>')
			dots++;
		else if (!(*p >= 'a' && *p <= 'z') &&
			 !(*p >= 'A' && *p <= 'Z') &&
			 !(*p >= '0' && *p <= '9') && *p != '-')
			return 0;
	}
	return dots > 0 && util_utf8_valid(value, (size_t)(open - value));
}

void
config_load_sender(struct loader *loader, const char *section,
		   struct provider *provider)
{
	const struct config *config = loader->config;
	char *list_id, *mailto, *footer;

	list_id = config_get_string(loader, section, "list_id",
				    provider ? config->list_id : NULL);
	mailto =
	    config_get_string(loader, section, "unsubscribe_mailto",
			      provider ? config->unsubscribe_mailto : NULL);
	footer = config_get_string(loader, section, "footer",
				   provider ? config->footer : NULL);
	/* A value inherited from [mail] was checked there. */
	if (config_get(loader, section, "list_id") != NULL && list_id != NULL &&
	    !list_id_is_valid(list_id))
		config_problem(loader, section, "list_id",
			       "\"%s\" is not a list's name and identifier "
			       "(as in: Buitenland <buitenland.example.nl>)",
			       list_id);
	if (config_get(loader, section, "unsubscribe_mailto") != NULL)
		config_check_address(loader, section, "unsubscribe_mailto",
				     mailto);
	if (config_get(loader, section, "footer") != NULL && footer != NULL &&
	    (strlen(footer) > CONFIG_FOOTER_MAX ||
	     !util_utf8_valid(footer, strlen(footer))))
		config_problem(loader, section, "footer",
			       "must be one line of UTF-8 text of at most %d "
			       "bytes",
			       CONFIG_FOOTER_MAX);
	if (provider == NULL) {
		loader->config->list_id = list_id;
		loader->config->unsubscribe_mailto = mailto;
		loader->config->footer = footer;
		return;
	}
	provider->list_id = list_id;
	provider->unsubscribe_mailto = mailto;
	provider->footer = footer;
}

/* Reads tls, or infers it from the URL's scheme, and checks they agree. */
static void
load_tls(struct loader *loader, const char *section, struct provider *provider)
{
	const char *tls = config_get(loader, section, "tls");
	char *scheme =
	    provider->smtp_url ? url_scheme(provider->smtp_url) : NULL;
	char *mismatch;

	if (tls == NULL || *tls == '\0')
		provider->tls = scheme && util_strcasecmp(scheme, "smtps") == 0
				    ? TLS_IMPLICIT
				    : TLS_STARTTLS;
	else if (strcmp(tls, "starttls") == 0)
		provider->tls = TLS_STARTTLS;
	else if (strcmp(tls, "implicit") == 0)
		provider->tls = TLS_IMPLICIT;
	else if (strcmp(tls, "none") == 0)
		provider->tls = TLS_NONE;
	else
		config_problem(loader, section, "tls",
			       "\"%s\" is not one of starttls, implicit, none",
			       tls);
	/* A URL that does not parse or holds a user was reported already. */
	if (scheme != NULL && !url_has_userinfo(provider->smtp_url)) {
		mismatch = provider_smtp_url_problem(provider->smtp_url,
						     provider->tls);
		if (mismatch != NULL)
			config_problem(loader, section, "tls", "%s", mismatch);
		free(mismatch);
	}
	free(scheme);
}

/*
 * The client library: libESMTP unless the provider needs implicit TLS,
 * which only libcurl speaks.
 */
static void
load_client(struct loader *loader, const char *section,
	    struct provider *provider)
{
	const char *client = config_get(loader, section, "smtp_client");

	provider->client = provider->tls == TLS_IMPLICIT ? SMTP_CLIENT_LIBCURL
							 : SMTP_CLIENT_LIBESMTP;
	if (client == NULL || *client == '\0')
		return;
	if (strcmp(client, "libcurl") == 0)
		provider->client = SMTP_CLIENT_LIBCURL;
	else if (strcmp(client, "libesmtp") != 0)
		config_problem(loader, section, "smtp_client",
			       "\"%s\" is not one of libesmtp, libcurl",
			       client);
	else if (provider->tls == TLS_IMPLICIT)
		config_problem(loader, section, "smtp_client",
			       "libesmtp cannot do implicit TLS (smtps://): "
			       "use libcurl");
	else
		provider->client = SMTP_CLIENT_LIBESMTP;
}

/* What the provider allows: sessions, their length, and rates. */
static void
load_limits(struct loader *loader, const char *section,
	    struct provider *provider)
{
	config_get_long(loader, section, "max_connections", 1, 64,
			&provider->max_connections);
	config_get_long(loader, section, "messages_per_connection", 1, 100000,
			&provider->messages_per_connection);
	config_get_long(loader, section, "max_per_minute", 0, 1000000,
			&provider->max_per_minute);
	config_get_long(loader, section, "max_per_hour", 0, 10000000,
			&provider->max_per_hour);
	config_get_long(loader, section, "max_per_day", 0, 100000000,
			&provider->max_per_day);
	config_get_duration(loader, section, "backoff", 1, 600,
			    &provider->backoff);
}

void
config_load_provider(struct loader *loader, const char *section, const char *id)
{
	struct config *config = loader->config;
	struct provider *provider;

	config->providers =
	    xreallocarray(config->providers, config->provider_count + 1,
			  sizeof *config->providers);
	provider = &config->providers[config->provider_count++];
	memset(provider, 0, sizeof *provider);
	provider->id = xstrdup(id);
	provider->connect_timeout = PROVIDER_CONNECT_TIMEOUT;
	provider->timeout = PROVIDER_TIMEOUT;
	provider->data_timeout = PROVIDER_DATA_TIMEOUT;
	provider->max_connections = PROVIDER_CONNECTIONS;
	provider->messages_per_connection = PROVIDER_MESSAGES_PER_CONNECTION;
	provider->backoff = PROVIDER_BACKOFF;
	config_check_keys(loader, section, provider_keys);
	provider->name = config_get_required(loader, section, "name");
	provider->smtp_url = config_get_required(loader, section, "smtp_url");
	config_check_url(loader, section, "smtp_url", provider->smtp_url,
			 "smtp,smtps");
	load_tls(loader, section, provider);
	load_client(loader, section, provider);
	provider->user = config_get_string(loader, section, "user", NULL);
	provider->password_env =
	    config_get_string(loader, section, "password_env", NULL);
	provider->password_file =
	    config_get_path(loader, section, "password_file", NULL);
	if (provider->user && !provider->password_env &&
	    !provider->password_file)
		config_problem(loader, section, "user",
			       "AUTH needs password_env or password_file");
	if (provider->password_env && provider->password_file)
		config_problem(loader, section, "password_file",
			       "set password_env or password_file, not both");
	if ((provider->password_env || provider->password_file) &&
	    !provider->user)
		config_problem(
		    loader, section, "user",
		    "missing (a password is set, so AUTH needs a user)");
	provider->ca_file = config_get_path(loader, section, "ca_file", NULL);
	provider->from_address = config_get_required(loader, section, "from");
	config_check_address(loader, section, "from", provider->from_address);
	provider->from_name =
	    config_get_string(loader, section, "from_name", NULL);
	provider->bounce_domain =
	    config_get_string(loader, section, "bounce_domain", NULL);
	if (provider->bounce_domain &&
	    !address_domain_is_valid(provider->bounce_domain,
				     strlen(provider->bounce_domain)))
		config_problem(loader, section, "bounce_domain",
			       "\"%s\" is not a domain name (as in "
			       "bounces.example.nl)",
			       provider->bounce_domain);
	config_get_duration(loader, section, "connect_timeout", 1, 600,
			    &provider->connect_timeout);
	config_get_duration(loader, section, "timeout", 1, 3600,
			    &provider->timeout);
	config_get_duration(loader, section, "data_timeout", 1, 3600,
			    &provider->data_timeout);
	load_limits(loader, section, provider);
	config_load_sender(loader, section, provider);
}

void
config_free_provider(struct provider *provider)
{
	free(provider->id);
	free(provider->name);
	free(provider->smtp_url);
	free(provider->user);
	free(provider->password_env);
	free(provider->password_file);
	free(provider->ca_file);
	free(provider->from_address);
	free(provider->from_name);
	free(provider->bounce_domain);
	free(provider->list_id);
	free(provider->unsubscribe_mailto);
	free(provider->footer);
}
