/*
 * sse.h - the live event streams of one worker (Server-Sent Events).
 *
 * The worker's listening connection hands each change-feed notification
 * to sse_hub_notify(), which sends it to every open stream.  A stream
 * opened with Last-Event-ID first catches up from the comment_events
 * table; after the listening connection comes back, every stream catches
 * up the same way, since NOTIFY is lost while nobody listens.
 */
#ifndef COMMENTD_SSE_H
#define COMMENTD_SSE_H

#include <stdbool.h>
#include <stdint.h>

struct db_pool;
struct event_base;
struct req;
struct sse_hub;

/* A hub on a worker's loop, querying its pool; at most max_clients
 * streams at once (more are refused with 503), and at most
 * max_per_moderator of one moderator in the whole process (429; 0: no
 * limit); each sent a keep-alive comment every keepalive_s seconds, when
 * the credentials of every stream are checked again. */
struct sse_hub	*sse_hub_new(struct event_base *base, struct db_pool *db,
		    int max_clients, int keepalive_s, int max_per_moderator);
/* Ends every stream and frees the hub.  NULL-safe. */
void		 sse_hub_free(struct sse_hub *hub);
/* Ends every stream (shutdown: they would never finish by themselves);
 * from then on a stream asked for gets 503 shutting_down. */
void		 sse_hub_end_all(struct sse_hub *hub);

/* Turns r (authenticated: r->mod) into a stream; last_id < 0: no
 * Last-Event-ID. */
void		 sse_hub_open(struct sse_hub *hub, struct req *r,
		    int64_t last_id);
/* Ends the streams opened with this token or session (logout). */
void		 sse_hub_end_token(struct sse_hub *hub, int64_t token_id);
/* Ends every stream of the moderator named (disabled, password reset). */
void		 sse_hub_end_moderator(struct sse_hub *hub, const char *name);
/* The moderator's credentials changed somewhere (NOTIFY): checks the
 * hub's streams again if it has any of theirs. */
void		 sse_hub_recheck_moderator(struct sse_hub *hub,
		    int64_t moderator_id);
/* A change-feed event (its id, and its JSON as NOTIFY carried it). */
void		 sse_hub_notify(struct sse_hub *hub, int64_t id,
		    const char *payload);
/* The listening connection is (again) up: catch every stream up. */
void		 sse_hub_resync(struct sse_hub *hub);

#endif
