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

/* A job that was not tried: left for later, with why. */
static void
hold_back(struct transport_job *job, const char *why)
{
	job->status = TRANSPORT_ETEMP;
	job->errstr = xstrdup(why);
}

enum transport_status
transport_send_batch(struct transport *transport, struct transport_job *jobs,
		     size_t count, transport_before_data_fn before_data,
		     void *before_data_context)
{
	for (size_t i = 0; i < count; i++) {
		jobs[i].status = TRANSPORT_ETEMP;
		jobs[i].errstr = NULL;
	}
	if (transport->ops->send_batch != NULL)
		return transport->ops->send_batch(
		    transport, jobs, count, before_data, before_data_context);
	for (size_t i = 0; i < count; i++) {
		if (before_data != NULL &&
		    before_data(before_data_context, &jobs[i]) < 0) {
			hold_back(&jobs[i], "held back before its data");
			continue;
		}
		jobs[i].status = transport_send(
		    transport, jobs[i].envelope_from, jobs[i].recipient,
		    jobs[i].message, jobs[i].size, &jobs[i].errstr);
	}
	return TRANSPORT_OK;
}

void
transport_close(struct transport *transport)
{
	if (transport != NULL)
		transport->ops->close(transport);
}
