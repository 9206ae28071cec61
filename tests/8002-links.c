/*
 * 8002-links.c - the signed links in a letter (letter.c with links.c):
 * the List-Unsubscribe link and the footer's unsubscribe, preferences and
 * view links verify with the key of [web] secret_file for the reader's
 * address and their own action, and fail with another key, another
 * action, or once they are older than link_max_age.  Each provider's
 * List-Id and unsubscribe address go into its readers' letters.  The
 * "Kies je webmail" prompt comes only to a reader who has not chosen a
 * webmail and was never prompted, and only with links; one-click
 * (List-Unsubscribe-Post) only for an https base.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "3500-render-sample.h"
#include "config.h"
#include "letter.h"
#include "links.h"
#include "sign.h"
#include "testcheck.h"

#define KEY "8002-the-key-that-signs-links-0123456789"
#define BASE "https://nieuws.example.nl/digest"

static const time_t now = 1795941000; /* 2026-11-29 07:50 UTC */

/* Writes text to directory/name with mode; exits 2 when it cannot. */
static char *
put_file(const char *directory, const char *name, const char *text, int mode)
{
	char *path = xasprintf("%s/%s", directory, name);

	if (util_write_file_atomic(path, text, strlen(text)) < 0 ||
	    chmod(path, (mode_t)mode) < 0) {
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return path;
}

/* A configuration with two providers and [web] at base. */
static struct config *
load_config(const char *directory, const char *base)
{
	char *templates = sample_template_dir();
	char *text = xasprintf(
	    "[digest]\ntitle = Buitenland\ntemplates = %s\n"
	    "state = %s/state.sqlite\n"
	    "[source leeg]\nurl = file:///dev/null\n"
	    "[mail]\ntransport = stdout\ndefault_provider = zeelandnet\n"
	    "list_id = Buitenland <buitenland.example.nl>\n"
	    "unsubscribe_mailto = afmelden@example.nl\n"
	    "[provider zeelandnet]\nname = ZeelandNet webmail\n"
	    "smtp_url = smtps://127.0.0.1:1\nfrom = nieuws@zeelandnet.example\n"
	    "[provider delta]\nname = DELTA webmail\n"
	    "smtp_url = smtps://127.0.0.1:1\nfrom = nieuws@delta.example\n"
	    "list_id = Buitenland DELTA <buitenland.delta.example>\n"
	    "unsubscribe_mailto = afmelden@delta.example\n"
	    "[web]\nbase_url = %s\nsecret_file = %s/link.key\n",
	    templates, directory, base, directory);
	char *path = put_file(directory, "digest.ini", text, 0644);
	struct config *config = NULL;
	char *problems = NULL;

	if (config_load(path, &config, &problems) != CONFIG_OK) {
		fprintf(stderr, "config: %s\n", problems);
		exit(2);
	}
	free(problems);
	free(path);
	free(text);
	free(templates);
	return config;
}

/* The token of the first BASE/action?t= link in text (free()), or NULL. */
static char *
token_in(const char *text, const char *base, const char *action)
{
	char *prefix = xasprintf("%s/%s?t=", base, action);
	const char *start = strstr(text, prefix);
	size_t length;

	if (start == NULL) {
		free(prefix);
		return NULL;
	}
	start += strlen(prefix);
	free(prefix);
	length = strspn(start, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
			       "tuvwxyz0123456789-_.");
	return xstrndup(start, length);
}

/* The token verifies for email and action with signer, and only so. */
static void
check_token(const struct signer *signer, const struct signer *other,
	    const char *token, const char *action, const char *email,
	    long max_age)
{
	char *subject = NULL;

	CHECK(token != NULL);
	if (token == NULL)
		return;
	CHECK(sign_check(signer, token, action, now, max_age, &subject, NULL) ==
	      SIGN_OK);
	CHECK(subject != NULL && strcmp(subject, email) == 0);
	free(subject);
	CHECK(sign_check(other, token, action, now, max_age, &subject, NULL) ==
	      SIGN_EFORGED);
	CHECK(sign_check(signer, token,
			 strcmp(action, LINKS_PREFS) == 0 ? LINKS_UNSUBSCRIBE
							  : LINKS_PREFS,
			 now, max_age, &subject, NULL) == SIGN_EFORGED);
	CHECK(sign_check(signer, token, action, now + max_age + 1, max_age,
			 &subject, NULL) == SIGN_EEXPIRED);
}

/* The List-Unsubscribe header's value, up to the next header. */
static char *
list_unsubscribe(const char *message)
{
	const char *start = strstr(message, "\r\nList-Unsubscribe: ");
	const char *end;

	if (start == NULL)
		return xstrdup("");
	start += 2;
	for (end = strstr(start, "\r\n"); end != NULL && end[2] == ' ';
	     end = strstr(end + 2, "\r\n"))
		continue;
	return end ? xstrndup(start, (size_t)(end - start)) : xstrdup(start);
}

static void
test_links(const struct config *config, struct renderer *renderer,
	   const struct links *links, const struct item_list *items)
{
	struct subscriber reader = {0};
	struct signer *other =
	    sign_new("another key, also 32 bytes long!!", 33, NULL, 0, 0);
	const struct signer *signer = links_signer(links);
	long max_age = config->web.link_max_age;
	struct letter letter;
	char *errstr = NULL, *text = NULL, *header, *token;

	reader.email = "anna@example.nl";
	reader.language = "nl";
	reader.active = 1;
	CHECK(letter_build(config, renderer, links, items, &reader, now,
			   &letter, &errstr) == LETTER_OK);
	header = list_unsubscribe(letter.message);
	CHECK(strstr(header, "<mailto:afmelden@example.nl?subject=") != NULL);
	token = token_in(header, BASE, LINKS_UNSUBSCRIBE);
	check_token(signer, other, token, LINKS_UNSUBSCRIBE, reader.email,
		    max_age);
	CHECK(strstr(letter.message, "\r\nList-Unsubscribe-Post: "
				     "List-Unsubscribe=One-Click\r\n") != NULL);
	CHECK(strstr(letter.message, "\r\nList-Id: Buitenland "
				     "<buitenland.example.nl>\r\n") != NULL);
	CHECK(letter.prompted == 1);
	free(token);
	free(header);
	letter_clear(&letter);

	/* The footer's three links, in the text part as rendered. */
	CHECK(letter_render_part(config, renderer, links, items, &reader,
				 RENDER_TEXT, now, &text,
				 &errstr) == RENDER_OK);
	for (size_t i = 0; i < 3; i++) {
		const char *action = i == 0   ? LINKS_UNSUBSCRIBE
				     : i == 1 ? LINKS_PREFS
					      : LINKS_VIEW;

		token = token_in(text ? text : "", BASE, action);
		check_token(signer, other, token, action, reader.email,
			    max_age);
		free(token);
	}
	CHECK(text != NULL && strstr(text, "Kies je webmail") != NULL);
	free(text);
	sign_free(other);
}

/* Each provider's name; the prompt once, for who has not chosen. */
static void
test_providers(const struct config *config, struct renderer *renderer,
	       const struct links *links, const struct item_list *items)
{
	struct subscriber reader = {0};
	struct letter letter;
	char *errstr = NULL, *header;

	reader.email = "joost@delta.example";
	reader.provider = "delta";
	reader.language = "en";
	reader.active = 1;
	CHECK(letter_build(config, renderer, links, items, &reader, now,
			   &letter, &errstr) == LETTER_OK);
	header = list_unsubscribe(letter.message);
	CHECK(strstr(header, "<mailto:afmelden@delta.example?") != NULL);
	CHECK(strstr(letter.message, "\r\nList-Id: Buitenland DELTA "
				     "<buitenland.delta.example>\r\n") != NULL);
	CHECK(letter.prompted == 0);
	CHECK(strstr(letter.message, "Choose your webmail") == NULL);
	free(header);
	letter_clear(&letter);

	/* Prompted once already: never again. */
	reader.provider = NULL;
	reader.prompted_at = now - 86400;
	CHECK(letter_build(config, renderer, links, items, &reader, now,
			   &letter, &errstr) == LETTER_OK);
	CHECK(letter.prompted == 0);
	CHECK(strstr(letter.message, "Choose your webmail") == NULL);
	letter_clear(&letter);

	/* Without [web] there is no page to choose on: no prompt. */
	reader.prompted_at = 0;
	CHECK(letter_build(config, renderer, NULL, items, &reader, now, &letter,
			   &errstr) == LETTER_OK);
	CHECK(letter.prompted == 0);
	CHECK(strstr(letter.message, "List-Unsubscribe-Post") == NULL);
	CHECK(strstr(letter.message, "/unsubscribe?t=") == NULL);
	letter_clear(&letter);
}

/* A plain http base (this host only): links, but no one-click. */
static void
test_http_base(const char *directory, struct renderer *renderer,
	       const struct item_list *items)
{
	struct config *config = load_config(directory, "http://127.0.0.1:8025");
	struct links *links = NULL;
	struct subscriber reader = {0};
	struct letter letter;
	char *errstr = NULL, *header;

	CHECK(links_open(config, &links, &errstr) == LINKS_OK);
	reader.email = "anna@example.nl";
	reader.language = "nl";
	reader.format = SUBSCRIBER_FORMAT_TEXT;
	reader.active = 1;
	CHECK(letter_build(config, renderer, links, items, &reader, now,
			   &letter, &errstr) == LETTER_OK);
	header = list_unsubscribe(letter.message);
	CHECK(strstr(header, "http://") == NULL);
	CHECK(strstr(letter.message, "List-Unsubscribe-Post") == NULL);
	CHECK(strstr(letter.message, "http://127.0.0.1:8025/prefs?t=") != NULL);
	free(header);
	letter_clear(&letter);
	links_free(links);
	config_free(config);
}

int
main(void)
{
	char directory[] = "/tmp/digest-8002-XXXXXX";
	struct config *config;
	struct links *links = NULL;
	struct renderer *renderer = NULL;
	struct item_list items = {0};
	char *key_path, *errstr = NULL, *templates = sample_template_dir();

	if (mkdtemp(directory) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	key_path = put_file(directory, "link.key", KEY "\n", 0600);
	config = load_config(directory, BASE);
	if (links_open(config, &links, &errstr) != LINKS_OK ||
	    render_open(templates, &renderer, &errstr) != RENDER_OK) {
		fprintf(stderr, "setup: %s\n", errstr);
		return 2;
	}
	sample_list_fill(&items, sample_items, 2);
	test_links(config, renderer, links, &items);
	test_providers(config, renderer, links, &items);
	test_http_base(directory, renderer, &items);

	/* A key others may read is refused, naming the key. */
	chmod(key_path, 0644);
	links_free(links);
	CHECK(links_open(config, &links, &errstr) == LINKS_EKEY);
	CHECK(errstr != NULL && strstr(errstr, "secret_file") != NULL);
	free(errstr);

	sample_list_free(&items);
	render_close(renderer);
	config_free(config);
	unlink(key_path);
	free(key_path);
	key_path = xasprintf("%s/digest.ini", directory);
	unlink(key_path);
	free(key_path);
	rmdir(directory);
	free(templates);
	if (failures > 0) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	return 0;
}
