/*
 * ctl_watch.c - `commentctl watch`: the live event stream, one line per
 * event, for as long as it takes.
 *
 * A stream the server ends (a restart) or the network drops is opened
 * again with Last-Event-ID, so the server replays what was missed; the
 * first connection must succeed, so a wrong URL or token fails at once.
 * SIGINT and SIGTERM end it with status 0: that is how a watch is meant
 * to stop.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl_args.h"
#include "ctl_cmd.h"
#include "ctl_http.h"
#include "ctl_print.h"
#include "ctl_sse.h"
#include "xmalloc.h"

#define WATCH_PATH		"/api/v1/admin/events"
/* Reconnect delays: the server's "retry:" (or this), doubling to max. */
#define WATCH_RETRY_MS		2000
#define WATCH_RETRY_MAX_MS	30000
/* A sleep between attempts is cut into steps this long to notice
 * a signal that came just before it began. */
#define WATCH_STEP_MS		100

struct watch {
	long long	 left;		/* events until exit; -1: no end */
	bool		 json;
	bool		 opened;	/* the first connection was made */
	bool		 reconnecting;
	bool		 out_failed;	/* stdout is gone (a closed pipe) */
};

static volatile sig_atomic_t	 watch_stop;

static void	 watch_signal(int);
static int	 watch_event(const struct ctl_sse_event *, void *);
static void	 watch_print(const struct ctl_sse_event *, const json_t *);
static void	 watch_open(void *);
static bool	 watch_retryable(const struct ctl_resp *);
static void	 watch_sleep(long);

static void
watch_signal(int sig)
{
	watch_stop = sig;
}

/* "1043  status  #17  news/x  pending -> approved  by laila" */
static void
watch_print(const struct ctl_sse_event *ev, const json_t *d)
{
	const char	*kind, *status, *old, *actor, *article;
	char		*a, *who;
	bool		 moved;

	kind = json_string_value(json_object_get(d, "kind"));
	status = json_string_value(json_object_get(d, "status"));
	old = json_string_value(json_object_get(d, "old_status"));
	actor = json_string_value(json_object_get(d, "actor"));
	article = json_string_value(json_object_get(d, "article"));
	moved = old != NULL && status != NULL && strcmp(old, status) != 0;
	/* Article keys and names come from outside: one clean line. */
	a = ctl_cell(article != NULL ? article : "-", 0);
	who = ctl_cell(actor != NULL ? actor : "", 0);
	printf("%s  %s  #%lld  %s  %s%s%s%s%s\n",
	    ev->id != NULL ? ev->id : "-", kind != NULL ? kind : ev->event,
	    (long long)json_integer_value(json_object_get(d, "comment_id")),
	    a, moved ? old : "", moved ? " -> " : "",
	    status != NULL ? status : "-", *who != '\0' ? "  by " : "", who);
	free(who);
	free(a);
}

static int
watch_event(const struct ctl_sse_event *ev, void *arg)
{
	struct watch	*w = arg;
	json_t		*d;
	char		*clean;

	d = json_loads(ev->data, 0, NULL);
	if (w->json) {
		/* One line per event, whatever the data's own lines. */
		if (d != NULL)
			json_dumpf(d, stdout, JSON_COMPACT);
		else {
			clean = ctl_cell(ev->data, 0);
			fputs(clean, stdout);
			free(clean);
		}
		fputc('\n', stdout);
	} else if (json_is_object(d))
		watch_print(ev, d);
	else {
		clean = ctl_cell(ev->data, 0);
		printf("%s  %s  %s\n", ev->id != NULL ? ev->id : "-",
		    ev->event, clean);
		free(clean);
	}
	json_decref(d);
	/*
	 * A reader at the other end of a pipe sees each event at once.  We
	 * run inside curl, which ignores SIGPIPE meanwhile: a reader that
	 * has gone shows as an error here.
	 */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		w->out_failed = true;
		return 1;
	}
	if (w->left > 0 && --w->left == 0)
		return 1;
	return 0;
}

static void
watch_open(void *arg)
{
	struct watch	*w = arg;

	if (w->reconnecting)
		ctl_warn("reconnected");
	else
		ctl_warn("watching for events (stop with Ctrl-C)");
	w->opened = true;
	w->reconnecting = false;
}

/* Worth another try: no answer, or the server or a proxy is busy. */
static bool
watch_retryable(const struct ctl_resp *resp)
{
	return resp->status == 0 || resp->status == 502 ||
	    resp->status == 503 || resp->status == 504;
}

static void
watch_sleep(long ms)
{
	struct timespec	 ts = { 0, WATCH_STEP_MS * 1000000L };

	for (; ms > 0 && !watch_stop; ms -= WATCH_STEP_MS)
		nanosleep(&ts, NULL);
}

/* Half the delay plus a random share of the other half: the clients
 * that lost the server together do not all come back at one instant. */
static long
watch_jittered(long ms)
{
	static unsigned	seed;

	if (seed == 0)
		seed = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16) ^ 1u;
	return ms / 2 + (long)((unsigned long)rand_r(&seed) %
	    (unsigned long)(ms - ms / 2 + 1));
}

int
ctl_cmd_watch(struct ctl_ctx *c)
{
	struct sigaction	 sa;
	struct watch		 w;
	struct ctl_sse		 sse;
	struct ctl_resp		 resp;
	const char		*count = c->args->opt[CTL_OPT_COUNT];
	char			 why[512];
	long			 delay = 0;
	int			 rc = CTL_EXIT_OK;

	memset(&w, 0, sizeof w);
	w.left = -1;
	w.json = c->json;
	if (count != NULL && !ctl_parse_count(count, 1000000000LL, &w.left)) {
		ctl_warn("--count must be a positive number");
		return CTL_EXIT_USAGE;
	}
	/* No SA_RESTART: the signal wakes curl's poll, whose progress
	 * callback then sees watch_stop. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = watch_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	ctl_sse_init(&sse, watch_event, &w);
	while (!watch_stop) {
		switch (ctl_http_stream(c->http, WATCH_PATH, &sse, watch_open,
		    &w, &watch_stop, &resp)) {
		case CTL_STREAM_STOPPED:
			ctl_resp_clear(&resp);
			if (w.out_failed)
				rc = CTL_EXIT_ERROR;
			goto out;
		case CTL_STREAM_ENDED:
			/* It was fine until now: try again soon. */
			delay = sse.retry_ms >= 0 ? sse.retry_ms :
			    WATCH_RETRY_MS;
			ctl_warn("connection lost (%s); reconnecting%s%s",
			    resp.error, ctl_sse_last_id(&sse) != NULL ?
			    " after event " : "", ctl_sse_last_id(&sse) !=
			    NULL ? ctl_sse_last_id(&sse) : "");
			break;
		case CTL_STREAM_REFUSED:
			ctl_resp_describe(&resp, why, sizeof why);
			if (!w.opened || !watch_retryable(&resp)) {
				ctl_warn("GET %s: %s", WATCH_PATH, why);
				ctl_resp_clear(&resp);
				rc = CTL_EXIT_ERROR;
				goto out;
			}
			delay = delay * 2;
			if (delay < WATCH_RETRY_MS)
				delay = WATCH_RETRY_MS;
			if (delay > WATCH_RETRY_MAX_MS)
				delay = WATCH_RETRY_MAX_MS;
			ctl_warn("%s; trying again in %ld s", why,
			    delay / 1000);
			break;
		}
		ctl_resp_clear(&resp);
		w.reconnecting = true;
		watch_sleep(watch_jittered(delay));
	}
out:
	ctl_sse_free(&sse);
	return rc;
}
