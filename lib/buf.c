/*
 * buf: bounded cursor and growable writer. No logging, no aborts: every
 * failure is a return value.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"

int
buf_get_bytes(struct buf *b, void *dst, size_t len)
{
	if (b->n < len)
		return -1;
	if (len > 0)
		memcpy(dst, b->p, len);
	b->p += len;
	b->n -= len;
	return 0;
}

int
buf_take(struct buf *b, size_t len, struct buf *sub)
{
	if (b->n < len)
		return -1;
	sub->p = b->p;
	sub->n = len;
	b->p += len;
	b->n -= len;
	return 0;
}

int
buf_skip(struct buf *b, size_t len)
{
	if (b->n < len)
		return -1;
	b->p += len;
	b->n -= len;
	return 0;
}

void
wbuf_init(struct wbuf *w, size_t max)
{
	w->p = NULL;
	w->len = 0;
	w->cap = 0;
	w->max = max;
	w->err = false;
}

void
wbuf_fini(struct wbuf *w)
{
	free(w->p);
	wbuf_init(w, w->max);
}

void
wbuf_reset(struct wbuf *w)
{
	w->len = 0;
	w->err = false;
}

int
wbuf_reserve(struct wbuf *w, size_t n)
{
	size_t	 ncap;
	uint8_t	*np;

	if (w->err)
		return -1;
	if (n > w->max || w->len > w->max - n) {
		w->err = true;
		return -1;
	}
	if (w->len + n <= w->cap)
		return 0;
	ncap = w->cap ? w->cap : 256;
	while (ncap < w->len + n)
		ncap *= 2;
	if (ncap > w->max)
		ncap = w->max;
	if ((np = realloc(w->p, ncap)) == NULL) {
		w->err = true;
		return -1;
	}
	w->p = np;
	w->cap = ncap;
	return 0;
}

int
wbuf_put_u8(struct wbuf *w, uint8_t v)
{
	if (wbuf_reserve(w, 1) == -1)
		return -1;
	w->p[w->len++] = v;
	return 0;
}

int
wbuf_put_u16(struct wbuf *w, uint16_t v)
{
	if (wbuf_reserve(w, 2) == -1)
		return -1;
	w->p[w->len++] = v >> 8;
	w->p[w->len++] = v & 0xff;
	return 0;
}

int
wbuf_put_u32(struct wbuf *w, uint32_t v)
{
	if (wbuf_reserve(w, 4) == -1)
		return -1;
	w->p[w->len++] = v >> 24;
	w->p[w->len++] = (v >> 16) & 0xff;
	w->p[w->len++] = (v >> 8) & 0xff;
	w->p[w->len++] = v & 0xff;
	return 0;
}

int
wbuf_put_bytes(struct wbuf *w, const void *p, size_t len)
{
	if (wbuf_reserve(w, len) == -1)
		return -1;
	if (len > 0)
		memcpy(w->p + w->len, p, len);
	w->len += len;
	return 0;
}

int
wbuf_patch_u8(struct wbuf *w, size_t off, uint8_t v)
{
	if (w->err || off >= w->len)
		return -1;
	w->p[off] = v;
	return 0;
}

int
wbuf_patch_u16(struct wbuf *w, size_t off, uint16_t v)
{
	if (w->err || off > w->len || w->len - off < 2)
		return -1;
	w->p[off] = v >> 8;
	w->p[off + 1] = v & 0xff;
	return 0;
}

uint8_t *
wbuf_steal(struct wbuf *w, size_t *len)
{
	uint8_t	*p = w->p;

	*len = w->len;
	wbuf_init(w, w->max);
	return p;
}
