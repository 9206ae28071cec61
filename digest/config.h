/*
 * config.h - the INI configuration, read once into plain structs.
 *
 * iniparser stays inside config.c: every value is copied into struct config
 * and the dictionary is freed before config_load() returns.
 */
#ifndef DIGEST_CONFIG_H
#define DIGEST_CONFIG_H

#include <stddef.h>

enum config_status {
	CONFIG_OK = 0,
	CONFIG_ENOENT,	/* the file cannot be read */
	CONFIG_EINVALID /* the file was read but has problems */
};

enum tls_mode {
	TLS_STARTTLS = 0, /* smtp:// and STARTTLS required */
	TLS_IMPLICIT,	  /* smtps://, TLS from the first byte */
	TLS_NONE	  /* plain text: only for relays on this host */
};

enum transport_kind {
	TRANSPORT_KIND_SMTP = 0, /* each subscriber's provider */
	TRANSPORT_KIND_MAILDIR,	 /* .eml files in an outbox directory */
	TRANSPORT_KIND_STDOUT	 /* messages on standard output */
};

/* A news feed: [source NAME]. */
struct source {
	char *id;	/* the section's name, as in "anp-buitenland" */
	char *name;	/* shown in the digest; the id unless name is set */
	char *url;	/* http://, https:// or file:// */
	char *category; /* keep only items in this category; NULL: all */
};

/* A webmail provider's SMTP settings: [provider ID]. */
struct provider {
	char *id;	/* the section's name: "zeelandnet" */
	char *name;	/* display name: "ZeelandNet webmail" */
	char *smtp_url; /* smtp://host:587 or smtps://host:465 */
	enum tls_mode tls;
	char *user;	     /* AUTH user; NULL: no AUTH */
	char *password_env;  /* environment variable holding the password */
	char *password_file; /* or a file holding it (mode 0600) */
	char *ca_file;	     /* extra CA bundle for a private relay */
	char *from_address;  /* nieuws@example.nl */
	char *from_name;     /* display name for From */
	long timeout;	     /* seconds for connect and each reply */
};

struct config {
	char *path;	/* the file this came from */
	char *base_dir; /* its directory: relative paths start here */

	/* [digest] */
	char *title;
	char *language;	    /* "nl" or "en" */
	char *timezone;	    /* IANA zone, "Europe/Amsterdam" */
	long max_items;	    /* how many items a digest shows */
	long max_age;	    /* seconds: older items are left out */
	char *template_dir; /* absolute */
	char *state_path;   /* absolute: the SQLite database */

	/* [fetch] */
	long connect_timeout; /* seconds */
	long fetch_timeout;   /* seconds, whole transfer */
	size_t max_feed_size; /* bytes */
	long max_redirects;
	long future_tolerance; /* seconds an item's date may lie ahead */
	char *user_agent;

	/* [mail] */
	enum transport_kind transport;
	char *outbox_dir;	/* absolute; for TRANSPORT_KIND_MAILDIR */
	char *default_provider; /* id of a provider */
	char *list_id; /* "Buitenland digest <buitenland.example.nl>" */
	char *unsubscribe_mailto; /* address for List-Unsubscribe mailto: */
	char *unsubscribe_url;	  /* https base for one-click; NULL: none */

	struct source *sources;
	size_t source_count;
	struct provider *providers;
	size_t provider_count;
};

/*
 * Reads and validates the INI file at path.  On CONFIG_OK *config_out is a
 * new config that the caller frees with config_free().  On CONFIG_EINVALID
 * *problems_out holds every problem found, one per line, each naming the
 * file, section and key ("digest.ini: [provider delta] smtp_url: ...");
 * on CONFIG_ENOENT it holds one line.  The caller frees it with free().
 */
enum config_status config_load(const char *path, struct config **config_out,
			       char **problems_out);

/* Returns the provider with this id, or NULL. */
const struct provider *config_find_provider(const struct config *config,
					    const char *id);

/* Returns the source whose section is [source ID], or NULL. */
const struct source *config_find_source(const struct config *config,
					const char *name);

/*
 * Reads the SMTP password of provider from its environment variable or its
 * file (refused when group or others may read it).  Returns 0 and sets
 * *password_out (free() after clearing), or -1 and sets *errstr_out (free())
 * to a message that names the provider but never the secret.  A provider
 * without a user needs no password: 0 with *password_out NULL.
 */
int config_read_password(const struct provider *provider, char **password_out,
			 char **errstr_out);

void config_free(struct config *config);

#endif
