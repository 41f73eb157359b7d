/*
 * xmalloc: allocation for the daemon's glue, where running out of memory
 * is not recoverable: each call returns memory or ends the process with
 * fatalx(). lib/ never uses these; it returns NULL and lets the caller
 * decide.
 */
#ifndef PODBGPD_XMALLOC_H
#define PODBGPD_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t size);
void	*xcalloc(size_t nmemb, size_t size);
/* nmemb * size is checked for overflow. */
void	*xreallocarray(void *ptr, size_t nmemb, size_t size);
void	*xrealloc(void *ptr, size_t size);
char	*xstrdup(const char *s);
/* Returns the length, like asprintf(3); *ret is freed with free(3). */
int	 xasprintf(char **ret, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
