/*
 * state_sources.c - the health of each news source in the SQLite store:
 * see state.h for the calls, state_impl.h for what the store's files
 * share.
 */
#include "state_impl.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char result_sql[] =
    "INSERT INTO sources (id, last_success, last_attempt, failures,"
    " last_error) VALUES (?1, CASE WHEN ?2 IS NULL THEN ?3 END, ?3,"
    " CASE WHEN ?2 IS NULL THEN 0 ELSE 1 END, ?2) ON CONFLICT (id) DO"
    " UPDATE SET"
    " last_success = CASE WHEN ?2 IS NULL THEN ?3"
    "  ELSE sources.last_success END,"
    " last_attempt = ?3,"
    " failures = CASE WHEN ?2 IS NULL THEN 0 ELSE sources.failures + 1 END,"
    " last_error = coalesce(?2, sources.last_error)"
    " RETURNING failures";

enum state_status
state_source_result(struct state *state, const char *id, const char *error,
		    time_t now, long *failures_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	int result;

	status = state_db_prepare(state, result_sql, &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, id) != 0 ||
	    state_bind_text(stmt, 2, error) != 0 ||
	    state_bind_int64(stmt, 3, (long long)now) != 0) {
		status = state_db_error(state, "bind", errstr_out);
		goto out;
	}
	result = state_step(stmt);
	if (result == STATE_STEP_ROW) {
		if (failures_out != NULL)
			*failures_out = (long)state_column_int64(stmt, 0);
		result = state_step(stmt);
	}
	if (result != STATE_STEP_DONE)
		status = state_db_error(state, "record a source", errstr_out);
out:
	state_finalize(stmt);
	return status;
}

enum state_status
state_sources_health(struct state *state, struct source_health_list *list_out,
		     char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	struct source_health *entry;
	enum state_status status;
	int result;

	memset(list_out, 0, sizeof *list_out);
	status = state_db_prepare(state,
				  "SELECT id, coalesce(last_success, 0),"
				  " coalesce(last_attempt, 0), failures,"
				  " last_error FROM sources ORDER BY id",
				  &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	while ((result = state_step(stmt)) == STATE_STEP_ROW) {
		list_out->sources =
		    xreallocarray(list_out->sources, list_out->count + 1,
				  sizeof *list_out->sources);
		entry = &list_out->sources[list_out->count++];
		entry->id = state_column_text(stmt, 0);
		entry->last_success = (time_t)state_column_int64(stmt, 1);
		entry->last_attempt = (time_t)state_column_int64(stmt, 2);
		entry->failures = (long)state_column_int64(stmt, 3);
		entry->last_error = state_column_text(stmt, 4);
	}
	if (result != STATE_STEP_DONE) {
		status = state_db_error(state, "read sources", errstr_out);
		state_source_health_list_clear(list_out);
	}
	state_finalize(stmt);
	return status;
}

void
state_source_health_list_clear(struct source_health_list *list)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < list->count; i++) {
		free(list->sources[i].id);
		free(list->sources[i].last_error);
	}
	free(list->sources);
	memset(list, 0, sizeof *list);
}

enum state_status
state_source_validators(struct state *state, const char *id, char **etag_out,
			char **last_modified_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	int result;

	*etag_out = NULL;
	*last_modified_out = NULL;
	status = state_db_prepare(state,
				  "SELECT etag, last_modified FROM sources"
				  " WHERE id = ?1",
				  &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, id) != 0) {
		status = state_db_error(state, "bind", errstr_out);
		goto out;
	}
	result = state_step(stmt);
	if (result == STATE_STEP_ROW) {
		*etag_out = state_column_text(stmt, 0);
		*last_modified_out = state_column_text(stmt, 1);
	} else if (result != STATE_STEP_DONE) {
		status = state_db_error(state, "read sources", errstr_out);
	}
out:
	state_finalize(stmt);
	return status;
}

enum state_status
state_source_set_validators(struct state *state, const char *id,
			    const char *etag, const char *last_modified,
			    char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	status = state_db_prepare(
	    state,
	    "INSERT INTO sources (id, etag, last_modified) VALUES (?1, ?2, ?3)"
	    " ON CONFLICT (id) DO UPDATE SET etag = ?2, last_modified = ?3",
	    &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, id) != 0 ||
	    state_bind_text(stmt, 2, etag) != 0 ||
	    state_bind_text(stmt, 3, last_modified) != 0 ||
	    state_step(stmt) != STATE_STEP_DONE)
		status = state_db_error(state, "record a source", errstr_out);
	state_finalize(stmt);
	return status;
}
