/*
 * provider.h - a webmail provider: the SMTP settings that carry its
 * subscribers' mail ([provider ID] of the configuration), the rule that
 * ties its URL to its TLS mode, and its password, read from the
 * environment or a private file, never from the configuration.
 */
#ifndef DIGEST_PROVIDER_H
#define DIGEST_PROVIDER_H

enum tls_mode {
	TLS_STARTTLS = 0, /* smtp:// and STARTTLS required */
	TLS_IMPLICIT,	  /* smtps://, TLS from the first byte */
	TLS_NONE	  /* plain text: only for relays on this host */
};

/*
 * The SMTP client library that carries a provider's mail: libESMTP
 * pipelines (three round trips a message against libcurl's four), so it
 * is the default; libcurl is the one for implicit TLS (smtps://), which
 * libESMTP cannot do, and it uses less CPU on a fast local link.
 */
enum smtp_client { SMTP_CLIENT_LIBESMTP = 0, SMTP_CLIENT_LIBCURL };

/*
 * The SMTP time limits when the configuration says nothing, in seconds:
 * RFC 5321 (4.5.3.2) gives the server 5 minutes for its greeting and each
 * command's reply, and 10 minutes for its reply to the end of the data.
 */
#define PROVIDER_CONNECT_TIMEOUT 30L
#define PROVIDER_TIMEOUT 300L
#define PROVIDER_DATA_TIMEOUT 600L
/* Sessions at once, and messages a session, when it says nothing. */
#define PROVIDER_CONNECTIONS 1L
#define PROVIDER_MESSAGES_PER_CONNECTION 100L
/* The first pause when a provider asks for less (421, "too many"). */
#define PROVIDER_BACKOFF 30L

/* A webmail provider's SMTP settings: [provider ID]. */
struct provider {
	char *id;	/* the section's name: "zeelandnet" */
	char *name;	/* display name: "ZeelandNet webmail" */
	char *smtp_url; /* smtp://host:587 or smtps://host:465 */
	enum tls_mode tls;
	enum smtp_client client; /* smtp_client = libesmtp | libcurl */
	char *user;		 /* AUTH user; NULL: no AUTH */
	char *password_env;	 /* environment variable holding the password */
	char *password_file;	 /* or a file holding it (mode 0600) */
	char *ca_file;		 /* extra CA bundle for a private relay */
	char *from_address;	 /* nieuws@example.nl */
	char *from_name;	 /* display name for From */
	char *bounce_domain;	 /* VERP envelope senders there; NULL: from */
	long connect_timeout; /* seconds to connect (with TLS for smtps://) */
	long timeout;	      /* seconds for the greeting and each reply */
	long data_timeout;    /* seconds for the reply to the end of data */
	/* What it allows: at once, a session, a minute, an hour, a day. */
	long max_connections;	      /* sessions at the same time */
	long messages_per_connection; /* before a session ends and a new one */
	long max_per_minute;	      /* 0: no limit, as for the two below */
	long max_per_hour;	      /* in any 60 minutes */
	long max_per_day;	      /* the digest's day, all runs together */
	long backoff; /* seconds: the first pause when it asks for less */
	/* How its digests speak in its name; [mail]'s values when unset: */
	char *list_id;		  /* List-Id: "Nieuws <nieuws.delta.nl>" */
	char *unsubscribe_mailto; /* List-Unsubscribe mailto:, or NULL */
	char *footer;		  /* a line in the footer, or NULL */
};

/*
 * Checks that smtp_url parses, holds no credentials, and agrees with the
 * TLS mode (smtps:// is implicit TLS, smtp:// STARTTLS or plain; plain
 * only to this host).  Shared by the config loader and the SMTP
 * transport, so the rule exists once.  Returns NULL, or the problem in
 * words (free()).
 */
char *provider_smtp_url_problem(const char *smtp_url, enum tls_mode tls);

/*
 * Reads the SMTP password of provider from its environment variable or its
 * file (refused when group or others may read it).  Returns 0 and sets
 * *password_out (free() after clearing), or -1 and sets *errstr_out (free())
 * to a message that names the provider but never the secret.  A provider
 * without a user needs no password: 0 with *password_out NULL.
 */
int provider_read_password(const struct provider *provider, char **password_out,
			   char **errstr_out);

#endif
