/*
 * config.h - the INI configuration, read once into plain structs.
 *
 * iniparser stays inside config.c: every value is copied into struct config
 * and the dictionary is freed before config_load() returns.
 */
#ifndef DIGEST_CONFIG_H
#define DIGEST_CONFIG_H

#include <stddef.h>
#include <time.h>

#include "provider.h"

enum config_status {
	CONFIG_OK = 0,
	CONFIG_ENOENT,	/* the file cannot be read */
	CONFIG_EINVALID /* the file was read but has problems */
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
	char *state_path;   /* a SQLite file (absolute) or a PostgreSQL URL */
	char *state_password_file; /* the database server's password, */
	char *state_password_env;  /* from either (or neither) */
	long claim_lease; /* seconds a run's claims outlive its last sign */
	int syslog;	  /* warnings and summaries to syslog too */

	/* [fetch] */
	long connect_timeout; /* seconds */
	long fetch_timeout;   /* seconds, whole transfer */
	size_t max_feed_size; /* bytes */
	long max_redirects;
	long future_tolerance; /* seconds an item's date may lie ahead */
	char *user_agent;
	long error_after; /* runs a source may fail before it is an error */

	/* [mail] */
	enum transport_kind transport;
	char *outbox_dir;	/* absolute; for TRANSPORT_KIND_MAILDIR */
	char *default_provider; /* id of a provider */
	/* The defaults of the providers that do not set their own: */
	char *list_id; /* "Buitenland digest <buitenland.example.nl>" */
	char *unsubscribe_mailto; /* address for List-Unsubscribe mailto: */
	char *footer;		  /* a line in the footer, or NULL */
	long retries;	  /* more tries in a run after a temporary failure */
	long retry_delay; /* seconds before the first; each doubles it */
	int resend_uncertain;  /* uncertain = resend: send those again */
	long deactivate_after; /* days with a permanent failure; 0: never */
	int note_when_empty;   /* when_empty = note: mail "no news" anyway */

	/* [web]: the subscribers' pages (digest serve) and signed links */
	struct web {
		char *base_url;	   /* public URL of the pages; NULL: no links */
		char *listen;	   /* where digest serve listens: ADDR:PORT */
		char *secret_file; /* the key that signs links (mode 600) */
		char *secret_env;  /* or an environment variable */
		char *previous_secret_file; /* the key it replaced */
		char *previous_secret_env;
		time_t previous_until; /* that one verifies until then */
		long link_max_age;     /* seconds a link in a mail works */
		long confirm_max_age;  /* seconds a sign-up link works */
		int data_export;       /* subscribers may download their data */
		int data_erase;	       /* and erase it */
	} web;

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

/*
 * The configured provider ids for a message, "zeelandnet, delta" ("none"
 * without any).  Returns a new string (free()).
 */
char *config_provider_ids(const struct config *config);

void config_free(struct config *config);

#endif
