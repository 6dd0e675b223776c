/*
 * gen.c - article generations (see gen.h).
 */
#include <stdatomic.h>

#include "gen.h"

static _Atomic uint64_t	gen_table[GEN_SLOTS];

uint32_t
gen_slot(const char *key, size_t len)
{
	uint32_t	h = 2166136261u;	/* FNV-1a */
	size_t		i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 16777619u;
	}
	return h & (GEN_SLOTS - 1);
}

uint64_t
gen_get(uint32_t slot)
{
	return atomic_load(&gen_table[slot & (GEN_SLOTS - 1)]);
}

void
gen_bump(uint32_t slot)
{
	atomic_fetch_add(&gen_table[slot & (GEN_SLOTS - 1)], 1);
}

void
gen_bump_article(const char *key, size_t len)
{
	gen_bump(gen_slot(key, len));
}
