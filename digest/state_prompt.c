/*
 * state_prompt.c - the "Kies je webmail" prompt's mark in the subscribers
 * table (schema 3's prompted_at): see state.h for the call.
 */
#include "state_impl.h"

enum state_status
state_subscriber_prompted(struct state *state, const char *email, time_t now,
			  char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	/* The first time counts: a later mark would hide when it was. */
	status = state_db_prepare(state,
				  "UPDATE subscribers SET prompted_at = ?2"
				  " WHERE email = ?1 AND prompted_at IS NULL",
				  &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, email) != 0 ||
	    state_bind_int64(stmt, 2, (long long)now) != 0 ||
	    state_step(stmt) != STATE_STEP_DONE)
		status = state_db_error(state, "record the webmail prompt",
					errstr_out);
	state_finalize(stmt);
	return status;
}
