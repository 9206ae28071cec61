/*
 * url.h - URL checks through libcurl's URL API, so that config and CLI
 * accept exactly what the fetcher and the transports will.
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
 * Resolves reference against base (RFC 3986).  Returns a new string
 * (free()), or NULL when either does not parse.
 */
char *url_resolve(const char *base, const char *reference);

/*
 * Returns the file:// URL of an absolute path, percent-encoding what a URL
 * may not hold as it is (a space, '#', '?'), or NULL when libcurl refuses
 * it.  The caller frees the result with free().
 */
char *url_from_file_path(const char *path);

#endif
