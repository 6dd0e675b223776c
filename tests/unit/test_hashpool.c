/*
 * test_hashpool.c - unit tests for hashpool.c: results, the dummy hash,
 * delivery on the asking loop (never synchronous), overload, a loop that
 * keeps running while hashes do, and freeing with jobs in flight.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>
#include <sodium.h>

#include "cs.h"
#include "hashpool.h"

#define PASSWORD	"correct horse battery staple"
#define GUARD_SEC	30	/* a test that waits longer has failed */

struct tctx;

/* What one job's callback saw. */
struct rec {
	struct tctx	*t;
	bool		 submitted;	/* set just after the submit call */
	bool		 submitted_at_cb;
	int		 calls;
	int		 order;		/* 1 for the first delivery */
	bool		 ok;
	bool		 overloaded;
	bool		 has_hash;
	char		 hash[crypto_pwhash_STRBYTES];
	pthread_t	 thread;
	struct timespec	 start;
	double		 ms;		/* submit to callback */
	int		 ticks;		/* the loop's timer ticks by then */
};

/* One loop with its pool and inbox. */
struct tctx {
	struct event_base	*base;
	struct hashpool		*pool;
	struct hashpool_inbox	*inbox;
	struct event		*guard;
	int			 delivered;
	int			 expected;
	bool			 timed_out;
	bool			 free_in_cb;	/* callback frees the inbox */
	const int		*ticks;		/* a timer's count, if any */
};

static int	group_setup(void **);
static double	elapsed_ms(const struct timespec *);
static double	cpu_ms(void);
static struct event_base *new_base(void);
static void	tctx_init(struct tctx *, int, int);
static void	tctx_fini(struct tctx *);
static void	guard_cb(evutil_socket_t, short, void *);
static void	run_until(struct tctx *, int);
static void	run_for(struct tctx *, int);
static void	wait_idle(struct hashpool *);
static void	rec_start(struct rec *, struct tctx *);
static void	rec_cb(const struct hashpool_result *, void *);
static void	make_hash(char *, const char *);
static void	tick_cb(evutil_socket_t, short, void *);
static void	*side_main(void *);

static int
group_setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

static double
elapsed_ms(const struct timespec *start)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1e3 +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

/*
 * The process's CPU time, all threads: work done, which a busy machine
 * does not inflate as it does the wall clock.
 */
static double
cpu_ms(void)
{
	struct timespec	now;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
	return (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
}

/* Like a worker's base: one thread only, no locks. */
static struct event_base *
new_base(void)
{
	struct event_config	*ecfg;
	struct event_base	*base;

	ecfg = event_config_new();
	assert_non_null(ecfg);
	event_config_set_flag(ecfg, EVENT_BASE_FLAG_NOLOCK);
	base = event_base_new_with_config(ecfg);
	event_config_free(ecfg);
	assert_non_null(base);
	return base;
}

static void
tctx_init(struct tctx *t, int nthreads, int queue_max)
{
	memset(t, 0, sizeof *t);
	t->base = new_base();
	t->pool = hashpool_new(nthreads, queue_max);
	assert_non_null(t->pool);
	t->inbox = hashpool_inbox_new(t->pool, t->base);
	assert_non_null(t->inbox);
	t->guard = evtimer_new(t->base, guard_cb, t);
	assert_non_null(t->guard);
}

static void
tctx_fini(struct tctx *t)
{
	hashpool_inbox_free(t->inbox);
	hashpool_free(t->pool);
	event_free(t->guard);
	event_base_free(t->base);
}

static void
guard_cb(evutil_socket_t fd, short events, void *arg)
{
	struct tctx	*t = arg;

	(void)fd;
	(void)events;
	t->timed_out = true;
	event_base_loopbreak(t->base);
}

/* Runs the loop until expected callbacks in all have run. */
static void
run_until(struct tctx *t, int expected)
{
	struct timeval	tv = { GUARD_SEC, 0 };

	t->expected = expected;
	if (t->delivered >= expected)
		return;
	evtimer_add(t->guard, &tv);
	event_base_dispatch(t->base);
	evtimer_del(t->guard);
	assert_false(t->timed_out);
	assert_int_equal(t->delivered, expected);
}

/* Runs the loop for ms, whatever arrives. */
static void
run_for(struct tctx *t, int ms)
{
	struct timeval	tv = { 0, ms * 1000 };

	t->expected = INT32_MAX;
	event_base_loopexit(t->base, &tv);
	event_base_dispatch(t->base);
}

/* Waits, without running any loop, until every job has been posted. */
static void
wait_idle(struct hashpool *pool)
{
	struct timespec	start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (hashpool_pending(pool) != 0) {
		assert_true(elapsed_ms(&start) < GUARD_SEC * 1e3);
		usleep(1000);
	}
}

static void
rec_start(struct rec *r, struct tctx *t)
{
	memset(r, 0, sizeof *r);
	r->t = t;
	clock_gettime(CLOCK_MONOTONIC, &r->start);
}

static void
rec_cb(const struct hashpool_result *res, void *arg)
{
	struct rec	*r = arg;
	struct tctx	*t = r->t;

	r->calls++;
	r->submitted_at_cb = r->submitted;
	r->thread = pthread_self();
	r->ms = elapsed_ms(&r->start);
	r->ok = res->ok;
	r->overloaded = res->overloaded;
	if (t->ticks != NULL)
		r->ticks = *t->ticks;
	if (res->hash != NULL && strlen(res->hash) < sizeof r->hash) {
		r->has_hash = true;
		memcpy(r->hash, res->hash, strlen(res->hash) + 1);
	}
	r->order = ++t->delivered;
	if (t->free_in_cb) {
		hashpool_inbox_free(t->inbox);
		t->inbox = NULL;
	}
	if (t->delivered >= t->expected)
		event_base_loopbreak(t->base);
}

static void
make_hash(char *out, const char *password)
{
	assert_int_equal(hashpool_hash_now(password, out), 0);
	assert_int_equal(strncmp(out, "$argon2id$", 10), 0);
	assert_int_equal(crypto_pwhash_str_verify(out, password,
	    strlen(password)), 0);
}

static void
test_verify(void **state)
{
	struct tctx	t;
	struct rec	good, bad, empty, junk;
	char		hash[crypto_pwhash_STRBYTES];

	(void)state;
	make_hash(hash, PASSWORD);
	tctx_init(&t, 2, 4);

	rec_start(&good, &t);
	hashpool_verify(t.inbox, hash, PASSWORD, rec_cb, &good);
	rec_start(&bad, &t);
	hashpool_verify(t.inbox, hash, PASSWORD "!", rec_cb, &bad);
	rec_start(&empty, &t);
	hashpool_verify(t.inbox, hash, "", rec_cb, &empty);
	rec_start(&junk, &t);
	hashpool_verify(t.inbox, "$argon2id$junk", PASSWORD, rec_cb, &junk);
	run_until(&t, 4);

	assert_int_equal(good.calls, 1);
	assert_true(good.ok);
	assert_int_equal(bad.calls, 1);
	assert_false(bad.ok);
	assert_int_equal(empty.calls, 1);
	assert_false(empty.ok);
	assert_int_equal(junk.calls, 1);
	assert_false(junk.ok);
	assert_false(good.overloaded || bad.overloaded || empty.overloaded ||
	    junk.overloaded);
	assert_false(good.has_hash || bad.has_hash);
	assert_int_equal(hashpool_pending(t.pool), 0);
	tctx_fini(&t);
}

static void
test_hash(void **state)
{
	struct tctx	t;
	struct rec	r;

	(void)state;
	tctx_init(&t, 1, 4);
	rec_start(&r, &t);
	hashpool_hash(t.inbox, PASSWORD, rec_cb, &r);
	run_until(&t, 1);

	assert_int_equal(r.calls, 1);
	assert_true(r.ok);
	assert_false(r.overloaded);
	assert_true(r.has_hash);
	assert_int_equal(strncmp(r.hash, "$argon2id$", 10), 0);
	assert_int_equal(crypto_pwhash_str_verify(r.hash, PASSWORD,
	    strlen(PASSWORD)), 0);
	assert_int_not_equal(crypto_pwhash_str_verify(r.hash, "other", 5), 0);
	/* Made with the interactive cost, as the comment promises. */
	assert_int_equal(crypto_pwhash_str_needs_rehash(r.hash,
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE), 0);
	tctx_fini(&t);
}

static void
test_dummy(void **state)
{
	struct tctx	t;
	struct rec	dummy, junk;
	double		cpu0, cpu_junk, cpu_dummy;

	(void)state;
	tctx_init(&t, 1, 4);

	/*
	 * A malformed hash fails fast: the baseline for "no work done".
	 * Measured in CPU time (the loop thread only waits meanwhile), not
	 * by the clock: a busy machine may delay a quick job's delivery by
	 * more than a hash takes.
	 */
	cpu0 = cpu_ms();
	rec_start(&junk, &t);
	hashpool_verify(t.inbox, "nonsense", PASSWORD, rec_cb, &junk);
	run_until(&t, 1);
	cpu_junk = cpu_ms() - cpu0;
	cpu0 = cpu_ms();
	rec_start(&dummy, &t);
	hashpool_verify(t.inbox, NULL, PASSWORD, rec_cb, &dummy);
	run_until(&t, 2);
	cpu_dummy = cpu_ms() - cpu0;

	assert_int_equal(dummy.calls, 1);
	assert_false(dummy.ok);
	assert_false(dummy.overloaded);
	assert_false(dummy.has_hash);
	print_message("dummy verify %.1f ms (CPU %.1f ms), malformed hash "
	    "%.3f ms (CPU %.3f ms)\n", dummy.ms, cpu_dummy, junk.ms, cpu_junk);
	/* A real argon2id run: 64 MiB cannot be filled in a millisecond. */
	assert_true(cpu_dummy > 1.0);
	assert_true(cpu_dummy > cpu_junk);
	tctx_fini(&t);
}

static void
test_async_on_loop(void **state)
{
	struct tctx	t;
	struct rec	r[3];
	char		hash[crypto_pwhash_STRBYTES];
	pthread_t	self = pthread_self();
	size_t		i;

	(void)state;
	make_hash(hash, PASSWORD);
	tctx_init(&t, 2, 4);

	rec_start(&r[0], &t);
	hashpool_verify(t.inbox, hash, PASSWORD, rec_cb, &r[0]);
	r[0].submitted = true;
	rec_start(&r[1], &t);
	hashpool_verify(t.inbox, NULL, PASSWORD, rec_cb, &r[1]);
	r[1].submitted = true;
	rec_start(&r[2], &t);
	hashpool_hash(t.inbox, PASSWORD, rec_cb, &r[2]);
	r[2].submitted = true;
	run_until(&t, 3);

	for (i = 0; i < CS_NELEM(r); i++) {
		assert_int_equal(r[i].calls, 1);
		assert_true(r[i].submitted_at_cb);
		assert_true(pthread_equal(r[i].thread, self));
	}
	assert_true(r[0].ok);
	assert_false(r[1].ok);
	assert_true(r[2].ok);
	tctx_fini(&t);
}

static void
test_overload(void **state)
{
	struct tctx	t;
	struct rec	r[5];
	struct timespec	start;
	char		hash[crypto_pwhash_STRBYTES];
	pthread_t	self = pthread_self();
	size_t		i;
	int		overloaded = 0, accepted = 0, pending;
	double		hash_cpu, submit_ms;

	(void)state;
	hash_cpu = cpu_ms();
	make_hash(hash, PASSWORD);
	hash_cpu = cpu_ms() - hash_cpu;
	tctx_init(&t, 1, 1);

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < CS_NELEM(r); i++) {
		rec_start(&r[i], &t);
		hashpool_verify(t.inbox, hash, PASSWORD, rec_cb, &r[i]);
		r[i].submitted = true;
	}
	pending = hashpool_pending(t.pool);
	submit_ms = elapsed_ms(&start);
	/* One running (or about to) and one waiting at most. */
	assert_in_range(pending, 0, 2);
	run_until(&t, (int)CS_NELEM(r));
	/* Nothing is delivered twice. */
	run_for(&t, 50);

	assert_int_equal(t.delivered, (int)CS_NELEM(r));
	for (i = 0; i < CS_NELEM(r); i++) {
		assert_int_equal(r[i].calls, 1);
		assert_true(r[i].submitted_at_cb);
		assert_true(pthread_equal(r[i].thread, self));
		if (r[i].overloaded) {
			assert_false(r[i].ok);
			overloaded++;
		} else {
			assert_true(r[i].ok);
			accepted++;
		}
	}
	print_message("%d accepted, %d overloaded; submitted in %.3f ms, a "
	    "hash takes %.1f ms of CPU\n", accepted, overloaded, submit_ms,
	    hash_cpu);
	assert_int_equal(accepted + overloaded, (int)CS_NELEM(r));
	/*
	 * Submitted while the first still ran: one running and one queued,
	 * the rest refused.  A verify takes a hash's CPU time at least, and
	 * the submissions take microseconds; only a test thread kept off
	 * the CPU for longer than a hash could see a job end meanwhile.
	 */
	if (submit_ms < hash_cpu / 2) {
		assert_in_range(pending, 1, 2);
		assert_in_range(accepted, 1, 2);
	} else {
		print_message("the submissions took longer than half a hash: "
		    "only the bounds are checked\n");
		assert_in_range(accepted, 1, (int)CS_NELEM(r));
	}
	assert_int_equal(hashpool_pending(t.pool), 0);
	tctx_fini(&t);
}

struct ticker {
	struct event	*ev;
	int		 ticks;
};

static void
tick_cb(evutil_socket_t fd, short events, void *arg)
{
	struct ticker	*tk = arg;

	(void)fd;
	(void)events;
	tk->ticks++;
}

static void
test_loop_responsive(void **state)
{
	struct tctx	 t;
	struct rec	 r[4];
	struct ticker	 tk = { 0 };
	struct timeval	 tv = { 0, 5000 };
	struct timespec	 start;
	char		 hash[crypto_pwhash_STRBYTES];
	double		 ms;
	size_t		 i;
	int		 first = INT32_MAX;

	(void)state;
	make_hash(hash, PASSWORD);
	tctx_init(&t, 4, 4);
	t.ticks = &tk.ticks;
	tk.ev = event_new(t.base, -1, EV_PERSIST, tick_cb, &tk);
	assert_non_null(tk.ev);
	event_add(tk.ev, &tv);

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < CS_NELEM(r); i++) {
		rec_start(&r[i], &t);
		hashpool_verify(t.inbox, hash, PASSWORD, rec_cb, &r[i]);
	}
	run_until(&t, (int)CS_NELEM(r));
	ms = elapsed_ms(&start);
	event_free(tk.ev);

	for (i = 0; i < CS_NELEM(r); i++) {
		assert_true(r[i].ok);
		assert_false(r[i].overloaded);
		if (r[i].ticks < first)
			first = r[i].ticks;
	}
	print_message("%d ticks of 5 ms in %.1f ms of hashing, %d before "
	    "the first result\n", tk.ticks, ms, first);
	/*
	 * The timer fired while the hashes ran, before any result came.  No
	 * bound from the elapsed time: a loaded machine may starve the loop
	 * of CPU.  Under valgrind, which runs one thread at a time, use
	 * --fair-sched=yes or the hashing threads keep the loop waiting.
	 */
	assert_true(first >= 2);
	assert_true(tk.ticks >= 3);
	tctx_fini(&t);
}

static void
test_inbox_free_in_flight(void **state)
{
	struct tctx	t;
	struct rec	r[4];
	char		hash[crypto_pwhash_STRBYTES];
	size_t		i;

	(void)state;
	make_hash(hash, PASSWORD);
	tctx_init(&t, 1, 8);

	/* r[0] posted, not delivered: the loop has not run. */
	rec_start(&r[0], &t);
	hashpool_verify(t.inbox, hash, PASSWORD, rec_cb, &r[0]);
	wait_idle(t.pool);
	/* r[1] running (soon), r[2] and r[3] queued: all three pending
	 * (checked at once: a hash takes far longer than submitting). */
	for (i = 1; i < CS_NELEM(r); i++) {
		rec_start(&r[i], &t);
		hashpool_verify(t.inbox, hash, PASSWORD, rec_cb, &r[i]);
	}
	assert_int_equal(hashpool_pending(t.pool), 3);
	/* Most likely r[1] is running by now; either way is right below. */
	usleep(10 * 1000);

	hashpool_inbox_free(t.inbox);
	t.inbox = NULL;
	/* The queued ones are gone; the running one is the thread's. */
	assert_in_range(hashpool_pending(t.pool), 0, 1);
	event_base_loop(t.base, EVLOOP_NONBLOCK);
	wait_idle(t.pool);
	event_base_loop(t.base, EVLOOP_NONBLOCK);

	assert_int_equal(t.delivered, 0);
	for (i = 0; i < CS_NELEM(r); i++)
		assert_int_equal(r[i].calls, 0);
	tctx_fini(&t);
}

static void
test_pool_free_while_running(void **state)
{
	struct tctx	t;
	struct rec	r[3];
	size_t		i;

	(void)state;
	tctx_init(&t, 2, 4);
	for (i = 0; i < CS_NELEM(r); i++) {
		rec_start(&r[i], &t);
		hashpool_hash(t.inbox, PASSWORD, rec_cb, &r[i]);
	}
	usleep(5 * 1000);
	/* Orphans: hashpool_free joins the threads, which free them. */
	hashpool_inbox_free(t.inbox);
	t.inbox = NULL;
	hashpool_free(t.pool);
	t.pool = NULL;
	event_base_loop(t.base, EVLOOP_NONBLOCK);
	assert_int_equal(t.delivered, 0);
	tctx_fini(&t);
}

static void
test_inbox_free_in_callback(void **state)
{
	struct tctx	t;
	struct rec	r[2];
	char		hash[crypto_pwhash_STRBYTES];
	size_t		i;

	(void)state;
	make_hash(hash, PASSWORD);
	tctx_init(&t, 2, 4);
	for (i = 0; i < CS_NELEM(r); i++) {
		rec_start(&r[i], &t);
		hashpool_verify(t.inbox, hash, PASSWORD, rec_cb, &r[i]);
	}
	/* Both posted before the loop runs: one delivery for both. */
	wait_idle(t.pool);
	t.free_in_cb = true;
	run_until(&t, 1);
	run_for(&t, 20);

	assert_null(t.inbox);
	assert_int_equal(t.delivered, 1);
	assert_int_equal(r[0].calls + r[1].calls, 1);
	tctx_fini(&t);
}

/* A worker-like thread with its own loop and inbox on a shared pool. */
struct side {
	struct hashpool		*pool;
	pthread_barrier_t	*barrier;
	const char		*hash;
	const char		*password;
	bool			 expect_ok;
	pthread_t		 self;
	struct tctx		 t;
	struct rec		 r[3];
	bool			 timed_out;
};

static void *
side_main(void *arg)
{
	struct side	*s = arg;
	struct timeval	 tv = { GUARD_SEC, 0 };
	size_t		 i;

	memset(&s->t, 0, sizeof s->t);
	s->t.base = new_base();
	s->t.pool = s->pool;
	s->t.inbox = hashpool_inbox_new(s->pool, s->t.base);
	s->t.guard = evtimer_new(s->t.base, guard_cb, &s->t);
	pthread_barrier_wait(s->barrier);

	for (i = 0; i < CS_NELEM(s->r); i++) {
		rec_start(&s->r[i], &s->t);
		hashpool_verify(s->t.inbox, s->hash, s->password, rec_cb,
		    &s->r[i]);
	}
	/* No cmocka assertions off the main thread: record, check later. */
	s->t.expected = (int)CS_NELEM(s->r);
	evtimer_add(s->t.guard, &tv);
	event_base_dispatch(s->t.base);
	s->timed_out = s->t.timed_out;

	hashpool_inbox_free(s->t.inbox);
	event_free(s->t.guard);
	event_base_free(s->t.base);
	return NULL;
}

static void
test_two_inboxes(void **state)
{
	struct hashpool		*pool;
	struct side		 s[2];
	pthread_barrier_t	 barrier;
	char			 hash[crypto_pwhash_STRBYTES];
	size_t			 i, j;

	(void)state;
	make_hash(hash, PASSWORD);
	pool = hashpool_new(2, 8);
	assert_non_null(pool);
	assert_int_equal(pthread_barrier_init(&barrier, NULL, 2), 0);

	memset(s, 0, sizeof s);
	for (i = 0; i < CS_NELEM(s); i++) {
		s[i].pool = pool;
		s[i].barrier = &barrier;
		s[i].hash = hash;
		/* Different outcomes, so a swapped result shows. */
		s[i].expect_ok = i == 0;
		s[i].password = i == 0 ? PASSWORD : "wrong";
		assert_int_equal(pthread_create(&s[i].self, NULL, side_main,
		    &s[i]), 0);
	}
	for (i = 0; i < CS_NELEM(s); i++)
		assert_int_equal(pthread_join(s[i].self, NULL), 0);
	pthread_barrier_destroy(&barrier);

	for (i = 0; i < CS_NELEM(s); i++) {
		assert_false(s[i].timed_out);
		assert_int_equal(s[i].t.delivered, (int)CS_NELEM(s[i].r));
		for (j = 0; j < CS_NELEM(s[i].r); j++) {
			assert_int_equal(s[i].r[j].calls, 1);
			assert_true(pthread_equal(s[i].r[j].thread,
			    s[i].self));
			assert_int_equal(s[i].r[j].ok, s[i].expect_ok);
			assert_false(s[i].r[j].overloaded);
		}
	}
	assert_int_equal(hashpool_pending(pool), 0);
	hashpool_free(pool);
}

static void
test_null_and_empty(void **state)
{
	struct hashpool	*pool;

	(void)state;
	hashpool_free(NULL);
	hashpool_inbox_free(NULL);
	/* A pool that never had an inbox stops cleanly. */
	pool = hashpool_new(3, 0);
	assert_non_null(pool);
	assert_int_equal(hashpool_pending(pool), 0);
	hashpool_free(pool);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_dummy),
		cmocka_unit_test(test_async_on_loop),
		cmocka_unit_test(test_overload),
		cmocka_unit_test(test_loop_responsive),
		cmocka_unit_test(test_inbox_free_in_flight),
		cmocka_unit_test(test_pool_free_while_running),
		cmocka_unit_test(test_inbox_free_in_callback),
		cmocka_unit_test(test_two_inboxes),
		cmocka_unit_test(test_null_and_empty),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
