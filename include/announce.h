/*
 * announce.h - announcing new pending comments, a batch at a time.
 *
 * A pending comment's NOTIFY is sent after its own transaction commits
 * (see docs/ARCHITECTURE.md, Moderation).  Ids queued here go out in one
 * statement every few milliseconds, so a burst of submissions costs the
 * database one small transaction, not one each.  One announcer per
 * worker, used on its thread only.
 */
#ifndef COMMENTD_ANNOUNCE_H
#define COMMENTD_ANNOUNCE_H

struct announcer;
struct db_pool;
struct event_base;

struct announcer *announcer_new(struct event_base *base,
		    struct db_pool *db);
/* Frees; ids still queued are dropped (flush first).  NULL-safe. */
void		 announcer_free(struct announcer *a);
/* Queues the announcement of a new pending comment (its id, decimal). */
void		 announcer_add(struct announcer *a, const char *comment_id);
/* Sends what is queued now. */
void		 announcer_flush(struct announcer *a);

#endif
