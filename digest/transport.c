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

/* Tells the caller a job's fate, if it listens. */
static void
tell(const struct transport_hooks *hooks, void *context,
     struct transport_job *job)
{
	if (hooks != NULL && hooks->after != NULL)
		hooks->after(context, job);
}

/* Sends job alone; returns 1 when the session failed with it. */
static int
send_one(struct transport *transport, const struct transport_hooks *hooks,
	 void *context, struct transport_job *job)
{
	if (hooks != NULL && hooks->before_data != NULL &&
	    hooks->before_data(context, job) < 0) {
		job->tried = 1;
		job->errstr = xstrdup("held back before its data");
		tell(hooks, context, job);
		return 0;
	}
	job->tried = 1;
	job->status =
	    transport_send(transport, job->envelope_from, job->recipient,
			   job->message, job->size, &job->errstr);
	tell(hooks, context, job);
	/* A refusal of this one recipient is no failure of the session. */
	return job->status != TRANSPORT_OK && job->status != TRANSPORT_EPERM;
}

enum transport_status
transport_send_batch(struct transport *transport, struct transport_job *jobs,
		     size_t count, const struct transport_hooks *hooks,
		     void *context)
{
	size_t i;

	for (i = 0; i < count; i++) {
		jobs[i].tried = 0;
		jobs[i].status = TRANSPORT_ETEMP;
		jobs[i].errstr = NULL;
	}
	if (transport->ops->send_batch != NULL)
		return transport->ops->send_batch(transport, jobs, count, hooks,
						  context);
	for (i = 0; i < count; i++)
		if (send_one(transport, hooks, context, &jobs[i]))
			break;
	if (i == count)
		return TRANSPORT_OK;
	/* The session failed: the rest were not begun on. */
	for (size_t rest = i + 1; rest < count; rest++) {
		jobs[rest].errstr = xstrdup("not tried: the session ended");
		tell(hooks, context, &jobs[rest]);
	}
	return jobs[i].status;
}

struct transport *
transport_open_provider(const struct provider *provider, const char *password)
{
	if (provider->client == SMTP_CLIENT_LIBCURL)
		return transport_open_smtp(provider, password);
	return transport_open_esmtp(provider, password);
}

void
transport_close(struct transport *transport)
{
	if (transport != NULL)
		transport->ops->close(transport);
}
