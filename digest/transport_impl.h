/*
 * transport_impl.h - what the transport back ends share behind the opaque
 * struct transport of transport.h.  Only transport*.c and their tests and
 * fuzz targets include it.
 */
#ifndef DIGEST_TRANSPORT_IMPL_H
#define DIGEST_TRANSPORT_IMPL_H

#include <stddef.h>

#include "transport.h"

struct transport_ops {
	enum transport_status (*send)(struct transport *transport,
				      const char *envelope_from,
				      const char *recipient,
				      const char *message, size_t size,
				      char **errstr_out);
	/* NULL: transport_send_batch() sends one job after another. */
	enum transport_status (*send_batch)(struct transport *transport,
					    struct transport_job *jobs,
					    size_t count,
					    const struct transport_hooks *hooks,
					    void *context);
	void (*close)(struct transport *transport);
};

/* Each back end's own struct starts with this one. */
struct transport {
	const struct transport_ops *ops;
};

/*
 * One line of an SMTP reply ("250-SIZE 1000", "550 5.1.1 no such user"),
 * without its line end, as parsed by transport_smtp_reply_parse().
 */
struct transport_smtp_reply_line {
	int code;	  /* 200..599 */
	int is_last;	  /* "250 " ends a reply, "250-" continues it */
	const char *text; /* after the separator; not NUL-terminated */
	size_t text_length;
};

/*
 * Parses one reply line of length bytes (a trailing CR and/or LF is
 * ignored).  Returns 0 and fills *line_out, or -1 when the line is not an
 * SMTP reply: three digits, the first 2 to 5, then ' ', '-' or the end.
 */
int transport_smtp_reply_parse(const char *line, size_t length,
			       struct transport_smtp_reply_line *line_out);

#endif
