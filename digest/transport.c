/*
 * transport.c - see transport.h.  The back ends (transport_smtp.c,
 * transport_file.c) fill an ops table; this file dispatches to it.
 */
#include "transport_impl.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

int
transport_address_is_safe(const char *address)
{
	const unsigned char *p;
	const char *at;

	if (address == NULL || *address == '\0')
		return 0;
	at = strchr(address, '@');
	if (at == NULL || at == address || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL)
		return 0;
	for (p = (const unsigned char *)address; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '<' || *p == '>')
			return 0;
	return strlen(address) <= 254;
}

enum transport_status
transport_send(struct transport *transport, const char *envelope_from,
	       const char *recipient, const char *message, size_t size,
	       char **errstr_out)
{
	*errstr_out = NULL;
	if (!transport_address_is_safe(envelope_from)) {
		*errstr_out = xstrdup("envelope sender is not a usable "
				      "address");
		return TRANSPORT_ECONFIG;
	}
	if (!transport_address_is_safe(recipient)) {
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
