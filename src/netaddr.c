/*
 * netaddr.c - client addresses and blocks (see netaddr.h).
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netaddr.h"

/* ::ffff:0:0/96, where IPv4 addresses live in IPv6. */
static const uint8_t	netaddr_v4_mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static bool	netaddr_host_bits_zero(const struct netaddr *);

static bool
netaddr_host_bits_zero(const struct netaddr *a)
{
	int	i;

	for (i = a->prefix; i < 128; i++)
		if (a->bytes[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

bool
netaddr_parse(const char *s, struct netaddr *out)
{
	char		 buf[64], *slash, *end;
	struct in_addr	 a4;
	long		 bits = -1;
	size_t		 len = strlen(s);

	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, s, len + 1);
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash = '\0';
		if (slash[1] < '0' || slash[1] > '9')
			return false;
		bits = strtol(slash + 1, &end, 10);
		if (*end != '\0' || bits > 128)
			return false;
	}
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, buf, &a4) == 1) {
		if (bits > 32)
			return false;
		memcpy(out->bytes, netaddr_v4_mapped, 12);
		memcpy(out->bytes + 12, &a4, 4);
		out->v4 = true;
		out->prefix = 96 + (bits < 0 ? 32 : (int)bits);
	} else if (inet_pton(AF_INET6, buf, out->bytes) == 1) {
		out->v4 = memcmp(out->bytes, netaddr_v4_mapped, 12) == 0;
		if (out->v4 && bits > 32)
			return false;
		out->prefix = bits < 0 ? 128 :
		    (out->v4 ? 96 + (int)bits : (int)bits);
	} else
		return false;
	return netaddr_host_bits_zero(out);
}

bool
netaddr_in(const struct netaddr *addr, const struct netaddr *block)
{
	int	full = block->prefix / 8, rest = block->prefix % 8;
	uint8_t	mask;

	if (memcmp(addr->bytes, block->bytes, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return (addr->bytes[full] & mask) == (block->bytes[full] & mask);
}

void
netaddr_reader_key(const struct netaddr *addr, char *key)
{
	struct netaddr	net = *addr;

	/* An IPv6 reader is its /64: the address with the rest zeroed. */
	if (!addr->v4) {
		memset(net.bytes + 8, 0, 8);
		net.prefix = 64;
	}
	netaddr_text(&net, key);
}

void
netaddr_text(const struct netaddr *a, char *text)
{
	int	bits = a->v4 ? a->prefix - 96 : a->prefix;

	if (a->v4)
		inet_ntop(AF_INET, a->bytes + 12, text, NETADDR_TEXT_MAX);
	else
		inet_ntop(AF_INET6, a->bytes, text, NETADDR_TEXT_MAX);
	if (bits < (a->v4 ? 32 : 128))
		snprintf(text + strlen(text), NETADDR_TEXT_MAX - strlen(text),
		    "/%d", bits);
}
