/*
 * deliver_route.c - one provider's route: the letters queued for it and
 * the worker threads that send them, up to max_connections at once, each
 * a batch of up to messages_per_connection over one session, within the
 * provider's limits per minute, hour and day.  A "421" or "too many"
 * reply is the provider asking for less: the route waits a while (longer
 * each time) and sends the letters again, instead of failing them.
 *
 * The workers share one connection to the state database, in turn
 * (deliver_workers_store()): the journal entry of each letter is committed
 * right before its data goes out (transport_send_batch's before_data
 * hook), together with the success of the letter before it.
 */
#include "deliver_impl.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

/* The longest pause after "too many" (the first is the provider's). */
#define ROUTE_BACKOFF_MAX 600L
/*
 * How long a worker waits for a full session's worth of letters before it
 * sends what there is: a session per letter would pay the connection's
 * setup for each.
 */
#define ROUTE_GATHER_MS 100
/* This many pauses without a success between them, and it is given up. */
#define ROUTE_BACKOFF_GIVE_UP 5

void
deliver_route_init(struct route *route, struct deliver *deliver,
		   const struct provider *provider)
{
	const struct deliver_setup *setup = &deliver->setup;
	long sent_today = 0;
	char *errstr = NULL;

	memset(route, 0, sizeof *route);
	route->deliver = deliver;
	route->provider = provider;
	pthread_mutex_init(&route->lock, NULL);
	pthread_cond_init(&route->work, NULL);
	pthread_cond_init(&route->room, NULL);
	route->capacity = (size_t)provider->messages_per_connection *
			  (size_t)provider->max_connections * 2;
	route->queue = xcalloc(route->capacity, sizeof *route->queue);
	route->threads =
	    xcalloc((size_t)provider->max_connections, sizeof *route->threads);
	route->backoff = route->provider->backoff;
	/* Today's earlier runs used some of the day's allowance already. */
	if (provider->max_per_day > 0 && setup->state != NULL &&
	    state_deliveries_sent_count(setup->state, setup->digest_date,
					provider->id, &sent_today,
					&errstr) != STATE_OK) {
		deliver_report(deliver, "provider %s: %s", provider->id,
			       errstr);
		free(errstr);
	}
	limit_init(&route->limit, provider->max_per_minute,
		   provider->max_per_hour, provider->max_per_day, sent_today);
	route->shared_limits =
	    !setup->dry_run && setup->state != NULL &&
	    state_is_shared(setup->state) &&
	    (provider->max_per_minute > 0 || provider->max_per_hour > 0 ||
	     provider->max_per_day > 0);
}

/* The monotonic clock in milliseconds. */
static int64_t
now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Waits on cond for up to ms milliseconds, with the route locked. */
static void
wait_ms(struct route *route, pthread_cond_t *cond, long ms)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += (ms % 1000) * 1000000L;
	deadline.tv_sec += ms / 1000 + deadline.tv_nsec / 1000000000L;
	deadline.tv_nsec %= 1000000000L;
	pthread_cond_timedwait(cond, &route->lock, &deadline);
}

/* Waits on cond until at (0: no limit), with the route locked. */
static void
wait_until(struct route *route, pthread_cond_t *cond, time_t at)
{
	struct timespec deadline = {at, 0};

	if (at == 0)
		pthread_cond_wait(cond, &route->lock);
	else
		pthread_cond_timedwait(cond, &route->lock, &deadline);
}

/* Takes every queued job off the route (locked): it will not send them. */
static size_t
take_all(struct route *route, struct job **jobs)
{
	size_t count = route->count;

	for (size_t i = 0; i < count; i++)
		jobs[i] = route->queue[(route->head + i) % route->capacity];
	route->head = 0;
	route->count = 0;
	route->in_flight += count;
	pthread_cond_broadcast(&route->room);
	return count;
}

static size_t
take_some(struct route *route, struct job **jobs, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		jobs[i] = route->queue[route->head];
		jobs[i]->take_id = route->take_id;
		route->head = (route->head + 1) % route->capacity;
		route->count--;
	}
	route->take_id = 0;
	route->in_flight += count;
	pthread_cond_broadcast(&route->room);
	return count;
}

/*
 * How many of the count sends the run's own limits allowed the limits
 * shared with every other run allow now (route locked): the rest go back
 * to the run's count.  When none, *retry_at_out is in a second (the other
 * runs' sends are not seen coming), or 0 when the day's are spent.  A
 * store that cannot count them gives the route up for this run.
 */
static size_t
take_shared(struct route *route, struct state *state, size_t count, time_t now,
	    time_t *retry_at_out)
{
	const struct provider *provider = route->provider;
	struct state_limit_take take = {0};
	enum state_status status = STATE_EINVALID;
	struct timespec clock;
	char *errstr = NULL;

	clock_gettime(CLOCK_REALTIME, &clock);
	take.provider = provider->id;
	take.digest_date = route->deliver->setup.digest_date;
	take.per_minute = provider->max_per_minute;
	take.per_hour = provider->max_per_hour;
	take.per_day = provider->max_per_day;
	take.now_ms = (long long)clock.tv_sec * 1000 + clock.tv_nsec / 1000000;
	take.want = count;
	*retry_at_out = now + 1;
	if (state != NULL) {
		/* The workers' store is one connection: theirs in turn. */
		pthread_mutex_lock(&route->deliver->store_lock);
		status = state_limit_take(state, &take, &errstr);
		pthread_mutex_unlock(&route->deliver->store_lock);
	}
	if (status != STATE_OK) {
		deliver_report(route->deliver,
			       "provider %s: the limits shared with other "
			       "runs cannot be counted (%s); the rest wait "
			       "for the next run",
			       provider->id, errstr ? errstr : "no store");
		free(errstr);
		route->given_up = 1;
		take.taken = 0;
	}
	if (take.taken < count)
		limit_give_back(&route->limit, count - take.taken);
	route->take_id = take.take_id;
	if (take.taken == 0 && take.day_full)
		*retry_at_out = 0;
	return take.taken;
}

/*
 * The most jobs one session takes (route locked): messages_per_connection,
 * but no more than an even share among max_connections of the letters
 * the route's memory budget holds (at the size of those it holds now).
 * Otherwise the first sessions take all the letters there is room for
 * and the others idle, which on a slow link leaves connections unused.
 */
static size_t
session_share(const struct route *route)
{
	size_t most = (size_t)route->provider->messages_per_connection;
	size_t connections = (size_t)route->provider->max_connections;
	size_t held = route->count + route->in_flight;
	size_t room, share;

	if (connections < 2 || held == 0 || route->bytes == 0)
		return most;
	room = DELIVER_ROUTE_BYTES / (route->bytes / held + 1);
	share = (room + connections - 1) / connections;
	if (share == 0)
		share = 1;
	return share < most ? share : most;
}

/*
 * Whether a worker that finds want jobs queued should send them now
 * rather than wait a moment for a full session's worth (route locked):
 * a full one (session_share()), or nobody adding more (the run ended,
 * waits for the queue, or cannot add for lack of room), or the moment is
 * over.
 */
static int
batch_ready(const struct route *route, size_t want, int64_t waited_ms)
{
	return want >= session_share(route) || route->closing ||
	       route->flushing || route->producer_waits ||
	       waited_ms >= ROUTE_GATHER_MS;
}

/*
 * The next batch for a worker (route locked): up to a session's worth of
 * jobs the limits allow now, waiting as long as they say.  Sets *dropped
 * when the route cannot be used: then the jobs are to be counted, not
 * sent.  Returns 0 when the route is closing and empty.
 */
static size_t
next_batch(struct route *route, struct state *state, struct job **jobs,
	   int *dropped)
{
	const struct provider *provider = route->provider;
	int64_t since = -1;
	time_t now, retry_at;
	size_t want, count;

	*dropped = 0;
	for (;;) {
		if (route->count > 0 && (route->broken || route->given_up)) {
			*dropped = 1;
			return take_all(route, jobs);
		}
		now = time(NULL);
		if (route->count > 0 && now >= route->backoff_until) {
			want = session_share(route);
			if (want > route->count)
				want = route->count;
			if (since < 0)
				since = now_ms();
			if (!batch_ready(route, want, now_ms() - since)) {
				wait_ms(route, &route->work, ROUTE_GATHER_MS);
				continue;
			}
			count = limit_take(&route->limit, now, want, &retry_at);
			if (count > 0 && route->shared_limits)
				count = take_shared(route, state, count, now,
						    &retry_at);
			if (count > 0)
				return take_some(route, jobs, count);
			if (route->given_up)
				continue;
			if (retry_at == 0) {
				route->given_up = 1;
				deliver_report(route->deliver,
					       "provider %s: its limit of %ld "
					       "a day is reached; the rest "
					       "wait for tomorrow",
					       provider->id,
					       provider->max_per_day);
				continue;
			}
			wait_until(route, &route->work, retry_at);
			continue;
		}
		if (route->count == 0 && route->closing)
			return 0;
		wait_until(route, &route->work,
			   route->count > 0 ? route->backoff_until : 0);
	}
}

/* A reply that asks for less: "421 ... try later", "452 too many ...". */
static int
asks_for_less(const char *errstr)
{
	const char *p;

	if (errstr == NULL)
		return 0;
	if (strstr(errstr, ": 421") != NULL || strncmp(errstr, "421", 3) == 0)
		return 1;
	for (p = errstr; *p; p++)
		if (util_strncasecmp(p, "too many", 8) == 0)
			return 1;
	return 0;
}

/* Puts job back at the front, for after the pause (route locked). */
static void
requeue(struct route *route, struct job *job)
{
	route->head = (route->head + route->capacity - 1) % route->capacity;
	route->queue[route->head] = job;
	route->count++;
}

static void
slow_down(struct route *route)
{
	route->backoff_until = time(NULL) + route->backoff;
	if (++route->backoff_streak >= ROUTE_BACKOFF_GIVE_UP) {
		route->given_up = 1;
		deliver_report(route->deliver,
			       "provider %s: still asks for less after %d "
			       "pauses; the rest wait for the next run",
			       route->provider->id, ROUTE_BACKOFF_GIVE_UP);
		return;
	}
	deliver_report(route->deliver,
		       "provider %s asks for less: pausing %ld s before "
		       "going on",
		       route->provider->id, route->backoff);
	route->backoff = route->backoff * 2 > ROUTE_BACKOFF_MAX
			     ? ROUTE_BACKOFF_MAX
			     : route->backoff * 2;
}

/* What becomes of a job once the transport is done with it. */
enum fate {
	FATE_OUTCOME, /* recorded and counted as the transport said */
	FATE_AGAIN,   /* back in the queue, for a later batch */
	FATE_DROPPED  /* not tried: the route cannot be used any more */
};

/* Takes note of a temporary failure or a success (route locked). */
static void
note_streak(struct route *route, enum transport_status status)
{
	if (status == TRANSPORT_OK) {
		route->temporary_streak = 0;
		route->backoff_streak = 0;
		route->backoff = route->provider->backoff;
	} else if (status == TRANSPORT_ETEMP &&
		   ++route->temporary_streak == DELIVER_PAUSE_AFTER) {
		route->given_up = 1;
		deliver_report(route->deliver,
			       "provider %s: %d temporary failures in a row; "
			       "its other subscribers are left for the next "
			       "run",
			       route->provider->id, DELIVER_PAUSE_AFTER);
	}
}

/*
 * What the route learns from one job's fate (route locked).  A job the
 * session never got to, or one turned away with "too many", goes back in
 * the queue while the route is usable; it was not sent, so it gives its
 * place in the limits back.
 */
static enum fate
learn(struct route *route, struct job *job, const struct transport_job *tjob,
      int *slowed)
{
	int untried = !tjob->tried;
	int again = untried || (tjob->status == TRANSPORT_ETEMP &&
				asks_for_less(tjob->errstr));

	route->in_flight--;
	if (!again || job->held || route->broken != NULL || route->given_up)
		route->bytes -= job->letter.size;
	if (job->held)
		return FATE_OUTCOME;
	if (again && route->broken == NULL && !route->given_up) {
		*slowed |= !untried;
		requeue(route, job);
		limit_give_back(&route->limit, 1);
		return FATE_AGAIN;
	}
	if (untried)
		return FATE_DROPPED;
	note_streak(route, tjob->status);
	if (tjob->status == TRANSPORT_ECONFIG && route->broken == NULL) {
		/*
		 * Wrong settings fail for every subscriber alike; trying each
		 * would repeat the line and could lock the account.
		 */
		route->broken =
		    xstrdup(tjob->errstr ? tjob->errstr : "settings");
	}
	return FATE_OUTCOME;
}

/* One worker's batch, as the transport's hooks see it. */
struct batch {
	struct route *route;
	struct state *state; /* the workers' shared connection */
	int slowed;	     /* a reply asked for less */
};

/* A job not sent after all gives its place in the shared limits back. */
static void
give_back_shared(struct route *route, struct state *state, long long take_id)
{
	char *errstr = NULL;
	enum state_status status;

	pthread_mutex_lock(&route->deliver->store_lock);
	status = state_limit_give_back(state, take_id, 1, &errstr);
	pthread_mutex_unlock(&route->deliver->store_lock);
	if (status == STATE_OK)
		return;
	deliver_report(route->deliver, "provider %s: %s", route->provider->id,
		       errstr);
	free(errstr);
}

/* The before_data hook: the journal first, then the data. */
static int
before_data(void *context, struct transport_job *tjob)
{
	struct batch *batch = context;
	struct job *job = tjob->context;

	if (deliver_begin(job->deliver, batch->state, job) != 0) {
		job->held = 1;
		return -1;
	}
	job->begun = 1;
	return 0;
}

/*
 * The after hook: each job's fate is recorded as soon as it is known,
 * not at the end of the batch, so that a crash mid-batch leaves at most
 * the job in hand unsettled.
 */
static void
after(void *context, struct transport_job *tjob)
{
	struct batch *batch = context;
	struct route *route = batch->route;
	struct job *job = tjob->context;
	long long take_id;
	enum fate fate;

	/* Once the journal failed, nothing more goes out: count it held. */
	if (!tjob->tried && deliver_journal_broken(route->deliver))
		job->held = 1;
	pthread_mutex_lock(&route->lock);
	take_id = job->take_id; /* before another worker takes it again */
	fate = learn(route, job, tjob, &batch->slowed);
	/*
	 * A job back in the queue leaves "sending" before another worker
	 * can take it and begin it anew: the journal refuses to begin a
	 * delivery that is under way (another run's, on a shared store).
	 */
	if (fate == FATE_AGAIN)
		deliver_set_aside(route->deliver, batch->state, job,
				  tjob->errstr);
	pthread_cond_broadcast(&route->room);
	pthread_mutex_unlock(&route->lock);
	if (fate == FATE_OUTCOME) {
		deliver_outcome(route->deliver, batch->state, job, tjob->status,
				tjob->errstr);
		tjob->errstr = NULL;
	} else {
		if (fate == FATE_AGAIN && take_id != 0)
			give_back_shared(route, batch->state, take_id);
		free(tjob->errstr);
		tjob->errstr = NULL;
	}
	if (fate == FATE_DROPPED)
		deliver_not_tried(route->deliver, route, job);
	if (fate != FATE_AGAIN)
		deliver_job_free(job);
}

/*
 * Sends one batch over a session of its own (so that none carries more
 * than messages_per_connection); the hooks hand each job's fate on.
 */
static void
send_batch(struct route *route, struct state *state, struct job **jobs,
	   size_t count)
{
	static const struct transport_hooks hooks = {before_data, after};
	struct transport_job *tjobs = xcalloc(count, sizeof *tjobs);
	struct batch batch = {route, state, 0};
	struct transport *transport =
	    transport_open_provider(route->provider, route->password);

	for (size_t i = 0; i < count; i++) {
		jobs[i]->state = state;
		tjobs[i].envelope_from = jobs[i]->letter.envelope_from;
		tjobs[i].recipient = jobs[i]->subscriber.email;
		tjobs[i].message = jobs[i]->letter.message;
		tjobs[i].size = jobs[i]->letter.size;
		tjobs[i].context = jobs[i];
	}
	transport_send_batch(transport, tjobs, count, &hooks, &batch);
	transport_close(transport);
	deliver_commit(route->deliver, state);
	if (batch.slowed) {
		pthread_mutex_lock(&route->lock);
		slow_down(route);
		pthread_mutex_unlock(&route->lock);
	}
	free(tjobs);
}

static void
drop(struct route *route, struct job **jobs, size_t count)
{
	pthread_mutex_lock(&route->lock);
	route->in_flight -= count;
	for (size_t i = 0; i < count; i++)
		route->bytes -= jobs[i]->letter.size;
	pthread_cond_broadcast(&route->room);
	pthread_mutex_unlock(&route->lock);
	for (size_t i = 0; i < count; i++) {
		deliver_not_tried(route->deliver, route, jobs[i]);
		deliver_job_free(jobs[i]);
	}
}

static void *
worker_main(void *argument)
{
	struct route *route = argument;
	struct state *state = NULL;
	struct job **jobs = xcalloc(route->capacity, sizeof *jobs);
	char *errstr = NULL;
	size_t count;
	int dropped;

	if ((state = deliver_workers_store(route->deliver, &errstr)) == NULL) {
		deliver_report(route->deliver, "provider %s: %s",
			       route->provider->id, errstr);
		pthread_mutex_lock(&route->lock);
		if (route->broken == NULL)
			route->broken = errstr;
		else
			free(errstr);
		pthread_mutex_unlock(&route->lock);
	}
	for (;;) {
		pthread_mutex_lock(&route->lock);
		count = next_batch(route, state, jobs, &dropped);
		if (count > 0)
			route->busy++;
		pthread_mutex_unlock(&route->lock);
		if (count == 0)
			break;
		if (dropped)
			drop(route, jobs, count);
		else
			send_batch(route, state, jobs, count);
		pthread_mutex_lock(&route->lock);
		route->busy--;
		pthread_cond_broadcast(&route->room);
		pthread_cond_broadcast(&route->work);
		pthread_mutex_unlock(&route->lock);
	}
	free(jobs);
	return NULL;
}

/* Starts one more worker when there is more work than workers (locked). */
static void
maybe_start_worker(struct route *route)
{
	/* Another session only when every worker is in one already. */
	if (route->thread_count >= (size_t)route->provider->max_connections)
		return;
	if (route->thread_count > 0 && route->busy < route->thread_count)
		return;
	if (pthread_create(&route->threads[route->thread_count], NULL,
			   worker_main, route) == 0)
		route->thread_count++;
	else if (route->thread_count == 0 && route->broken == NULL)
		route->broken = xstrdup("cannot start a thread to send");
}

void
deliver_route_enqueue(struct route *route, struct job *job)
{
	pthread_mutex_lock(&route->lock);
	/*
	 * Room for every job out with a worker too: it may come back.  One
	 * letter bigger than the budget still goes, alone.
	 */
	while (route->count + route->in_flight >= route->capacity ||
	       (route->bytes > 0 &&
		route->bytes + job->letter.size > DELIVER_ROUTE_BYTES)) {
		/* A worker gathering a session need not wait for more. */
		route->producer_waits = 1;
		/* Full: the queue is work enough for one more session. */
		if (route->count > 0)
			maybe_start_worker(route);
		pthread_cond_broadcast(&route->work);
		pthread_cond_wait(&route->room, &route->lock);
	}
	route->producer_waits = 0;
	route->bytes += job->letter.size;
	route->queue[(route->head + route->count) % route->capacity] = job;
	route->count++;
	maybe_start_worker(route);
	pthread_cond_signal(&route->work);
	pthread_mutex_unlock(&route->lock);
}

void
deliver_route_drain(struct route *route)
{
	pthread_mutex_lock(&route->lock);
	route->flushing = 1;
	pthread_cond_broadcast(&route->work);
	while (route->thread_count > 0 && (route->count > 0 || route->busy > 0))
		pthread_cond_wait(&route->room, &route->lock);
	route->flushing = 0;
	pthread_mutex_unlock(&route->lock);
}

int
deliver_route_usable(struct route *route)
{
	int usable;

	pthread_mutex_lock(&route->lock);
	usable = route->broken == NULL && !route->given_up;
	pthread_mutex_unlock(&route->lock);
	return usable;
}

void
deliver_route_close(struct route *route)
{
	pthread_mutex_lock(&route->lock);
	route->closing = 1;
	pthread_cond_broadcast(&route->work);
	pthread_mutex_unlock(&route->lock);
	for (size_t i = 0; i < route->thread_count; i++)
		pthread_join(route->threads[i], NULL);
	/* Left only when no worker could start: counted, not lost. */
	while (route->count > 0) {
		struct job *job = NULL;

		take_some(route, &job, 1);
		deliver_not_tried(route->deliver, route, job);
		deliver_job_free(job);
	}
	if (route->password != NULL) {
		/* Do not leave the secret lying in freed memory. */
		explicit_bzero(route->password, strlen(route->password));
		free(route->password);
	}
	limit_clear(&route->limit);
	free(route->broken);
	free(route->threads);
	free(route->queue);
	pthread_cond_destroy(&route->work);
	pthread_cond_destroy(&route->room);
	pthread_mutex_destroy(&route->lock);
}
