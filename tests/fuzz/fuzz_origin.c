/*
 * fuzz_origin.c - cors_origin_allowed() on an arbitrary Origin header
 * and Host, against a fixed list.
 *
 * An origin is allowed only when it is listed (equal but for case) or
 * names the Host: nothing else, however it is spelled, gets through.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cors.h"

#define FUZZ_MAX_HEADER	(8 * 1024)
#define LIST		"https://news.example, http://b.example:8080"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
fuzz_names_host(const char *origin, const char *host)
{
	const char	*p = strstr(origin, "://");

	return p != NULL && strcasecmp(p + 3, host) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*buf, *host;
	size_t	 half;

	if (size > FUZZ_MAX_HEADER)
		return 0;
	/* The first line is the Origin, the rest the Host. */
	if ((buf = malloc(size + 1)) == NULL)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	half = strcspn(buf, "\n");
	host = buf[half] != '\0' ? buf + half + 1 : buf + half;
	buf[half] = '\0';
	if (cors_origin_allowed(LIST, buf, host) &&
	    strcasecmp(buf, "https://news.example") != 0 &&
	    strcasecmp(buf, "http://b.example:8080") != 0 &&
	    !fuzz_names_host(buf, host)) {
		fprintf(stderr, "fuzz_origin: \"%s\" allowed\n", buf);
		abort();
	}
	if (cors_origin_allowed("", buf, NULL)) {
		fprintf(stderr, "fuzz_origin: allowed with no list\n");
		abort();
	}
	free(buf);
	return 0;
}
