/*
 * fetch.c - see fetch.h.
 *
 * Every URL gets its own easy handle on one multi handle, so a slow or dead
 * server costs at most its own timeout and never delays the others.
 */
#include "fetch.h"

#include "url.h"
#include "util.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* What one transfer needs while it runs; results land in *result. */
struct transfer {
	CURL *easy;
	const char *url;
	const struct fetch_validators *known; /* sent with the request */
	struct curl_slist *headers;
	struct fetch_result *result;
	struct buf body;
	size_t max_size;
	int too_big;
	int in_multi;
	int done;
	char error_buffer[CURL_ERROR_SIZE];
};

_Static_assert(sizeof(curl_off_t) == sizeof(int64_t),
	       "curl_off_t is 64 bits wide");

/* Protocols: feeds may live in files, but a server may not send us there. */
static const char fetch_protocols[] = "http,https,file";
static const char fetch_redirect_protocols[] = "http,https";

static size_t
write_body(char *data, size_t size, size_t count, void *userdata)
{
	struct transfer *transfer = userdata;
	size_t length = size * count;

	/*
	 * The cap applies to the decoded bytes, so a small gzip bomb cannot
	 * get past it the way it gets past the Content-Length check.
	 */
	if (transfer->max_size != 0 &&
	    (length > transfer->max_size ||
	     transfer->body.length > transfer->max_size - length)) {
		transfer->too_big = 1;
		return 0; /* anything short of length aborts the transfer */
	}
	buf_append(&transfer->body, data, length);
	return length;
}

/*
 * Keeps a validator header of the response, when it is one and its value
 * is safe to send back in a request header (no control characters).
 */
static void
take_validator(struct fetch_validators *validators, const char *line,
	       size_t length)
{
	static const char *const names[2] = {"etag:", "last-modified:"};
	char **slots[2] = {&validators->etag, &validators->last_modified};
	char *value;

	for (int i = 0; i < 2; i++) {
		size_t name_length = strlen(names[i]);

		if (length <= name_length ||
		    util_strncasecmp(line, names[i], name_length) != 0)
			continue;
		value = xstrndup(line + name_length, length - name_length);
		value[strcspn(value, "\r\n")] = '\0';
		util_trim(value);
		for (const char *p = value; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				value[0] = '\0';
		free(*slots[i]);
		*slots[i] =
		    value[0] != '\0' && strlen(value) < 512 ? value : NULL;
		if (*slots[i] == NULL)
			free(value);
	}
}

static size_t
read_header(char *data, size_t size, size_t count, void *userdata)
{
	struct transfer *transfer = userdata;
	size_t length = size * count;

	/* A redirect's headers are not the feed's: start each reply anew. */
	if (length > 5 && memcmp(data, "HTTP/", 5) == 0)
		fetch_validators_clear(&transfer->result->validators);
	else
		take_validator(&transfer->result->validators, data, length);
	return length;
}

/* Asks for the feed only if it changed since the validators known. */
static int
add_conditions(struct transfer *transfer)
{
	const struct fetch_validators *known = transfer->known;
	char *header;

	if (known == NULL || (util_strncasecmp(transfer->url, "http://", 7) &&
			      util_strncasecmp(transfer->url, "https://", 8)))
		return 0;
	if (known->etag != NULL) {
		header = xasprintf("If-None-Match: %s", known->etag);
		transfer->headers =
		    curl_slist_append(transfer->headers, header);
		free(header);
	}
	if (known->last_modified != NULL) {
		header =
		    xasprintf("If-Modified-Since: %s", known->last_modified);
		transfer->headers =
		    curl_slist_append(transfer->headers, header);
		free(header);
	}
	return transfer->headers == NULL &&
		       (known->etag != NULL || known->last_modified != NULL)
		   ? -1
		   : 0;
}

/* Sets status and a formatted errstr on a transfer's result. */
static void __attribute__((format(printf, 3, 4)))
fail(struct transfer *transfer, enum fetch_status status, const char *format,
     ...)
{
	va_list args;

	va_start(args, format);
	free(transfer->result->errstr);
	transfer->result->errstr = xvasprintf(format, args);
	va_end(args);
	transfer->result->status = status;
	url_scrub_credentials(&transfer->result->errstr, transfer->url);
}

/* Curl's own words, or its generic text when the buffer is empty. */
static const char *
curl_words(const struct transfer *transfer, CURLcode code)
{
	if (transfer->error_buffer[0] != '\0')
		return transfer->error_buffer;
	return curl_easy_strerror(code);
}

/*
 * Explains why a file:// URL could not be read: libcurl only says it could
 * not, so look at the path ourselves (for the message only).
 */
static void
fail_file(struct transfer *transfer)
{
	CURLU *handle = curl_url();
	char *path = NULL;
	struct stat info;

	if (handle == NULL ||
	    curl_url_set(handle, CURLUPART_URL, transfer->url, 0) !=
		CURLUE_OK ||
	    curl_url_get(handle, CURLUPART_PATH, &path, CURLU_URLDECODE) !=
		CURLUE_OK)
		fail(transfer, FETCH_EOTHER, "cannot read file");
	else if (stat(path, &info) != 0)
		fail(transfer, FETCH_EOTHER, "%s",
		     errno == ENOENT || errno == ENOTDIR ? "no such file"
							 : strerror(errno));
	else if (S_ISDIR(info.st_mode))
		fail(transfer, FETCH_EOTHER, "is a directory");
	else
		fail(transfer, FETCH_EOTHER, "cannot read file");
	curl_free(path);
	curl_url_cleanup(handle);
}

/* Turns a failed transfer's CURLcode into a status and a short message. */
static void
fail_curl(struct transfer *transfer, const struct fetch_options *options,
	  CURLcode code)
{
	long os_errno = 0;
	curl_off_t connect_time = 0;
	long redirects = 0;

	switch (code) {
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		if (code == CURLE_FILESIZE_EXCEEDED || transfer->too_big) {
			fail(transfer, FETCH_ETOOBIG, "larger than %zu bytes",
			     transfer->max_size);
			return;
		}
		break;
	case CURLE_OPERATION_TIMEDOUT:
		/*
		 * Still unconnected means the connect timeout fired first
		 * (libcurl's own 300 s when ours is 0), unless the total
		 * one is the shorter.
		 */
		if (curl_easy_getinfo(transfer->easy, CURLINFO_CONNECT_TIME_T,
				      &connect_time) == CURLE_OK &&
		    connect_time == 0 &&
		    (options->total_timeout <= 0 ||
		     (options->connect_timeout > 0 &&
		      options->connect_timeout < options->total_timeout))) {
			if (options->connect_timeout > 0)
				fail(transfer, FETCH_ETIMEOUT,
				     "connect timed out after %ld s",
				     options->connect_timeout);
			else
				fail(transfer, FETCH_ETIMEOUT,
				     "connect timed out");
		} else if (options->total_timeout > 0) {
			fail(transfer, FETCH_ETIMEOUT, "timed out after %ld s",
			     options->total_timeout);
		} else {
			fail(transfer, FETCH_ETIMEOUT, "timed out");
		}
		return;
	case CURLE_COULDNT_CONNECT:
		if (curl_easy_getinfo(transfer->easy, CURLINFO_OS_ERRNO,
				      &os_errno) == CURLE_OK &&
		    os_errno != 0)
			fail(transfer, FETCH_ECONNECT, "cannot connect: %s",
			     strerror((int)os_errno));
		else
			fail(transfer, FETCH_ECONNECT, "cannot connect: %s",
			     curl_words(transfer, code));
		return;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		fail(transfer, FETCH_ECONNECT, "cannot resolve: %s",
		     curl_words(transfer, code));
		return;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
		fail(transfer, FETCH_ECONNECT, "TLS: %s",
		     curl_words(transfer, code));
		return;
	case CURLE_FILE_COULDNT_READ_FILE:
		fail_file(transfer);
		return;
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* After a hop: a server pointing us somewhere unsafe. */
		if (curl_easy_getinfo(transfer->easy, CURLINFO_REDIRECT_COUNT,
				      &redirects) == CURLE_OK &&
		    redirects > 0)
			fail(transfer, FETCH_EOTHER, "refused redirect: %s",
			     curl_words(transfer, code));
		else
			fail(transfer, FETCH_EOTHER,
			     "unsupported protocol (only %s)", fetch_protocols);
		return;
	case CURLE_TOO_MANY_REDIRECTS:
		fail(transfer, FETCH_EOTHER, "more than %ld redirects",
		     options->max_redirects);
		return;
	case CURLE_PARTIAL_FILE:
		fail(transfer, FETCH_EOTHER, "transfer cut short: %s",
		     curl_words(transfer, code));
		return;
	case CURLE_GOT_NOTHING:
		fail(transfer, FETCH_EOTHER, "empty reply from server");
		return;
	default:
		break;
	}
	fail(transfer, FETCH_EOTHER, "%s", curl_words(transfer, code));
}

/* Records what libcurl learnt about a finished transfer and judges it. */
static void
finish(struct transfer *transfer, const struct fetch_options *options,
       CURLcode code)
{
	struct fetch_result *result = transfer->result;
	const char *content_type = NULL;
	const char *effective_url = NULL;
	long http_status = 0;

	transfer->done = 1;
	if (curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE,
			      &http_status) == CURLE_OK)
		result->http_status = http_status;
	if (curl_easy_getinfo(transfer->easy, CURLINFO_CONTENT_TYPE,
			      &content_type) == CURLE_OK &&
	    content_type != NULL)
		result->content_type = xstrdup(content_type);
	if (curl_easy_getinfo(transfer->easy, CURLINFO_EFFECTIVE_URL,
			      &effective_url) == CURLE_OK &&
	    effective_url != NULL)
		result->effective_url = url_without_credentials(effective_url);

	if (code != CURLE_OK)
		fail_curl(transfer, options, code);
	else if (result->http_status == 304 && transfer->known != NULL) {
		/* Unchanged: nothing to read, the old validators hold. */
		result->status = FETCH_OK;
		result->not_modified = 1;
		fetch_validators_clear(&result->validators);
		if (transfer->known->etag != NULL)
			result->validators.etag =
			    xstrdup(transfer->known->etag);
		if (transfer->known->last_modified != NULL)
			result->validators.last_modified =
			    xstrdup(transfer->known->last_modified);
	} else if (result->http_status >= 400)
		fail(transfer, FETCH_EHTTP, "HTTP %ld", result->http_status);
	else {
		result->status = FETCH_OK;
		result->size = transfer->body.length;
		result->body = buf_detach(&transfer->body);
	}
}

/*
 * Sets up one easy handle.  Returns 0, or -1 after recording the failure
 * in the transfer's result.
 */
static int
transfer_setup(struct transfer *transfer, const struct fetch_options *options)
{
	CURL *easy = curl_easy_init();
	CURLcode code = CURLE_OK;
	size_t max_size = options->max_size;

	if (easy == NULL) {
		fail(transfer, FETCH_EOTHER, "cannot create a curl handle");
		return -1;
	}
	transfer->easy = easy;
	transfer->max_size = max_size;

	/* Stop at the first option libcurl refuses: none is optional. */
#define SET(option, value)                                                     \
	do {                                                                   \
		if (code == CURLE_OK)                                          \
			code = curl_easy_setopt(easy, option, value);          \
	} while (0)
	SET(CURLOPT_ERRORBUFFER, transfer->error_buffer);
	SET(CURLOPT_PRIVATE, transfer);
	SET(CURLOPT_URL, transfer->url);
	SET(CURLOPT_PROTOCOLS_STR, fetch_protocols);
	SET(CURLOPT_REDIR_PROTOCOLS_STR, fetch_redirect_protocols);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_FAILONERROR, 0L);
	SET(CURLOPT_FOLLOWLOCATION, 1L);
	SET(CURLOPT_MAXREDIRS, options->max_redirects);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_WRITEFUNCTION, write_body);
	SET(CURLOPT_WRITEDATA, transfer);
	SET(CURLOPT_HEADERFUNCTION, read_header);
	SET(CURLOPT_HEADERDATA, transfer);
	if (add_conditions(transfer) < 0)
		code = CURLE_OUT_OF_MEMORY;
	if (transfer->headers != NULL)
		SET(CURLOPT_HTTPHEADER, transfer->headers);
	if (options->connect_timeout > 0)
		SET(CURLOPT_CONNECTTIMEOUT, options->connect_timeout);
	if (options->total_timeout > 0)
		SET(CURLOPT_TIMEOUT, options->total_timeout);
	if (max_size > 0 && max_size <= (size_t)INT64_MAX)
		SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_size);
	if (options->user_agent != NULL)
		SET(CURLOPT_USERAGENT, options->user_agent);
#undef SET
	if (code != CURLE_OK) {
		fail(transfer, FETCH_EOTHER, "cannot set up libcurl: %s",
		     curl_easy_strerror(code));
		return -1;
	}
	return 0;
}

/* Marks every transfer failed with the same reason. */
static void
fail_all(struct transfer *transfers, size_t count, const char *reason)
{
	for (size_t index = 0; index < count; index++) {
		fail(&transfers[index], FETCH_EOTHER, "%s", reason);
		transfers[index].done = 1;
	}
}

/* Sets up every transfer and adds it to multi; failures are recorded. */
static void
start_all(CURLM *multi, struct transfer *transfers, size_t count,
	  const struct fetch_options *options)
{
	for (size_t index = 0; index < count; index++) {
		struct transfer *transfer = &transfers[index];
		CURLMcode add_code;

		if (transfer_setup(transfer, options) != 0) {
			transfer->done = 1;
			continue;
		}
		add_code = curl_multi_add_handle(multi, transfer->easy);
		if (add_code != CURLM_OK) {
			fail(transfer, FETCH_EOTHER, "cannot start: %s",
			     curl_multi_strerror(add_code));
			transfer->done = 1;
			continue;
		}
		transfer->in_multi = 1;
	}
}

/* Finishes every transfer that libcurl says is done. */
static void
collect_done(CURLM *multi, const struct fetch_options *options)
{
	CURLMsg *message;
	int queued;

	while ((message = curl_multi_info_read(multi, &queued))) {
		char *private = NULL;

		if (message->msg != CURLMSG_DONE)
			continue;
		if (curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE,
				      &private) != CURLE_OK ||
		    private == NULL)
			continue;
		finish((struct transfer *)(void *)private, options,
		       message->data.result);
	}
}

/* Runs the transfers until all are done; returns libcurl's last word. */
static CURLMcode
run_all(CURLM *multi, const struct fetch_options *options)
{
	CURLMcode multi_code;
	int running = 0;

	do {
		multi_code = curl_multi_perform(multi, &running);
		if (multi_code != CURLM_OK)
			break;
		collect_done(multi, options);
		if (running == 0)
			break;
		/* Wakes for socket activity or libcurl's next timeout. */
		multi_code = curl_multi_poll(multi, NULL, 0, 1000, NULL);
	} while (multi_code == CURLM_OK);
	return multi_code;
}

/* Releases every transfer; returns how many ended with FETCH_OK. */
static size_t
end_all(CURLM *multi, struct transfer *transfers, size_t count,
	CURLMcode multi_code)
{
	size_t ok_count = 0;

	for (size_t index = 0; index < count; index++) {
		struct transfer *transfer = &transfers[index];

		if (!transfer->done)
			fail(transfer, FETCH_EOTHER, "libcurl failed: %s",
			     curl_multi_strerror(multi_code));
		if (transfer->in_multi)
			curl_multi_remove_handle(multi, transfer->easy);
		if (transfer->easy != NULL)
			curl_easy_cleanup(transfer->easy);
		curl_slist_free_all(transfer->headers);
		buf_free(&transfer->body);
		if (transfer->result->status == FETCH_OK)
			ok_count++;
	}
	return ok_count;
}

size_t
fetch_all(const struct fetch_options *options, const char *const *urls,
	  size_t url_count, struct fetch_result *results_out)
{
	struct transfer *transfers;
	CURLM *multi = NULL;
	CURLMcode multi_code = CURLM_OK;
	const char *init_error = NULL;
	char *reason;
	size_t ok_count;

	if (url_count == 0)
		return 0;
	transfers = xcalloc(url_count, sizeof *transfers);
	for (size_t index = 0; index < url_count; index++) {
		memset(&results_out[index], 0, sizeof results_out[index]);
		results_out[index].status = FETCH_EOTHER;
		transfers[index].url = urls[index];
		if (options->validators != NULL)
			transfers[index].known = &options->validators[index];
		transfers[index].result = &results_out[index];
		transfers[index].body = (struct buf)BUF_INIT;
	}
	if (url_library_init(&init_error) < 0) {
		reason = xasprintf("cannot initialise libcurl: %s", init_error);
		fail_all(transfers, url_count, reason);
		free(reason);
	} else if ((multi = curl_multi_init()) == NULL) {
		fail_all(transfers, url_count,
			 "cannot create a curl multi handle");
	} else {
		start_all(multi, transfers, url_count, options);
		multi_code = run_all(multi, options);
	}
	ok_count = end_all(multi, transfers, url_count, multi_code);
	if (multi != NULL)
		curl_multi_cleanup(multi);
	free(transfers);
	return ok_count;
}

void
fetch_validators_clear(struct fetch_validators *validators)
{
	free(validators->etag);
	free(validators->last_modified);
	validators->etag = NULL;
	validators->last_modified = NULL;
}

void
fetch_result_clear(struct fetch_result *result)
{
	fetch_validators_clear(&result->validators);
	free(result->body);
	free(result->content_type);
	free(result->effective_url);
	free(result->errstr);
	memset(result, 0, sizeof *result);
}
