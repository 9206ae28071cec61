/*
 * state_limits.c - a provider's sending limits counted in a shared store,
 * across every run of every host: each take of sends is a row of the
 * table sends, made in a writing transaction that first counts the rows
 * of the last minute, hour and day (every other writer waits), so that
 * two runs never both take the last of a minute.  See state.h for the
 * calls, state_impl.h for what the store's files share.
 */
#include "state_impl.h"

#include <stdlib.h>

#include "util.h"

/* Takes older than this are of no use to any limit any more. */
#define LIMIT_KEEP_MS (2LL * 86400 * 1000)

/* The sends of provider counted since since_ms (the day's: by date). */
static enum state_status
used(struct state *state, const char *provider, const char *digest_date,
     long long since_ms, long long *used_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	int result;

	*used_out = 0;
	status = state_db_prepare(
	    state,
	    digest_date ? "SELECT coalesce(sum(count), 0) FROM sends"
			  " WHERE provider = ?1 AND digest_date = ?2"
			: "SELECT coalesce(sum(count), 0) FROM sends"
			  " WHERE provider = ?1 AND at > ?2",
	    &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	result = state_bind_text(stmt, 1, provider);
	if (result == 0)
		result = digest_date ? state_bind_text(stmt, 2, digest_date)
				     : state_bind_int64(stmt, 2, since_ms);
	if (result != 0 || state_step(stmt) != STATE_STEP_ROW)
		status = state_db_error(state, "count the sends", errstr_out);
	else
		*used_out = state_column_int64(stmt, 0);
	state_finalize(stmt);
	return status;
}

/* How many more one window's maximum allows, given what it used. */
static long long
room(long maximum, long long used_count)
{
	if (maximum <= 0)
		return -1; /* no limit */
	return used_count < maximum ? maximum - used_count : 0;
}

/* Records a take of count at now_ms; its row's id in *take_id_out. */
static enum state_status
record_take(struct state *state, const char *provider, const char *digest_date,
	    long long now_ms, long long count, long long *take_id_out,
	    char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	status = state_db_prepare(state,
				  "INSERT INTO sends (provider, digest_date,"
				  " at, count) VALUES (?1, ?2, ?3, ?4)"
				  " RETURNING id",
				  &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, provider) != 0 ||
	    state_bind_text(stmt, 2, digest_date) != 0 ||
	    state_bind_int64(stmt, 3, now_ms) != 0 ||
	    state_bind_int64(stmt, 4, count) != 0 ||
	    state_step(stmt) != STATE_STEP_ROW)
		status = state_db_error(state, "count the sends", errstr_out);
	else
		*take_id_out = state_column_int64(stmt, 0);
	state_finalize(stmt);
	if (status == STATE_OK)
		status =
		    state_db_prepare(state, "DELETE FROM sends WHERE at < ?1",
				     &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_int64(stmt, 1, now_ms - LIMIT_KEEP_MS) != 0 ||
	    state_step(stmt) != STATE_STEP_DONE)
		status = state_db_error(state, "count the sends", errstr_out);
	state_finalize(stmt);
	return status;
}

/* The room the three windows leave, the smallest; -1 for no limit. */
static enum state_status
shared_room(struct state *state, const struct state_limit_take *take,
	    long long *room_out, int *day_full_out, char **errstr_out)
{
	const long maxima[] = {take->per_minute, take->per_hour, take->per_day};
	const long long windows_ms[] = {60000, 3600000, 0};
	enum state_status status = STATE_OK;
	long long counted, left, smallest = -1;

	*day_full_out = 0;
	for (int i = 0; status == STATE_OK && i < 3; i++) {
		if (maxima[i] <= 0)
			continue;
		status = used(
		    state, take->provider, i == 2 ? take->digest_date : NULL,
		    take->now_ms - windows_ms[i], &counted, errstr_out);
		left = room(maxima[i], counted);
		if (status == STATE_OK && i == 2 && left == 0)
			*day_full_out = 1;
		if (left >= 0 && (smallest < 0 || left < smallest))
			smallest = left;
	}
	*room_out = smallest;
	return status;
}

enum state_status
state_limit_take(struct state *state, struct state_limit_take *take,
		 char **errstr_out)
{
	enum state_status status;
	long long space = 0;
	int day_full = 0;

	take->taken = 0;
	take->take_id = 0;
	take->day_full = 0;
	status = state_db_begin(state, errstr_out);
	if (status == STATE_OK)
		status =
		    shared_room(state, take, &space, &day_full, errstr_out);
	if (status == STATE_OK) {
		take->taken = space < 0 || (size_t)space > take->want
				  ? take->want
				  : (size_t)space;
		take->day_full = day_full;
	}
	if (status == STATE_OK && take->taken > 0)
		status = record_take(state, take->provider, take->digest_date,
				     take->now_ms, (long long)take->taken,
				     &take->take_id, errstr_out);
	status = state_db_end(state, status, errstr_out);
	if (status != STATE_OK)
		take->taken = 0;
	return status;
}

enum state_status
state_limit_give_back(struct state *state, long long take_id, size_t count,
		      char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	status = state_db_prepare(state,
				  "UPDATE sends SET count = count - ?2"
				  " WHERE id = ?1 AND count >= ?2",
				  &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_int64(stmt, 1, take_id) != 0 ||
	    state_bind_int64(stmt, 2, (long long)count) != 0 ||
	    state_step(stmt) != STATE_STEP_DONE)
		status = state_db_error(state, "count the sends", errstr_out);
	state_finalize(stmt);
	return status;
}
