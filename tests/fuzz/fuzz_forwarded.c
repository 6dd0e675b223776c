/*
 * fuzz_forwarded.c - req_forwarded_ip() on an arbitrary X-Forwarded-For.
 *
 * The address taken is the last one of the list (what our proxy
 * appended), and a real address: it parses as one host (netaddr.h),
 * and its text comes right after the last comma (or at the start) but
 * for spaces.  Too small a buffer gives NULL, never a cut address.
 */
#include "fuzz_util.h"
#include "netaddr.h"
#include "req.h"

#define FUZZ_MAX_HEADER	(8 * 1024)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*h, buf[64], tiny[8];
	const char	*ip, *last;
	struct netaddr	 a;
	size_t		 n;

	if (size > FUZZ_MAX_HEADER)
		return 0;
	h = fuzz_cstr(data, size);
	ip = req_forwarded_ip(h, buf, sizeof buf);
	if (ip != NULL) {
		if (ip != buf)
			fuzz_fail("fuzz_forwarded", "answer is not the buffer");
		if (!netaddr_parse(ip, &a) || a.prefix != 128)
			fuzz_fail("fuzz_forwarded", "\"%s\" is no address", ip);
		last = strrchr(h, ',');
		last = last != NULL ? last + 1 : h;
		last += strspn(last, " ");
		n = strlen(ip);
		if (strncmp(last, ip, n) != 0 ||
		    (last[n] != '\0' && last[n] != ' '))
			fuzz_fail("fuzz_forwarded", "\"%s\" is not the last",
			    ip);
	}
	ip = req_forwarded_ip(h, tiny, sizeof tiny);
	if (ip != NULL && strlen(ip) >= sizeof tiny)
		fuzz_fail("fuzz_forwarded", "overflowed a small buffer");
	free(h);
	return 0;
}
