/*
 * fuzz_util.h - what the fuzz targets share: a failed invariant aborts
 * (the fuzzer and replay.c both report that), and inputs as C strings.
 */
#ifndef COMMENTD_FUZZ_UTIL_H
#define COMMENTD_FUZZ_UTIL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static inline void __attribute__((noreturn, format(printf, 2, 3)))
fuzz_fail(const char *target, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "%s: ", target);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* data[0..size) as a NUL-terminated copy (cut at its first NUL, as a
 * header or a C string argument would be). */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char	*s;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
