/*
 * gen.h - process-wide, lock-free generations of articles.
 *
 * Every cached answer about an article records the article's generation
 * when its query was sent; a change to the article bumps the generation,
 * and an answer whose recorded generation is no longer current is never
 * served or stored again.  Bumps come from the worker that made the
 * change (before it answers, so the next request on any worker sees it)
 * and from NOTIFY (changes by other processes).
 *
 * Articles are hashed (keyed, token_keyed_hash) into a fixed table of
 * atomic counters: two
 * articles sharing a slot only invalidate each other needlessly, never
 * wrongly.  No locks, no allocation, safe from every thread.
 */
#ifndef COMMENTD_GEN_H
#define COMMENTD_GEN_H

#include <stddef.h>
#include <stdint.h>

#define GEN_SLOTS	65536	/* a power of two */

uint32_t	gen_slot(const char *key, size_t len);
uint64_t	gen_get(uint32_t slot);
void		gen_bump(uint32_t slot);
/* Shorthand: bump the slot of an article key. */
void		gen_bump_article(const char *key, size_t len);

#endif
