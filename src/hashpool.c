/*
 * hashpool.c - password hashing off the event loops (see hashpool.h).
 *
 * A job lives in exactly one list at a time, through one TAILQ entry:
 * the pool's queue, then the pool's running list (both under the pool
 * mutex), then its inbox's result list (under the inbox mutex), from
 * which the inbox's loop takes it, calls back and frees it.
 *
 * Lock order: pool mutex, then inbox mutex.  A thread posts a result
 * while it holds the pool mutex, so once hashpool_inbox_free() has
 * detached an inbox under that mutex, no thread can touch the inbox
 * (its list, its mutex or its eventfd) again: jobs still running are
 * marked orphaned and freed by their thread.
 */
#include <sys/eventfd.h>
#include <sys/queue.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "hashpool.h"
#include "log.h"
#include "xmalloc.h"

/* Every hash we make is argon2id: crypto_pwhash_str uses the default. */
_Static_assert(crypto_pwhash_ALG_DEFAULT == crypto_pwhash_ALG_ARGON2ID13,
    "libsodium's default password hash is not argon2id");

enum hashpool_kind {
	HASHPOOL_VERIFY,	/* check password against hash */
	HASHPOOL_HASH,		/* make a new hash of password */
};

struct hashpool_job {
	TAILQ_ENTRY(hashpool_job) entry;
	struct hashpool_inbox	*inbox;
	enum hashpool_kind	 kind;
	bool			 orphaned;	/* inbox gone: thread frees */

	char			*hash;		/* verify; NULL: dummy */
	char			*password;
	size_t			 passwordlen;

	hashpool_cb		 cb;
	void			*arg;

	struct hashpool_result	 res;
	char			 out[crypto_pwhash_STRBYTES];
};
TAILQ_HEAD(hashpool_jobs, hashpool_job);

struct hashpool_thread {
	struct hashpool		*pool;
	pthread_t		 thread;
	int			 index;
};

struct hashpool {
	pthread_mutex_t		 mtx;
	pthread_cond_t		 cond;		/* queue not empty, or stop */
	struct hashpool_jobs	 queue;
	struct hashpool_jobs	 running;
	int			 nqueued;
	int			 nrunning;
	int			 nidle;		/* threads waiting for a job */
	int			 queue_max;
	int			 ninboxes;
	bool			 stop;

	struct hashpool_thread	*threads;
	int			 nthreads;

	/* Hash of a random password, for verifying unknown accounts. */
	char			 dummy[crypto_pwhash_STRBYTES];
};

struct hashpool_inbox {
	struct hashpool		*pool;
	struct event_base	*base;
	struct event		*ev;
	int			 efd;

	pthread_mutex_t		 mtx;
	struct hashpool_jobs	 results;	/* in completion order */

	/* Loop thread only. */
	bool			 delivering;
	bool			 dying;		/* freed during delivery */
};

static void	*hashpool_main(void *);
static void	 hashpool_run(struct hashpool *, struct hashpool_job *);
static void	 hashpool_submit(struct hashpool_inbox *, enum hashpool_kind,
		    const char *, const char *, hashpool_cb, void *);
static void	 hashpool_post(struct hashpool_job *);
static void	 hashpool_job_free(struct hashpool_job *);
static void	 hashpool_stop(struct hashpool *, int);
static void	 hashpool_inbox_cb(evutil_socket_t, short, void *);
static void	 hashpool_inbox_detach(struct hashpool_inbox *);
static void	 hashpool_inbox_destroy(struct hashpool_inbox *);

struct hashpool *
hashpool_new(int nthreads, int queue_max)
{
	struct hashpool	*pool;
	unsigned char	 rnd[16];
	char		 pw[2 * sizeof rnd + 1];
	sigset_t	 all, old;
	int		 i, rc;

	if (nthreads < 1 || queue_max < 0)
		fatalx("hashpool_new: %d threads, queue %d", nthreads,
		    queue_max);

	pool = xcalloc(1, sizeof *pool);
	pthread_mutex_init(&pool->mtx, NULL);
	pthread_cond_init(&pool->cond, NULL);
	TAILQ_INIT(&pool->queue);
	TAILQ_INIT(&pool->running);
	pool->queue_max = queue_max;

	/* Nobody knows this password: the dummy can never verify. */
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(pw, sizeof pw, rnd, sizeof rnd);
	rc = hashpool_hash_now(pw, pool->dummy);
	sodium_memzero(pw, sizeof pw);
	sodium_memzero(rnd, sizeof rnd);
	if (rc != 0) {
		log_error("hashpool: cannot hash the dummy password");
		hashpool_stop(pool, 0);
		return NULL;
	}

	/* Signals are for the main thread's sigwait(), never for these. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pool->threads = xcalloc((size_t)nthreads, sizeof *pool->threads);
	for (i = 0; i < nthreads; i++) {
		pool->threads[i].pool = pool;
		pool->threads[i].index = i;
		rc = pthread_create(&pool->threads[i].thread, NULL,
		    hashpool_main, &pool->threads[i]);
		if (rc != 0)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (i < nthreads) {
		log_error("hashpool: pthread_create: %s", strerror(rc));
		hashpool_stop(pool, i);
		return NULL;
	}
	pool->nthreads = nthreads;
	return pool;
}

void
hashpool_free(struct hashpool *pool)
{
	if (pool == NULL)
		return;
	if (pool->ninboxes != 0)
		fatalx("hashpool_free: %d inboxes left", pool->ninboxes);
	hashpool_stop(pool, pool->nthreads);
}

/* Stops and joins the first n threads, then frees the pool. */
static void
hashpool_stop(struct hashpool *pool, int n)
{
	struct hashpool_job	*job;
	int			 i;

	pthread_mutex_lock(&pool->mtx);
	pool->stop = true;
	pthread_cond_broadcast(&pool->cond);
	pthread_mutex_unlock(&pool->mtx);
	for (i = 0; i < n; i++)
		pthread_join(pool->threads[i].thread, NULL);

	/*
	 * Freed inboxes took their queued jobs with them and their running
	 * jobs were freed by the threads, so this finds nothing unless the
	 * caller broke the contract.
	 */
	while ((job = TAILQ_FIRST(&pool->queue)) != NULL) {
		TAILQ_REMOVE(&pool->queue, job, entry);
		hashpool_job_free(job);
	}

	pthread_cond_destroy(&pool->cond);
	pthread_mutex_destroy(&pool->mtx);
	free(pool->threads);
	free(pool);
}

struct hashpool_inbox *
hashpool_inbox_new(struct hashpool *pool, struct event_base *base)
{
	struct hashpool_inbox	*inbox;
	int			 efd;

	/* Like the worker's own pipe: a worker cannot start without it. */
	if ((efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		fatal("hashpool: eventfd");

	inbox = xcalloc(1, sizeof *inbox);
	inbox->pool = pool;
	inbox->base = base;
	inbox->efd = efd;
	pthread_mutex_init(&inbox->mtx, NULL);
	TAILQ_INIT(&inbox->results);

	inbox->ev = event_new(base, efd, EV_READ | EV_PERSIST,
	    hashpool_inbox_cb, inbox);
	if (inbox->ev == NULL || event_add(inbox->ev, NULL) != 0)
		fatalx("hashpool: event_new failed");

	pthread_mutex_lock(&pool->mtx);
	pool->ninboxes++;
	pthread_mutex_unlock(&pool->mtx);
	return inbox;
}

void
hashpool_inbox_free(struct hashpool_inbox *inbox)
{
	if (inbox == NULL)
		return;
	hashpool_inbox_detach(inbox);
	/* Called from one of its own callbacks: the delivery loop ends it. */
	if (inbox->delivering) {
		inbox->dying = true;
		return;
	}
	hashpool_inbox_destroy(inbox);
}

/* After this, no hashing thread refers to the inbox any more. */
static void
hashpool_inbox_detach(struct hashpool_inbox *inbox)
{
	struct hashpool		*pool = inbox->pool;
	struct hashpool_jobs	 dropped;
	struct hashpool_job	*job, *next;

	TAILQ_INIT(&dropped);
	pthread_mutex_lock(&pool->mtx);
	for (job = TAILQ_FIRST(&pool->queue); job != NULL; job = next) {
		next = TAILQ_NEXT(job, entry);
		if (job->inbox != inbox)
			continue;
		TAILQ_REMOVE(&pool->queue, job, entry);
		pool->nqueued--;
		TAILQ_INSERT_TAIL(&dropped, job, entry);
	}
	TAILQ_FOREACH(job, &pool->running, entry) {
		if (job->inbox == inbox)
			job->orphaned = true;
	}
	pool->ninboxes--;
	pthread_mutex_unlock(&pool->mtx);

	while ((job = TAILQ_FIRST(&dropped)) != NULL) {
		TAILQ_REMOVE(&dropped, job, entry);
		hashpool_job_free(job);
	}
}

/* Frees the inbox and the results it has not delivered, uncalled. */
static void
hashpool_inbox_destroy(struct hashpool_inbox *inbox)
{
	struct hashpool_job	*job;

	event_free(inbox->ev);
	close(inbox->efd);
	while ((job = TAILQ_FIRST(&inbox->results)) != NULL) {
		TAILQ_REMOVE(&inbox->results, job, entry);
		hashpool_job_free(job);
	}
	pthread_mutex_destroy(&inbox->mtx);
	free(inbox);
}

void
hashpool_verify(struct hashpool_inbox *inbox, const char *hash,
    const char *password, hashpool_cb cb, void *arg)
{
	hashpool_submit(inbox, HASHPOOL_VERIFY, hash, password, cb, arg);
}

void
hashpool_hash(struct hashpool_inbox *inbox, const char *password,
    hashpool_cb cb, void *arg)
{
	hashpool_submit(inbox, HASHPOOL_HASH, NULL, password, cb, arg);
}

static void
hashpool_submit(struct hashpool_inbox *inbox, enum hashpool_kind kind,
    const char *hash, const char *password, hashpool_cb cb, void *arg)
{
	struct hashpool		*pool = inbox->pool;
	struct hashpool_job	*job;

	/* Copied before taking the lock, to keep it short. */
	job = xcalloc(1, sizeof *job);
	job->inbox = inbox;
	job->kind = kind;
	if (hash != NULL)
		job->hash = xstrdup(hash);
	job->password = xstrdup(password);
	job->passwordlen = strlen(password);
	job->cb = cb;
	job->arg = arg;

	pthread_mutex_lock(&pool->mtx);
	/*
	 * Jobs that idle threads are about to take are not waiting; beyond
	 * those, at most queue_max may wait.  A refusal goes through the
	 * inbox like any result, so the callback never runs in this call.
	 */
	if (pool->nqueued >= pool->queue_max + pool->nidle) {
		job->res.overloaded = true;
		hashpool_post(job);
	} else {
		TAILQ_INSERT_TAIL(&pool->queue, job, entry);
		pool->nqueued++;
		pthread_cond_signal(&pool->cond);
	}
	pthread_mutex_unlock(&pool->mtx);
}

/* Hands a finished job to its inbox's loop.  Pool mutex held. */
static void
hashpool_post(struct hashpool_job *job)
{
	struct hashpool_inbox	*inbox = job->inbox;
	uint64_t		 one = 1;

	pthread_mutex_lock(&inbox->mtx);
	TAILQ_INSERT_TAIL(&inbox->results, job, entry);
	pthread_mutex_unlock(&inbox->mtx);

	/* EAGAIN would mean 2^64 - 1 unread posts: the loop will wake. */
	if (write(inbox->efd, &one, sizeof one) == -1 && errno != EAGAIN)
		fatal("hashpool: write eventfd");
}

static void *
hashpool_main(void *arg)
{
	struct hashpool_thread	*t = arg;
	struct hashpool		*pool = t->pool;
	struct hashpool_job	*job;
	char			 name[16];

	snprintf(name, sizeof name, "hash%d", t->index);
	log_set_thread_name(name);

	pthread_mutex_lock(&pool->mtx);
	for (;;) {
		while (!pool->stop && TAILQ_EMPTY(&pool->queue)) {
			pool->nidle++;
			pthread_cond_wait(&pool->cond, &pool->mtx);
			pool->nidle--;
		}
		if (pool->stop)
			break;
		job = TAILQ_FIRST(&pool->queue);
		TAILQ_REMOVE(&pool->queue, job, entry);
		pool->nqueued--;
		TAILQ_INSERT_TAIL(&pool->running, job, entry);
		pool->nrunning++;
		pthread_mutex_unlock(&pool->mtx);

		hashpool_run(pool, job);

		pthread_mutex_lock(&pool->mtx);
		TAILQ_REMOVE(&pool->running, job, entry);
		pool->nrunning--;
		if (job->orphaned) {
			pthread_mutex_unlock(&pool->mtx);
			hashpool_job_free(job);
			pthread_mutex_lock(&pool->mtx);
		} else
			hashpool_post(job);
	}
	pthread_mutex_unlock(&pool->mtx);
	return NULL;
}

/* The slow part, without any lock: only this thread sees the job now. */
static void
hashpool_run(struct hashpool *pool, struct hashpool_job *job)
{
	const char	*hash;
	bool		 ok;

	switch (job->kind) {
	case HASHPOOL_VERIFY:
		/* Unknown account: the same work, and never a match. */
		hash = job->hash != NULL ? job->hash : pool->dummy;
		ok = crypto_pwhash_str_verify(hash, job->password,
		    job->passwordlen) == 0;
		job->res.ok = job->hash != NULL && ok;
		break;
	case HASHPOOL_HASH:
		job->res.ok = hashpool_hash_now(job->password, job->out) == 0;
		if (job->res.ok)
			job->res.hash = job->out;
		break;
	default:
		fatalx("hashpool_run: bad kind %d", (int)job->kind);
	}
}

/* On the inbox's loop: deliver every posted result, oldest first. */
static void
hashpool_inbox_cb(evutil_socket_t fd, short events, void *arg)
{
	struct hashpool_inbox	*inbox = arg;
	struct hashpool_jobs	 done;
	struct hashpool_job	*job;
	uint64_t		 n;

	(void)events;
	/* Reset the counter before taking the list: a later post wakes us
	 * again, an earlier one is in the list we take. */
	if (read(fd, &n, sizeof n) == -1 && errno != EAGAIN && errno != EINTR)
		fatal("hashpool: read eventfd");

	TAILQ_INIT(&done);
	pthread_mutex_lock(&inbox->mtx);
	TAILQ_CONCAT(&done, &inbox->results, entry);
	pthread_mutex_unlock(&inbox->mtx);

	/* Callbacks run without the lock: they may submit new jobs. */
	inbox->delivering = true;
	while ((job = TAILQ_FIRST(&done)) != NULL) {
		TAILQ_REMOVE(&done, job, entry);
		if (!inbox->dying)
			job->cb(&job->res, job->arg);
		hashpool_job_free(job);
	}
	inbox->delivering = false;
	if (inbox->dying)
		hashpool_inbox_destroy(inbox);
}

static void
hashpool_job_free(struct hashpool_job *job)
{
	sodium_memzero(job->password, job->passwordlen);
	free(job->password);
	free(job->hash);
	sodium_memzero(job->out, sizeof job->out);
	free(job);
}

/*
 * INTERACTIVE is libsodium's recommended minimum for online use (2 passes
 * over 64 MiB): a login waits for it, and every concurrent login costs
 * that memory, so the pool's thread count bounds both.  Changing the cost
 * later is possible: crypto_pwhash_str_verify reads it from the string.
 */
int
hashpool_hash_now(const char *password, char *out)
{
	if (crypto_pwhash_str(out, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return -1;
	return 0;
}

int
hashpool_pending(struct hashpool *pool)
{
	int	n;

	pthread_mutex_lock(&pool->mtx);
	n = pool->nqueued + pool->nrunning;
	pthread_mutex_unlock(&pool->mtx);
	return n;
}
