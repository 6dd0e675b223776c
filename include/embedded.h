/*
 * embedded.h - files compiled into the binary by tools/embed.c.
 */
#ifndef COMMENTD_EMBEDDED_H
#define COMMENTD_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char		*name;	/* base name, e.g. "0001_init.sql" */
	const unsigned char	*data;	/* NUL-terminated for convenience */
	size_t			 len;	/* without the NUL */
};

/* migrations/NNNN_name.sql in order; ends with a NULL name. */
extern const struct embedded_file embedded_migrations[];

/* web/ files (and their .gz copies) by base name; ends with NULL. */
extern const struct embedded_file embedded_assets[];

#endif
