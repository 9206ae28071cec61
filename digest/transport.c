/*
 * transport.c - see transport.h.  The back ends (transport_smtp.c,
 * transport_file.c) fill an ops table; this file dispatches to it.
 */
#include "transport_impl.h"

#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "util.h"

enum transport_status
transport_send(struct transport *transport, const char *envelope_from,
	       const char *recipient, const char *message, size_t size,
	       char **errstr_out)
{
	*errstr_out = NULL;
	if (!address_is_safe(envelope_from)) {
		*errstr_out = xstrdup("envelope sender is not a usable "
				      "address");
		return TRANSPORT_ECONFIG;
	}
	if (!address_is_safe(recipient)) {
		*errstr_out = xstrdup("recipient is not a usable address");
		return TRANSPORT_EPERM;
	}
	return transport->ops->send(transport, envelope_from, recipient,
				    message, size, errstr_out);
}

void
transport_close(struct transport *transport)
{
	if (transport != NULL)
		transport->ops->close(transport);
}
