/*
 * netaddr.h - client addresses as the abuse rules see them: one reader is
 * one IPv4 address or one IPv6 /64 (a home or phone gets a whole /64),
 * and bans name an address or a CIDR block.
 */
#ifndef COMMENTD_NETADDR_H
#define COMMENTD_NETADDR_H

#include <stdbool.h>
#include <stdint.h>

/* An address or a block: IPv4 is kept as IPv4-mapped IPv6 (::ffff:a.b.c.d). */
struct netaddr {
	uint8_t	bytes[16];
	int	prefix;		/* bits that count, of 128 */
	bool	v4;
};


/* Room for netaddr_text()'s and netaddr_reader_key()'s text. */
#define NETADDR_TEXT_MAX	64
#define NETADDR_KEY_MAX		NETADDR_TEXT_MAX

/*
 * Parses "1.2.3.4", "2001:db8::1", "::ffff:1.2.3.4" (read as IPv4), and
 * with a "/N" suffix a block (N ≤ 32 for IPv4, ≤ 128 for IPv6; host bits
 * must be zero).  False on anything else.
 */
bool	netaddr_parse(const char *s, struct netaddr *out);

/* True if addr (an address) lies in block. */
bool	netaddr_in(const struct netaddr *addr, const struct netaddr *block);

/*
 * The reader an address stands for, as text: "1.2.3.4" or the /64,
 * "2001:db8:1:2::/64".  Written into key (NETADDR_KEY_MAX bytes).
 */
void	netaddr_reader_key(const struct netaddr *addr, char *key);


/*
 * An address or block as text in one canonical form: IPv4 (an
 * IPv4-mapped address or block too) as "1.2.3.4" or "1.2.3.0/24", IPv6
 * as inet_ntop writes it, with "/N" only for a block.  What a ban
 * stores, so "::ffff:1.2.3.4" bans the IPv4 reader it names.
 */
void	netaddr_text(const struct netaddr *a, char *text);

#endif
