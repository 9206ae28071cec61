/*
 * serve.c - see serve.h.  The HTTP side, on libmicrohttpd, and the only
 * file that sees it.
 *
 * Why this library: it is a small C HTTP/1.1 server made to be embedded
 * in a program, in Debian, with the limits a public server needs built
 * in (connections, memory per connection, idle timeouts), and it parses
 * both kinds of form body (RFC 8058 allows multipart/form-data for the
 * one-click unsubscribe).  TLS is the reverse proxy's job.
 *
 * One thread of libmicrohttpd's runs every page, one after another, so the
 * store, the renderer and the templates need no locks; a page is short
 * (a token check is one HMAC, a page one render), and slow clients wait
 * in the library's event loop, not in a page.  Confirmation mails go out
 * from a thread of their own (serve_mail.c), so no page waits on SMTP.
 *
 * Bounds: headers must fit SERVE_MEMORY per connection, a body
 * SERVE_BODY_MAX; at most SERVE_CONNECTIONS connections; one idle for
 * SERVE_IDLE seconds is closed by the library, and a watchdog shuts one
 * that takes longer than SERVE_DEADLINE seconds over a request, however
 * slowly it trickles in.
 */
#include "serve_impl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "url.h"

#define SERVE_MEMORY (16 * 1024)
#define SERVE_BODY_MAX (8 * 1024)
#define SERVE_CONNECTIONS 64
#define SERVE_IDLE 10
#define SERVE_DEADLINE 15
/* The longest value of one form field, in bytes. */
#define SERVE_FIELD_MAX 2048

/* A connection the watchdog keeps an eye on. */
struct watched {
	int fd;
	struct timespec since; /* its start, or the end of its last request */
	struct watched *prev, *next;
};

struct server {
	struct serve_app app;
	struct MHD_Daemon *daemon;
	unsigned port;
	pthread_mutex_t lock; /* guards watched and stopping */
	pthread_cond_t wake;
	struct watched *watched;
	int stopping;
	pthread_t watchdog;
	int watchdog_running;
};

/* One request while its body arrives. */
struct pending {
	struct MHD_PostProcessor *post;
	struct serve_request request;
	size_t body_length;
	int too_large;
	int answered;
};

static void
now_monotonic(struct timespec *out)
{
	clock_gettime(CLOCK_MONOTONIC, out);
}

static void
on_connection(void *context, struct MHD_Connection *connection,
	      void **socket_context, enum MHD_ConnectionNotificationCode code)
{
	struct server *server = context;
	struct watched *entry = *socket_context;
	const union MHD_ConnectionInfo *info;

	pthread_mutex_lock(&server->lock);
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		info = MHD_get_connection_info(
		    connection, MHD_CONNECTION_INFO_CONNECTION_FD);
		entry = xcalloc(1, sizeof *entry);
		entry->fd = info ? info->connect_fd : -1;
		now_monotonic(&entry->since);
		entry->next = server->watched;
		if (server->watched)
			server->watched->prev = entry;
		server->watched = entry;
		*socket_context = entry;
	} else if (entry != NULL) {
		/* The socket closes after this: the watchdog must forget it. */
		if (entry->prev)
			entry->prev->next = entry->next;
		else
			server->watched = entry->next;
		if (entry->next)
			entry->next->prev = entry->prev;
		free(entry);
		*socket_context = NULL;
	}
	pthread_mutex_unlock(&server->lock);
}

/*
 * Shuts connections that have spent longer than SERVE_DEADLINE on one
 * request; the library then sees them end and closes them.  An idle
 * connection is the library's to time out (SERVE_IDLE is shorter).
 */
static void *
watchdog(void *context)
{
	struct server *server = context;
	struct timespec now, until;

	pthread_mutex_lock(&server->lock);
	while (!server->stopping) {
		now_monotonic(&now);
		for (struct watched *entry = server->watched; entry;
		     entry = entry->next)
			if (entry->fd >= 0 &&
			    now.tv_sec - entry->since.tv_sec > SERVE_DEADLINE) {
				shutdown(entry->fd, SHUT_RDWR);
				entry->fd = -1;
			}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&server->wake, &server->lock, &until);
	}
	pthread_mutex_unlock(&server->lock);
	return NULL;
}

/* A request that was answered starts the connection's clock afresh. */
static void
on_completed(void *context, struct MHD_Connection *connection,
	     void **request_context, enum MHD_RequestTerminationCode code)
{
	struct server *server = context;
	struct pending *pending = *request_context;
	const union MHD_ConnectionInfo *info;
	struct watched *entry;

	(void)code;
	info = MHD_get_connection_info(connection,
				       MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	entry = info ? info->socket_context : NULL;
	if (entry != NULL) {
		pthread_mutex_lock(&server->lock);
		now_monotonic(&entry->since);
		pthread_mutex_unlock(&server->lock);
	}
	if (pending == NULL)
		return;
	if (pending->post)
		MHD_destroy_post_processor(pending->post);
	serve_request_clear(&pending->request);
	free(pending);
	*request_context = NULL;
}

static void
on_library_message(void *context, const char *format, va_list args)
{
	struct server *server = context;
	char *line = xvasprintf(format, args);
	size_t length = strlen(line);

	while (length > 0 &&
	       (line[length - 1] == '\n' || line[length - 1] == ' '))
		line[--length] = '\0';
	serve_log(&server->app, 1, "http: %s", line);
	free(line);
}

/* Adds a field's piece; a field arrives in pieces at growing offsets. */
static enum MHD_Result
on_field(void *context, enum MHD_ValueKind kind, const char *key,
	 const char *filename, const char *content_type,
	 const char *transfer_encoding, const char *data, uint64_t offset,
	 size_t size)
{
	struct serve_request *request = context;
	struct serve_field *field = NULL;
	size_t length;

	(void)kind, (void)content_type, (void)transfer_encoding;
	if (filename != NULL || key == NULL)
		goto broken;
	if (request->field_count > 0 &&
	    strcmp(request->fields[request->field_count - 1].name, key) == 0 &&
	    offset > 0)
		field = &request->fields[request->field_count - 1];
	if (field == NULL) {
		if (request->field_count == SERVE_FORM_FIELDS)
			goto broken;
		field = &request->fields[request->field_count++];
		field->name = xstrdup(key);
		field->value = xstrdup("");
	}
	length = strlen(field->value);
	if (length + size > SERVE_FIELD_MAX ||
	    (size > 0 && memchr(data, '\0', size)))
		goto broken;
	field->value = xreallocarray(field->value, length + size + 1, 1);
	if (size > 0)
		memcpy(field->value + length, data, size);
	field->value[length + size] = '\0';
	return MHD_YES;
broken:
	request->form_broken = 1;
	return MHD_NO;
}

static const char *
header(struct MHD_Connection *connection, const char *name)
{
	return MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name);
}

/* The path below the base URL's path, which a proxy may pass on. */
static const char *
local_path(const struct server *server, const char *url)
{
	const char *base = server->app.setup.config->web.base_url;
	const char *path = strstr(base, "://");
	size_t length;

	path = path ? strchr(path + 3, '/') : NULL;
	if (path == NULL)
		return url;
	length = strlen(path);
	while (length > 0 && path[length - 1] == '/')
		length--;
	if (length > 0 && strncmp(url, path, length) == 0 &&
	    (url[length] == '/' || url[length] == '\0'))
		return url[length] ? url + length : "/";
	return url;
}

static void
add_headers(struct MHD_Response *answer, const struct serve_response *response)
{
	MHD_add_response_header(answer, "Content-Type",
				response->content_type
				    ? response->content_type
				    : "text/html; charset=utf-8");
	/*
	 * Personal pages: kept by no cache, and their address (with its
	 * token) never sent to another site, such as an article's that the
	 * digest links to.  same-origin rather than no-referrer, so that a
	 * browser still names our origin when a form posts back.
	 */
	MHD_add_response_header(answer, "Cache-Control", "no-store");
	MHD_add_response_header(answer, "Referrer-Policy", "same-origin");
	MHD_add_response_header(answer, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(answer, "X-Frame-Options", "DENY");
	MHD_add_response_header(
	    answer, "Content-Security-Policy",
	    "default-src 'none'; style-src 'unsafe-inline'; "
	    "img-src 'self' data:; form-action 'self'; "
	    "frame-ancestors 'none'; base-uri 'none'");
	if (response->disposition)
		MHD_add_response_header(answer, "Content-Disposition",
					response->disposition);
	if (response->allow)
		MHD_add_response_header(answer, "Allow", response->allow);
}

static enum MHD_Result
send_response(struct MHD_Connection *connection,
	      struct serve_response *response)
{
	struct MHD_Response *answer;
	enum MHD_Result result;

	if (response->body == NULL) {
		response->body = xstrdup("");
		response->length = 0;
	}
	answer = MHD_create_response_from_buffer_with_free_callback(
	    response->length, response->body, free);
	if (answer == NULL) {
		free(response->body);
		return MHD_NO;
	}
	response->body = NULL;
	add_headers(answer, response);
	result =
	    MHD_queue_response(connection, (unsigned)response->status, answer);
	MHD_destroy_response(answer);
	return result;
}

/* A short plain answer from the server itself (too large, and such). */
static enum MHD_Result
send_plain(struct MHD_Connection *connection, int status, const char *text)
{
	struct serve_response response = {0};

	response.status = status;
	response.content_type = "text/plain; charset=utf-8";
	response.body = xstrdup(text);
	response.length = strlen(text);
	return send_response(connection, &response);
}

/* The first call of a request: its context, and a look at its size. */
static enum MHD_Result
begin_request(struct server *server, struct MHD_Connection *connection,
	      const char *method, void **request_context)
{
	struct pending *pending = xcalloc(1, sizeof *pending);
	const char *length = header(connection, "Content-Length");
	long declared = 0;

	(void)server;
	*request_context = pending;
	if (strcmp(method, "POST") != 0)
		return MHD_YES;
	if (length != NULL &&
	    (util_parse_long(length, 0, SERVE_BODY_MAX, &declared) < 0)) {
		pending->answered = 1;
		return send_plain(connection, 413, "Request too large.\n");
	}
	pending->post = MHD_create_post_processor(connection, 1024, on_field,
						  &pending->request);
	return MHD_YES;
}

/* Takes a piece of the body. */
static enum MHD_Result
take_body(struct pending *pending, struct MHD_Connection *connection,
	  const char *data, size_t *size)
{
	(void)connection;
	pending->body_length += *size;
	/* The library answers only once the body is in: the rest is read
	 * and dropped (the watchdog bounds how long that may take). */
	if (pending->body_length > SERVE_BODY_MAX || pending->too_large) {
		pending->too_large = 1;
		*size = 0;
		return MHD_YES;
	}
	if (pending->post == NULL || pending->request.form_broken)
		pending->request.form_broken = 1;
	else if (MHD_post_process(pending->post, data, *size) != MHD_YES)
		pending->request.form_broken = 1;
	*size = 0;
	return MHD_YES;
}

static enum MHD_Result
answer(struct server *server, struct MHD_Connection *connection,
       const char *url, const char *method, struct pending *pending)
{
	struct serve_request *request = &pending->request;
	struct serve_response response = {0};
	enum MHD_Result result;

	request->method = method;
	request->path = local_path(server, url);
	request->query_token =
	    MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, "t");
	request->query_lang = MHD_lookup_connection_value(
	    connection, MHD_GET_ARGUMENT_KIND, "lang");
	request->accept_language = header(connection, "Accept-Language");
	request->origin = header(connection, "Origin");
	request->fetch_site = header(connection, "Sec-Fetch-Site");
	request->now = time(NULL);
	/* A body that was no form, or a form that broke off: unreadable. */
	if (pending->post != NULL &&
	    MHD_destroy_post_processor(pending->post) != MHD_YES)
		request->form_broken = 1;
	pending->post = NULL;
	if (strcmp(method, "POST") == 0 && pending->body_length > 0 &&
	    request->field_count == 0)
		request->form_broken = 1;
	response.status = 500;
	serve_route(&server->app, request, &response);
	result = send_response(connection, &response);
	free(response.body);
	pending->answered = 1;
	return result;
}

static enum MHD_Result
on_request(void *context, struct MHD_Connection *connection, const char *url,
	   const char *method, const char *version, const char *upload_data,
	   size_t *upload_data_size, void **request_context)
{
	struct server *server = context;
	struct pending *pending = *request_context;

	(void)version;
	if (pending == NULL)
		return begin_request(server, connection, method,
				     request_context);
	if (pending->answered) {
		/* Answered early (too large): drop the rest unread. */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size > 0)
		return take_body(pending, connection, upload_data,
				 upload_data_size);
	if (pending->too_large) {
		pending->answered = 1;
		return send_plain(connection, 413, "Request too large.\n");
	}
	return answer(server, connection, url, method, pending);
}

/*
 * Reads "ADDR:PORT" ("127.0.0.1:8025", "[::1]:8025") into *address_out.
 * Returns 0, or -1.
 */
static int
parse_listen(const char *listen, struct sockaddr_storage *address_out,
	     int *ipv6_out)
{
	const char *colon = strrchr(listen, ':');
	char host[64];
	size_t length;
	long port;

	memset(address_out, 0, sizeof *address_out);
	if (colon == NULL || util_parse_long(colon + 1, 0, 65535, &port) < 0)
		return -1;
	length = (size_t)(colon - listen);
	if (length > 1 && listen[0] == '[' && listen[length - 1] == ']') {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)address_out;

		if (length - 2 >= sizeof host)
			return -1;
		memcpy(host, listen + 1, length - 2);
		host[length - 2] = '\0';
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*ipv6_out = 1;
		return inet_pton(AF_INET6, host, &in6->sin6_addr) == 1 ? 0 : -1;
	}
	struct sockaddr_in *in4 = (struct sockaddr_in *)address_out;

	if (length == 0 || length >= sizeof host)
		return -1;
	memcpy(host, listen, length);
	host[length] = '\0';
	in4->sin_family = AF_INET;
	in4->sin_port = htons((uint16_t)port);
	*ipv6_out = 0;
	return inet_pton(AF_INET, host, &in4->sin_addr) == 1 ? 0 : -1;
}

static struct MHD_Daemon *
start_daemon(struct server *server, struct sockaddr_storage *address, int ipv6)
{
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;

	if (ipv6)
		flags |= MHD_USE_IPv6;
	return MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, server,
	    MHD_OPTION_EXTERNAL_LOGGER, on_library_message, server,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)address,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVE_CONNECTIONS,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVE_MEMORY,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVE_IDLE,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, server,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, server, MHD_OPTION_END);
}

/* "https://host:port" of the base URL: what a browser sends as Origin. */
static char *
origin_of(const char *base_url)
{
	const char *host = strstr(base_url, "://");
	const char *end = host ? strchr(host + 3, '/') : NULL;

	return end ? xstrndup(base_url, (size_t)(end - base_url))
		   : xstrdup(base_url);
}

static enum serve_status
listen_now(struct server *server, char **errstr_out)
{
	struct sockaddr_storage address;
	const union MHD_DaemonInfo *info;
	int ipv6 = 0;

	if (parse_listen(server->app.setup.listen, &address, &ipv6) < 0) {
		*errstr_out =
		    xasprintf("listen address \"%s\" is not ADDR:PORT "
			      "(as in 127.0.0.1:8025 or [::1]:8025)",
			      server->app.setup.listen);
		return SERVE_ELISTEN;
	}
	server->daemon = start_daemon(server, &address, ipv6);
	if (server->daemon == NULL) {
		*errstr_out = xasprintf("cannot listen on %s (in use, or not "
					"an address of this host)",
					server->app.setup.listen);
		return SERVE_ELISTEN;
	}
	info = MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
	server->port = info ? info->port : 0;
	return SERVE_OK;
}

enum serve_status
serve_start(const struct serve_setup *setup, struct server **server_out,
	    char **errstr_out)
{
	struct server *server = xcalloc(1, sizeof *server);
	char *directory = NULL;
	enum serve_status status = SERVE_ETEMPLATE;

	*server_out = NULL;
	server->app.setup = *setup;
	pthread_mutex_init(&server->lock, NULL);
	pthread_cond_init(&server->wake, NULL);
	directory = xasprintf("%s/web", setup->config->template_dir);
	if (serve_web_open(directory, &server->app.web, errstr_out) < 0)
		goto out;
	server->app.base_origin = origin_of(setup->config->web.base_url);
	/* libcurl is set up once, before any thread may use it. */
	(void)url_library_init(NULL);
	server->app.mailer =
	    serve_mailer_start(setup->config, setup->log, setup->log_context);
	if (pthread_create(&server->watchdog, NULL, watchdog, server) == 0)
		server->watchdog_running = 1;
	status = listen_now(server, errstr_out);
out:
	free(directory);
	if (status != SERVE_OK) {
		serve_stop(server);
		server = NULL;
	}
	*server_out = server;
	return status;
}

enum serve_status
serve_check_templates(const struct config *config, char **errstr_out)
{
	char *directory = xasprintf("%s/web", config->template_dir);
	struct serve_web *web = NULL;
	int result = serve_web_open(directory, &web, errstr_out);

	serve_web_free(web);
	free(directory);
	return result < 0 ? SERVE_ETEMPLATE : SERVE_OK;
}

unsigned
serve_port(const struct server *server)
{
	return server->port;
}

void
serve_stop(struct server *server)
{
	if (server == NULL)
		return;
	if (server->daemon)
		MHD_stop_daemon(server->daemon);
	pthread_mutex_lock(&server->lock);
	server->stopping = 1;
	pthread_cond_signal(&server->wake);
	pthread_mutex_unlock(&server->lock);
	if (server->watchdog_running)
		pthread_join(server->watchdog, NULL);
	serve_mailer_stop(server->app.mailer);
	serve_web_free(server->app.web);
	free(server->app.base_origin);
	while (server->watched) {
		struct watched *next = server->watched->next;

		free(server->watched);
		server->watched = next;
	}
	pthread_cond_destroy(&server->wake);
	pthread_mutex_destroy(&server->lock);
	free(server);
}
