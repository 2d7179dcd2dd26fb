/* A growable byte buffer that is always NUL-terminated (so text can be used in place). */
#ifndef LMC_COMMON_BUF_H
#define LMC_COMMON_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* NULL until the first append; buf_cstr() never returns NULL */
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

/* Room for extra more bytes (and the NUL) without another allocation. */
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
const char *buf_cstr(const struct buf *b);
/* Hands the bytes to the caller (who frees them) and empties the buffer. */
char *buf_steal(struct buf *b);
/* Appends the whole file at path; -1 with errno set when it cannot be opened. */
int buf_read_file(struct buf *b, const char *path);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

#endif
