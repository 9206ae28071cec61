/*
 * url.h - URLs through libcurl's URL API, so that config and CLI accept
 * exactly what the fetcher and the transports will; keeping credentials
 * out of what is shown; and libcurl's one process-wide initialisation.
 */
#ifndef DIGEST_URL_H
#define DIGEST_URL_H

/*
 * Checks that url parses and that its scheme is one of schemes, a
 * comma-separated list ("http,https,file").  Returns 0, or -1 with
 * *errstr_out (free()) saying why in a few words.
 */
int url_check(const char *url, const char *schemes, char **errstr_out);

/*
 * Returns 1 when url carries a user or password ("smtp://u:p@host"), so
 * that callers neither accept nor echo it; 0 otherwise.
 */
int url_has_userinfo(const char *url);

/*
 * Returns the scheme of url in lowercase (free()), or NULL when it does not
 * parse.
 */
char *url_scheme(const char *url);

/*
 * Returns "host:port" of url (free()), with the scheme's default port when
 * none is given, or NULL when it does not parse.  For messages.
 */
char *url_host_port(const char *url);

/*
 * Returns the file:// URL of an absolute path, percent-encoding what a URL
 * may not hold as it is (a space, '#', '?'), or NULL when libcurl refuses
 * it.  The caller frees the result with free().
 */
char *url_from_file_path(const char *path);

/*
 * Initialises libcurl for the process, once, however often it is called.
 * Returns 0, or -1 with *error_out (may be NULL; static, never freed) set
 * to libcurl's reason.
 */
int url_library_init(const char **error_out);

/* Returns the host of url (free()), or NULL when it does not parse. */
char *url_host(const char *url);

/*
 * Returns text percent-encoded for a query value ("a b@c" ->
 * "a%20b%40c") (free()), or NULL when libcurl cannot.
 */
char *url_escape(const char *text);

/*
 * Replaces in *text every user name or password that url carries, both as
 * written and decoded, by "***", so that a message never shows one.
 */
void url_scrub_credentials(char **text, const char *url);

/*
 * Returns url without its user name and password (free()), safe to use
 * as a base for links or to show.
 */
char *url_without_credentials(const char *url);

/*
 * Returns url with every byte that may not stand in a URL as it is (a
 * space, a quote, '<', a control, a byte of UTF-8) percent-encoded, so
 * that a link from a feed is safe in an href and in the text part; what
 * is already encoded stays as it is.  Returns a new string (free()).
 */
char *url_encode_unsafe(const char *url);

#endif
