/*
 * sign.c - see sign.h.
 *
 * A token is four fields joined by dots: the version "1", the subject in
 * base64url, the action, the issue time in hexadecimal, and the MAC in
 * base64url:  1.YW5uYUBleGFtcGxlLm5s.unsubscribe.69aa1b40.<43 characters>
 * The MAC covers a label, the subject, the action and the time, each
 * ended by a NUL, so no two different triples sign alike.
 */
#include "sign.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#include "util.h"

#define SIGN_LABEL "digest-link-1"
#define SIGN_MAC_SIZE 32
/* A token issued this far in the future is clock skew, not forgery. */
#define SIGN_SKEW 300
/* No subject, action or token is longer: anything longer is refused. */
#define SIGN_FIELD_MAX 512

struct signer {
	unsigned char *keys[2];
	size_t lengths[2];
	time_t previous_until;
	/*
	 * HMAC-SHA256 keyed with each key once, copied for each MAC: the
	 * one-shot HMAC() looks the algorithm up and keys it every time,
	 * most of the cost of a letter's three links.  NULL where OpenSSL
	 * could not make one (HMAC() then serves).
	 */
	EVP_MAC_CTX *keyed[2];
};

/* Returns HMAC-SHA256 keyed with key (EVP_MAC_CTX_free()), or NULL. */
static EVP_MAC_CTX *
keyed_mac(const unsigned char *key, size_t length)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *context = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[2];

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (context != NULL && !EVP_MAC_init(context, key, length, params)) {
		EVP_MAC_CTX_free(context);
		context = NULL;
	}
	EVP_MAC_free(mac);
	return context;
}

static unsigned char *
copy_key(const char *key, size_t length)
{
	unsigned char *copy = xmalloc(length ? length : 1);

	memcpy(copy, key, length);
	return copy;
}

struct signer *
sign_new(const char *current, size_t current_length, const char *previous,
	 size_t previous_length, time_t previous_until)
{
	struct signer *signer = xcalloc(1, sizeof *signer);

	signer->keys[0] = copy_key(current, current_length);
	signer->lengths[0] = current_length;
	if (previous != NULL) {
		signer->keys[1] = copy_key(previous, previous_length);
		signer->lengths[1] = previous_length;
		signer->previous_until = previous_until;
	}
	for (int i = 0; i < 2; i++)
		if (signer->keys[i] != NULL)
			signer->keyed[i] =
			    keyed_mac(signer->keys[i], signer->lengths[i]);
	return signer;
}

void
sign_free(struct signer *signer)
{
	if (signer == NULL)
		return;
	for (int i = 0; i < 2; i++) {
		if (signer->keys[i] != NULL)
			OPENSSL_cleanse(signer->keys[i], signer->lengths[i]);
		free(signer->keys[i]);
		EVP_MAC_CTX_free(signer->keyed[i]);
	}
	free(signer);
}

static const char base64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Appends length bytes as unpadded base64url. */
static void
put_base64url(struct buf *out, const unsigned char *bytes, size_t length)
{
	for (size_t i = 0; i < length; i += 3) {
		unsigned long group = (unsigned long)bytes[i] << 16;
		size_t left = length - i;

		if (left > 1)
			group |= (unsigned long)bytes[i + 1] << 8;
		if (left > 2)
			group |= bytes[i + 2];
		buf_putc(out, base64url[group >> 18 & 63]);
		buf_putc(out, base64url[group >> 12 & 63]);
		if (left > 1)
			buf_putc(out, base64url[group >> 6 & 63]);
		if (left > 2)
			buf_putc(out, base64url[group & 63]);
	}
}

static int
base64url_value(char c)
{
	const char *at = c ? strchr(base64url, c) : NULL;

	return at ? (int)(at - base64url) : -1;
}

/* Decodes unpadded base64url into out; returns 0 or -1. */
static int
get_base64url(const char *text, size_t length, struct buf *out)
{
	unsigned long group = 0;
	int bits = 0, value;

	if (length % 4 == 1)
		return -1;
	for (size_t i = 0; i < length; i++) {
		if ((value = base64url_value(text[i])) < 0)
			return -1;
		group = (group << 6 | (unsigned long)value) & 0xFFFFFF;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_putc(out, (char)(group >> bits & 0xFF));
		}
	}
	/* Bits left over must be zero, so each MAC has one spelling only. */
	if (bits > 0 && (group & ((1UL << bits) - 1)) != 0)
		return -1;
	return 0;
}

/*
 * The MAC of length bytes at message from a copy of keyed (which may be
 * NULL), into mac_out.  Returns 0, or -1 when there is none.  A copy, so
 * that threads may share the signer.
 */
static int
keyed_mac_of(const EVP_MAC_CTX *keyed, const unsigned char *message,
	     size_t length, unsigned char mac_out[SIGN_MAC_SIZE])
{
	EVP_MAC_CTX *context = keyed != NULL ? EVP_MAC_CTX_dup(keyed) : NULL;
	size_t written = 0;
	int result = -1;

	if (context != NULL && EVP_MAC_update(context, message, length) &&
	    EVP_MAC_final(context, mac_out, &written, SIGN_MAC_SIZE) &&
	    written == SIGN_MAC_SIZE)
		result = 0;
	EVP_MAC_CTX_free(context);
	return result;
}

/* The MAC of (subject, action, issued) under key number which. */
static void
mac_of(const struct signer *signer, int which, const char *subject,
       const char *action, time_t issued, unsigned char mac_out[SIGN_MAC_SIZE])
{
	struct buf message = BUF_INIT;
	unsigned int length = SIGN_MAC_SIZE;

	buf_append(&message, SIGN_LABEL, sizeof SIGN_LABEL);
	buf_append(&message, subject, strlen(subject) + 1);
	buf_append(&message, action, strlen(action) + 1);
	buf_printf(&message, "%llx", (unsigned long long)issued);
	if (keyed_mac_of(signer->keyed[which],
			 (const unsigned char *)message.data,
			 message.length + 1, mac_out) < 0 &&
	    HMAC(EVP_sha256(), signer->keys[which], (int)signer->lengths[which],
		 (const unsigned char *)message.data, message.length + 1,
		 mac_out, &length) == NULL)
		memset(mac_out, 0, SIGN_MAC_SIZE);
	buf_free(&message);
}

char *
sign_token(const struct signer *signer, const char *subject, const char *action,
	   time_t issued)
{
	unsigned char mac[SIGN_MAC_SIZE];
	struct buf token = BUF_INIT;

	mac_of(signer, 0, subject, action, issued, mac);
	buf_puts(&token, "1.");
	put_base64url(&token, (const unsigned char *)subject, strlen(subject));
	buf_printf(&token, ".%s.%llx.", action, (unsigned long long)issued);
	put_base64url(&token, mac, sizeof mac);
	return buf_detach(&token);
}

/* The parts of a token, pointing into a copy of it. */
struct parts {
	char *fields[5];
};

static int
split(char *copy, struct parts *parts)
{
	char *cursor = copy;

	for (int i = 0; i < 5; i++) {
		parts->fields[i] = cursor;
		cursor = strchr(cursor, '.');
		if ((cursor == NULL) != (i == 4))
			return -1;
		if (cursor != NULL)
			*cursor++ = '\0';
	}
	return strcmp(parts->fields[0], "1") == 0 ? 0 : -1;
}

/* Reads the hexadecimal issue time; 0 or -1. */
static int
read_issued(const char *text, time_t *issued_out)
{
	unsigned long long value = 0;

	if (*text == '\0' || strlen(text) > 15)
		return -1;
	for (; *text; text++) {
		int digit = (*text >= '0' && *text <= '9')   ? *text - '0'
			    : (*text >= 'a' && *text <= 'f') ? *text - 'a' + 10
							     : -1;

		if (digit < 0)
			return -1;
		value = value * 16 + (unsigned long long)digit;
	}
	*issued_out = (time_t)value;
	return 0;
}

/* Whether mac was made by one of the keys that verify at now. */
static int
mac_matches(const struct signer *signer, const unsigned char *mac,
	    const char *subject, const char *action, time_t issued, time_t now)
{
	unsigned char expected[SIGN_MAC_SIZE];
	int match = 0;

	for (int which = 0; which < 2 && !match; which++) {
		if (signer->keys[which] == NULL ||
		    (which == 1 && now > signer->previous_until))
			continue;
		mac_of(signer, which, subject, action, issued, expected);
		match = CRYPTO_memcmp(expected, mac, SIGN_MAC_SIZE) == 0;
	}
	return match;
}

enum sign_status
sign_check(const struct signer *signer, const char *token, const char *action,
	   time_t now, long max_age, char **subject_out, time_t *issued_out)
{
	struct buf subject = BUF_INIT, mac = BUF_INIT;
	enum sign_status status = SIGN_EMALFORMED;
	struct parts parts;
	char *copy = NULL;
	time_t issued = 0;

	*subject_out = NULL;
	if (token == NULL || strlen(token) > SIGN_FIELD_MAX)
		return SIGN_EMALFORMED;
	copy = xstrdup(token);
	if (split(copy, &parts) < 0 || read_issued(parts.fields[3], &issued) ||
	    get_base64url(parts.fields[1], strlen(parts.fields[1]), &subject) <
		0 ||
	    get_base64url(parts.fields[4], strlen(parts.fields[4]), &mac) < 0 ||
	    mac.length != SIGN_MAC_SIZE || subject.length == 0 ||
	    memchr(subject.data, '\0', subject.length) != NULL)
		goto out;
	status = SIGN_EFORGED;
	if (strcmp(parts.fields[2], action) != 0 ||
	    !mac_matches(signer, (const unsigned char *)mac.data, subject.data,
			 action, issued, now) ||
	    issued > now + SIGN_SKEW)
		goto out;
	status = SIGN_EEXPIRED;
	if (max_age >= 0 && now - issued > max_age)
		goto out;
	status = SIGN_OK;
	*subject_out = buf_detach(&subject);
	if (issued_out != NULL)
		*issued_out = issued;
out:
	buf_free(&subject);
	buf_free(&mac);
	free(copy);
	return status;
}

char *
sign_keyed_hash(const struct signer *signer, int which, const char *purpose,
		const char *text)
{
	unsigned char mac[SIGN_MAC_SIZE];
	unsigned int length = SIGN_MAC_SIZE;
	struct buf message = BUF_INIT, out = BUF_INIT;

	if (which < 0 || which > 1 || signer->keys[which] == NULL)
		return NULL;
	/* Another label than links have: a hash is never a valid MAC. */
	buf_puts(&message, "digest-hash-1");
	buf_putc(&message, '\0');
	buf_append(&message, purpose, strlen(purpose) + 1);
	buf_puts(&message, text);
	if (HMAC(EVP_sha256(), signer->keys[which], (int)signer->lengths[which],
		 (const unsigned char *)message.data, message.length, mac,
		 &length) == NULL)
		memset(mac, 0, sizeof mac);
	buf_free(&message);
	put_base64url(&out, mac, sizeof mac);
	return buf_detach(&out);
}
