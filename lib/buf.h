/*
 * buf: a bounded read cursor over bytes it does not own, and a growable
 * writer with a hard size limit.
 *
 * Every read in the codecs goes through struct buf; a read past the end
 * fails with -1 and leaves the cursor where it was, so parsers never touch
 * memory outside the message. struct wbuf records the first failure
 * (overflow of its limit, or allocation) and ignores later writes, so an
 * encoder can check once at the end.
 */
#ifndef PODBGP_BUF_H
#define PODBGP_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	const uint8_t	*p;
	size_t		 n;
};

static inline void
buf_init(struct buf *b, const void *p, size_t n)
{
	b->p = p;
	b->n = n;
}

static inline int
buf_get_u8(struct buf *b, uint8_t *v)
{
	if (b->n < 1)
		return -1;
	*v = b->p[0];
	b->p++;
	b->n--;
	return 0;
}

static inline int
buf_get_u16(struct buf *b, uint16_t *v)
{
	if (b->n < 2)
		return -1;
	*v = (uint16_t)(b->p[0] << 8 | b->p[1]);
	b->p += 2;
	b->n -= 2;
	return 0;
}

static inline int
buf_get_u32(struct buf *b, uint32_t *v)
{
	if (b->n < 4)
		return -1;
	*v = (uint32_t)b->p[0] << 24 | (uint32_t)b->p[1] << 16 |
	    (uint32_t)b->p[2] << 8 | b->p[3];
	b->p += 4;
	b->n -= 4;
	return 0;
}

/* Copies len bytes out; fails without moving if fewer remain. */
int	buf_get_bytes(struct buf *b, void *dst, size_t len);
/* Splits the next len bytes off into *sub (a view) and skips them. */
int	buf_take(struct buf *b, size_t len, struct buf *sub);
int	buf_skip(struct buf *b, size_t len);

/* Big-endian loads from a pointer whose length the caller has checked. */
static inline uint16_t
get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

struct wbuf {
	uint8_t	*p;
	size_t	 len;
	size_t	 cap;
	size_t	 max;		/* writes beyond this fail */
	bool	 err;		/* a write failed; content is incomplete */
};

/* An empty writer that may grow to max bytes; allocates lazily. */
void	wbuf_init(struct wbuf *w, size_t max);
void	wbuf_fini(struct wbuf *w);
/* Forgets the content, keeps the memory, clears err. */
void	wbuf_reset(struct wbuf *w);
/* Ensures room for n more bytes; -1 (and err) if over max or out of memory. */
int	wbuf_reserve(struct wbuf *w, size_t n);
int	wbuf_put_u8(struct wbuf *w, uint8_t v);
int	wbuf_put_u16(struct wbuf *w, uint16_t v);
int	wbuf_put_u32(struct wbuf *w, uint32_t v);
int	wbuf_put_bytes(struct wbuf *w, const void *p, size_t len);
/* Overwrites 1 or 2 bytes written earlier at off (length fields). */
int	wbuf_patch_u8(struct wbuf *w, size_t off, uint8_t v);
int	wbuf_patch_u16(struct wbuf *w, size_t off, uint16_t v);
/* Moves the content out: the caller frees the returned pointer. */
uint8_t	*wbuf_steal(struct wbuf *w, size_t *len);

#endif
