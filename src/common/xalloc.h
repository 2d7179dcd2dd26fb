/* Allocation that cannot return NULL: on exhaustion it runs the registered fatal hook
 * (the TUI restores the terminal there) and aborts. */
#ifndef LMC_COMMON_XALLOC_H
#define LMC_COMMON_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Called once before aborting on allocation failure. */
void xalloc_set_fatal_hook(void (*hook)(void));

#endif
