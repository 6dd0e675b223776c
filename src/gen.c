/*
 * gen.c - article generations (see gen.h).
 */
#include <stdatomic.h>

#include "gen.h"
#include "token.h"

static _Atomic uint64_t	gen_table[GEN_SLOTS];

/* Keyed (token.h): a reader cannot pick a key that shares a popular
 * article's slot and so empty its cached answers at will. */
uint32_t
gen_slot(const char *key, size_t len)
{
	return (uint32_t)(token_keyed_hash(key, len) & (GEN_SLOTS - 1));
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
