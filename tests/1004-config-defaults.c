/*
 * 1004-config-defaults.c - every key left out of the configuration takes
 * the default that digest.ini(5) promises.
 *
 * Found by scripts/mutate (issue 7): a default time zone of UTC instead of
 * Europe/Amsterdam went unnoticed, because every test configuration names
 * its zone.  A configuration without one would have dated every digest,
 * and decided who already got today's, by the UTC day.  The other
 * defaults are pinned here for the same reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "datetime.h"
#include "letter.h"
#include "util.h"

static int failures;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);        \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			failures++;                                            \
		}                                                              \
	} while (0)

#define CHECK_STR(actual, expected)                                            \
	CHECK((actual) != NULL && strcmp((actual), (expected)) == 0,           \
	      "%s is \"%s\", want \"%s\"", #actual,                            \
	      (actual) ? (actual) : "(null)", (expected))

static const char minimal[] = "[digest]\n"
			      "title = Buitenland vandaag\n"
			      "\n"
			      "[source anp]\n"
			      "url = https://feeds.example.nl/buitenland.xml\n"
			      "\n"
			      "[mail]\n"
			      "default_provider = plain\n"
			      "\n"
			      "[provider implicit]\n"
			      "name = Implicit\n"
			      "smtp_url = smtps://smtp.example.nl\n"
			      "from = nieuws@example.nl\n"
			      "\n"
			      "[provider plain]\n"
			      "name = Plain\n"
			      "smtp_url = smtp://smtp.example.nl\n"
			      "from = nieuws@example.nl\n";

static int
ends_with(const char *text, const char *suffix)
{
	size_t length = strlen(text), suffix_length = strlen(suffix);

	return length >= suffix_length &&
	       strcmp(text + length - suffix_length, suffix) == 0;
}

static void
check_digest_and_fetch(const struct config *config, const char *directory)
{
	char *state = xasprintf("%s/digest.sqlite", directory);
	char date[11];

	CHECK_STR(config->language, "nl");
	CHECK_STR(config->timezone, "Europe/Amsterdam");
	/* The zone is used: 00:30 in Amsterdam is the next day already. */
	letter_digest_date(config, datetime_from_utc(2026, 11, 29, 23, 30, 0),
			   date);
	CHECK(strcmp(date, "2026-11-30") == 0, "the day of 00:30 is %s", date);
	CHECK(config->max_items == 20, "max_items %ld", config->max_items);
	CHECK(config->max_age == 48 * 3600, "max_age %ld", config->max_age);
	CHECK(config->template_dir != NULL && config->template_dir[0] == '/' &&
		  ends_with(config->template_dir, "/digest/templates"),
	      "templates %s", config->template_dir);
	CHECK_STR(config->state_path, state);
	CHECK(config->claim_lease == 120, "claim_lease %ld",
	      config->claim_lease);
	CHECK(config->connect_timeout == 10, "connect_timeout %ld",
	      config->connect_timeout);
	CHECK(config->fetch_timeout == 30, "timeout %ld",
	      config->fetch_timeout);
	CHECK(config->max_feed_size == (size_t)16 << 20, "max_size %zu",
	      config->max_feed_size);
	CHECK(config->max_redirects == 5, "max_redirects %ld",
	      config->max_redirects);
	CHECK(config->user_agent != NULL &&
		  strncmp(config->user_agent, "digest/", 7) == 0 &&
		  ends_with(config->user_agent,
			    " (foreign-news digest; feed reader)"),
	      "user_agent %s", config->user_agent);
	free(state);
}

static void
check_mail_and_providers(const struct config *config)
{
	CHECK(config->transport == TRANSPORT_KIND_SMTP, "transport %d",
	      (int)config->transport);
	CHECK(config->outbox_dir == NULL && config->list_id == NULL &&
		  config->unsubscribe_mailto == NULL && config->footer == NULL,
	      "a [mail] key has a value nobody gave it");
	CHECK(config->source_count == 1, "%zu sources", config->source_count);
	if (config->source_count == 1) {
		CHECK_STR(config->sources[0].name, "anp");
		CHECK(config->sources[0].category == NULL, "a category");
	}
	CHECK(config->provider_count == 2, "%zu providers",
	      config->provider_count);
	for (size_t i = 0; i < config->provider_count; i++) {
		const struct provider *provider = &config->providers[i];
		enum tls_mode want = strcmp(provider->id, "implicit") == 0
					 ? TLS_IMPLICIT
					 : TLS_STARTTLS;

		CHECK(provider->tls == want, "%s: tls %d", provider->id,
		      (int)provider->tls);
		/* RFC 5321 4.5.3.2: five minutes per reply, ten for the end
		 * of data. */
		CHECK(provider->connect_timeout == 30 &&
			  provider->timeout == 300 &&
			  provider->data_timeout == 600,
		      "%s: timeouts %ld %ld %ld", provider->id,
		      provider->connect_timeout, provider->timeout,
		      provider->data_timeout);
		CHECK(provider->user == NULL &&
			  provider->password_env == NULL &&
			  provider->password_file == NULL &&
			  provider->ca_file == NULL &&
			  provider->from_name == NULL,
		      "%s: a key has a value nobody gave it", provider->id);
	}
}

int
main(void)
{
	char directory[] = "/tmp/digest-1004-XXXXXX";
	struct config *config = NULL;
	char *problems = NULL;
	char *path;
	char *real;

	if (mkdtemp(directory) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	path = xasprintf("%s/digest.ini", directory);
	if (util_write_file_atomic(path, minimal, strlen(minimal)) < 0) {
		fprintf(stderr, "cannot write %s\n", path);
		return 99;
	}
	real = realpath(directory, NULL);
	if (config_load(path, &config, &problems) != CONFIG_OK) {
		fprintf(stderr, "config: %s\n", problems ? problems : "?");
		failures++;
	} else {
		check_digest_and_fetch(config, real ? real : directory);
		check_mail_and_providers(config);
	}
	config_free(config);
	free(problems);
	unlink(path);
	rmdir(directory);
	free(path);
	free(real);
	return failures != 0;
}
