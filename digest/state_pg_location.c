/*
 * state_pg_location.c - where the store is: a SQLite file, or a
 * PostgreSQL URL (postgresql://, postgres://), which is checked before
 * anything connects (libpq's own parser, a port that is a number, no
 * password in it) and redacted wherever it is shown.  It stands below
 * state.c and the drivers, which all ask it, and asks none of them.
 */
#include "state_impl.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void
set_error(char **errstr_out, char *message)
{
	if (errstr_out != NULL)
		*errstr_out = message;
	else
		free(message);
}

int
state_location_is_pg(const char *location)
{
	return location != NULL &&
	       (strncmp(location, "postgresql://", 13) == 0 ||
		strncmp(location, "postgres://", 11) == 0);
}

int
state_location_is_path(const char *location)
{
	return !state_location_is_pg(location);
}

/*
 * The password in a URL (free()), from its user part or a password=
 * parameter, or NULL: for taking it out of messages.
 */
char *
state_pg_url_password(const char *location)
{
	const char *start = strstr(location, "://");
	const char *end, *at, *colon, *param;

	if (start == NULL)
		return NULL;
	start += 3;
	end = start + strcspn(start, "/?");
	for (at = end; at > start && at[-1] != '@'; at--)
		;
	colon = at > start ? memchr(start, ':', (size_t)(at - start)) : NULL;
	if (colon != NULL && at - 1 > colon + 1)
		return xstrndup(colon + 1, (size_t)(at - 1 - (colon + 1)));
	for (param = strstr(end, "password="); param != NULL;
	     param = strstr(param + 1, "password=")) {
		if (param[-1] == '?' || param[-1] == '&') {
			param += strlen("password=");
			return xstrndup(param, strcspn(param, "&"));
		}
	}
	return NULL;
}

char *
state_pg_redact(const char *location)
{
	char *copy = xstrdup(location);
	char *secret = state_pg_url_password(location);

	util_redact(&copy, secret);
	free(secret);
	return copy;
}

/*
 * Checks what libpq leaves to the connection and can be known before: a
 * port is a number (or a list of them, one per host), and no password.
 */
static enum state_status
check_option(const PQconninfoOption *option, char **errstr_out)
{
	const char *port = option->val;
	long number;

	if (port == NULL)
		return STATE_OK;
	if (strcmp(option->keyword, "password") == 0) {
		set_error(errstr_out, xstrdup("the URL holds a password"));
		return STATE_EINVALID;
	}
	if (strcmp(option->keyword, "port") != 0)
		return STATE_OK;
	while (*port) {
		char *one = xstrndup(port, strcspn(port, ","));
		int bad = util_parse_long(one, 1, 65535, &number) != 0;

		if (bad)
			set_error(errstr_out,
				  xasprintf("not a PostgreSQL URL: port "
					    "\"%s\" is not a number from "
					    "1 to 65535",
					    one));
		port += strlen(one) + (port[strlen(one)] == ',');
		free(one);
		if (bad)
			return STATE_EINVALID;
	}
	return STATE_OK;
}

enum state_status
state_location_check(const char *location, int password_given,
		     char **errstr_out)
{
	PQconninfoOption *options = NULL;
	char *message = NULL, *secret;
	enum state_status status = STATE_OK;

	if (location == NULL || location[0] == '\0') {
		set_error(errstr_out, xstrdup("empty"));
		return STATE_EINVALID;
	}
	if (!state_location_is_pg(location)) {
		if (!password_given)
			return STATE_OK;
		set_error(errstr_out,
			  xstrdup("a password is only for a PostgreSQL "
				  "state (postgresql://...), not for a "
				  "SQLite file"));
		return STATE_EINVALID;
	}
	secret = state_pg_url_password(location);
	options = PQconninfoParse(location, &message);
	if (options == NULL) {
		char *text = xasprintf("not a PostgreSQL URL: %s",
				       message ? message : "out of memory");

		/* libpq may quote the part it could not read. */
		util_redact(&text, secret);
		util_one_line(text);
		util_trim(text);
		set_error(errstr_out, text);
		status = STATE_EINVALID;
	} else if (secret != NULL) {
		set_error(errstr_out,
			  xstrdup("the URL holds a password: put it in "
				  "state_password_file or "
				  "state_password_env instead"));
		status = STATE_EINVALID;
	}
	for (PQconninfoOption *o = options;
	     status == STATE_OK && o && o->keyword; o++)
		status = check_option(o, errstr_out);
	PQconninfoFree(options);
	PQfreemem(message);
	free(secret);
	return status;
}
