/*
 * fuzz_jsonout.c - differential: jsonout.c against jansson's own
 * json_dumps(JSON_COMPACT) on any JSON value jansson reads.
 *
 * jsonout.h promises the very same bytes; every answer the server
 * writes goes through it, so any difference is a bug in one of them.
 */
#include <jansson.h>

#include "fuzz_util.h"
#include "jsonout.h"

#define FUZZ_MAX_INPUT	(64 * 1024)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t	 err;
	json_t		*v;
	char		*ours, *theirs;
	size_t		 len;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	v = json_loadb((const char *)data, size, JSON_DECODE_ANY |
	    JSON_ALLOW_NUL, &err);
	if (v == NULL)
		return 0;
	ours = jsonout_string(v, &len);
	theirs = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (theirs == NULL)
		abort();
	if (len != strlen(theirs) || memcmp(ours, theirs, len) != 0)
		fuzz_fail("fuzz_jsonout", "jsonout %s, json_dumps %s", ours,
		    theirs);
	free(ours);
	free(theirs);
	json_decref(v);
	return 0;
}
