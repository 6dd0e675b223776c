/*
 * xmalloc.h - allocation that cannot fail: out of memory is fatal.
 *
 * Our own small allocations go through these (tmux's policy): a server
 * that cannot allocate a few bytes cannot answer anyone anyway.
 */
#ifndef COMMENTD_XMALLOC_H
#define COMMENTD_XMALLOC_H

#include <stddef.h>

#include "cs.h"

void	*xmalloc(size_t size);
void	*xcalloc(size_t nmemb, size_t size);
void	*xrealloc(void *ptr, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
int	 xasprintf(char **ret, const char *fmt, ...) CS_PRINTF(2, 3);

#endif
