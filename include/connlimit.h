/*
 * connlimit.h - the process's open HTTP connections, counted in all and
 * per client address, shared by every worker thread: the caps of
 * COMMENTD_MAX_CONNECTIONS and COMMENTD_MAX_CONNECTIONS_PER_IP.
 *
 * Memory is bounded: a table of max_keys addresses (a secret-keyed hash
 * picks the slot, like ratelimit.c); an address that finds no room is
 * let in uncounted, under the process's cap alone.
 */
#ifndef COMMENTD_CONNLIMIT_H
#define COMMENTD_CONNLIMIT_H

#include <stdbool.h>
#include <stddef.h>

struct connlimit;
struct connlimit_slot;

/* max_total, max_per_key: 0 is no cap. */
struct connlimit *connlimit_new(int max_total, int max_per_key,
		    size_t max_keys);
void		 connlimit_free(struct connlimit *);

/*
 * A connection from key (a netaddr_reader_key(); NULL: not counted per
 * address) opens: true if both caps allow it, with *slot what
 * connlimit_release() takes (NULL when not counted per address).
 */
bool		 connlimit_acquire(struct connlimit *, const char *key,
		    struct connlimit_slot **slot);
/* The connection acquire let in is closed: exactly once each. */
void		 connlimit_release(struct connlimit *,
		    struct connlimit_slot *slot);
/* Open connections counted now (for tests and logs). */
int		 connlimit_total(struct connlimit *);

#endif
