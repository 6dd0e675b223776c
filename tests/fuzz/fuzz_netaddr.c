/*
 * fuzz_netaddr.c - netaddr_parse() on an arbitrary address or block, as
 * a ban's value or a client address arrives.
 *
 * A parsed value round-trips: its canonical text (netaddr_text, what a
 * ban stores) parses to the same address and block and is written the
 * same again; a block contains its own first address; the reader key
 * parses too, and contains the address.
 */
#include "fuzz_util.h"
#include "netaddr.h"

#define FUZZ_MAX_INPUT	256

static int
fuzz_same(const struct netaddr *a, const struct netaddr *b)
{
	return memcmp(a->bytes, b->bytes, sizeof a->bytes) == 0 &&
	    a->prefix == b->prefix && a->v4 == b->v4;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netaddr	 a, b, host;
	char		*s, text[NETADDR_TEXT_MAX], again[NETADDR_TEXT_MAX];
	char		 key[NETADDR_KEY_MAX];

	if (size > FUZZ_MAX_INPUT)
		return 0;
	s = fuzz_cstr(data, size);
	if (!netaddr_parse(s, &a)) {
		free(s);
		return 0;
	}
	if (a.prefix < 0 || a.prefix > 128 || (a.v4 && a.prefix < 96))
		fuzz_fail("fuzz_netaddr", "prefix %d", a.prefix);
	netaddr_text(&a, text);
	if (!netaddr_parse(text, &b) || !fuzz_same(&a, &b))
		fuzz_fail("fuzz_netaddr", "\"%s\" -> \"%s\" does not "
		    "round-trip", s, text);
	netaddr_text(&b, again);
	if (strcmp(text, again) != 0)
		fuzz_fail("fuzz_netaddr", "\"%s\" then \"%s\"", text, again);
	host = a;
	host.prefix = 128;
	if (!netaddr_in(&host, &a))
		fuzz_fail("fuzz_netaddr", "%s not in itself", text);
	if (a.prefix == 128) {
		netaddr_reader_key(&a, key);
		if (!netaddr_parse(key, &b) || !netaddr_in(&a, &b))
			fuzz_fail("fuzz_netaddr", "reader %s of %s", key,
			    text);
	}
	free(s);
	return 0;
}
