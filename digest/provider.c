/*
 * provider.c - see provider.h.
 */
#include "provider.h"

#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "url.h"
#include "util.h"

/* A relay reached in plain text must be this host. */
static int
host_is_local(const char *host)
{
	return strcmp(host, "localhost") == 0 ||
	       strcmp(host, "127.0.0.1") == 0 || strcmp(host, "[::1]") == 0 ||
	       strcmp(host, "::1") == 0;
}

char *
provider_smtp_url_problem(const char *smtp_url, enum tls_mode tls)
{
	char *scheme = url_scheme(smtp_url);
	char *host = url_host(smtp_url);
	char *problem = NULL;

	if (scheme == NULL || host == NULL)
		problem = xstrdup("smtp_url does not parse");
	else if (url_has_userinfo(smtp_url))
		problem = xstrdup("smtp_url must not hold a user or password");
	else if (tls == TLS_IMPLICIT && util_strcasecmp(scheme, "smtps") != 0)
		problem = xstrdup("implicit TLS needs an smtps:// URL (port "
				  "465); for smtp:// (port 587) use tls = "
				  "starttls");
	else if (tls != TLS_IMPLICIT && util_strcasecmp(scheme, "smtp") != 0)
		problem = xasprintf(
		    "tls = %s needs an smtp:// URL, not %s://%s",
		    tls == TLS_NONE ? "none" : "starttls", scheme,
		    util_strcasecmp(scheme, "smtps") == 0
			? "; an smtps:// URL means implicit TLS (tls = "
			  "implicit)"
			: "");
	else if (tls == TLS_NONE && !host_is_local(host))
		problem = xasprintf("tls = none is only for a relay on this "
				    "host, not %s",
				    host);
	free(host);
	free(scheme);
	return problem;
}

int
provider_read_password(const struct provider *provider, char **password_out,
		       char **errstr_out)
{
	char *who = xasprintf("provider %s", provider->id);
	struct secret_source source = {who, provider->password_file,
				       "password_file", provider->password_env,
				       "password_env"};
	size_t length = 0;
	int result;

	*password_out = NULL;
	if (provider->user == NULL) {
		free(who);
		return 0;
	}
	result = secret_read(&source, password_out, &length, errstr_out);
	free(who);
	return result;
}
