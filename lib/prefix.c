/*
 * prefix: parsing, formatting and comparison of IPv4/IPv6 prefixes.
 * Invariant: every struct prefix this module hands out is canonical.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefix.h"

unsigned
prefix_maxlen(int family)
{
	switch (family) {
	case AF_INET:
		return 32;
	case AF_INET6:
		return 128;
	default:
		return 0;
	}
}

int
ipaddr_parse(const char *s, struct ipaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->addr) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->addr) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return -1;
}

char *
ipaddr_fmt(const struct ipaddr *a, char *dst, size_t dstlen)
{
	if (inet_ntop(a->family, a->addr, dst, dstlen) == NULL)
		snprintf(dst, dstlen, "?");
	return dst;
}

int
ipaddr_cmp(const struct ipaddr *a, const struct ipaddr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16);
}

bool
ipaddr_is_linklocal(const struct ipaddr *a)
{
	if (a->family == AF_INET6)
		return a->addr[0] == 0xfe && (a->addr[1] & 0xc0) == 0x80;
	return a->addr[0] == 169 && a->addr[1] == 254;
}

bool
prefix_has_hostbits(int family, const void *addr, unsigned len)
{
	const uint8_t	*a = addr;
	unsigned	 max = prefix_maxlen(family), i;

	if (len >= max)
		return false;
	if (len % 8 && (a[len / 8] & (0xff >> (len % 8))))
		return true;
	for (i = prefix_bytes(len); i < max / 8; i++)
		if (a[i])
			return true;
	return false;
}

void
prefix_mask(struct prefix *p)
{
	unsigned	i;

	if (p->len % 8)
		p->addr[p->len / 8] &= (uint8_t)(0xff << (8 - p->len % 8));
	for (i = prefix_bytes(p->len); i < sizeof(p->addr); i++)
		p->addr[i] = 0;
}

int
prefix_set(struct prefix *p, int family, const void *addr, unsigned len)
{
	memset(p, 0, sizeof(*p));
	if (prefix_maxlen(family) == 0 || len > prefix_maxlen(family))
		return -1;
	p->family = family;
	p->len = len;
	memcpy(p->addr, addr, prefix_bytes(len));
	prefix_mask(p);
	return 0;
}

enum prefix_status
prefix_parse(const char *s, struct prefix *p)
{
	char		 tmp[PREFIX_STRLEN];
	const char	*slash;
	struct ipaddr	 a;
	unsigned long	 len;
	char		*end;
	size_t		 alen;

	memset(p, 0, sizeof(*p));
	if ((slash = strchr(s, '/')) == NULL)
		alen = strlen(s);
	else
		alen = (size_t)(slash - s);
	if (alen == 0 || alen >= sizeof(tmp))
		return PREFIX_INVALID;
	memcpy(tmp, s, alen);
	tmp[alen] = '\0';
	if (ipaddr_parse(tmp, &a) == -1)
		return PREFIX_INVALID;
	if (slash == NULL)
		len = prefix_maxlen(a.family);
	else {
		/* digits only: strtoul would take "+8", " 8" or "0x8" */
		if (slash[1] < '0' || slash[1] > '9' || strlen(slash + 1) > 3)
			return PREFIX_INVALID;
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (errno || *end != '\0')
			return PREFIX_INVALID;
	}
	if (len > prefix_maxlen(a.family))
		return PREFIX_INVALID;
	prefix_set(p, a.family, a.addr, (unsigned)len);
	if (prefix_has_hostbits(a.family, a.addr, (unsigned)len))
		return PREFIX_HOSTBITS;
	return PREFIX_OK;
}

char *
prefix_fmt(const struct prefix *p, char *dst, size_t dstlen)
{
	char	a[IPADDR_STRLEN];

	if (inet_ntop(p->family, p->addr, a, sizeof(a)) == NULL)
		snprintf(dst, dstlen, "?");
	else
		snprintf(dst, dstlen, "%s/%u", a, p->len);
	return dst;
}

int
prefix_cmp(const struct prefix *a, const struct prefix *b)
{
	int	c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if ((c = memcmp(a->addr, b->addr, sizeof(a->addr))) != 0)
		return c < 0 ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return 0;
}

bool
prefix_eq(const struct prefix *a, const struct prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	    memcmp(a->addr, b->addr, prefix_bytes(a->len)) == 0;
}

static bool
bits_equal(const uint8_t *a, const uint8_t *b, unsigned len)
{
	unsigned	full = len / 8, rest = len % 8;

	if (memcmp(a, b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[full] ^ b[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

bool
prefix_contains(const struct prefix *outer, const struct prefix *inner)
{
	return outer->family == inner->family && outer->len <= inner->len &&
	    bits_equal(outer->addr, inner->addr, outer->len);
}

bool
prefix_contains_addr(const struct prefix *p, const struct ipaddr *a)
{
	return p->family == a->family && bits_equal(p->addr, a->addr, p->len);
}

bool
prefix_overlaps(const struct prefix *a, const struct prefix *b)
{
	return prefix_contains(a, b) || prefix_contains(b, a);
}

unsigned
prefix_common_len(const struct prefix *a, const struct prefix *b)
{
	unsigned	max = a->len < b->len ? a->len : b->len, i = 0;

	if (a->family != b->family)
		return 0;
	while (i + 8 <= max && a->addr[i / 8] == b->addr[i / 8])
		i += 8;
	while (i < max && prefix_bit(a->addr, i) == prefix_bit(b->addr, i))
		i++;
	return i;
}

const struct prefix *
prefix_longest_match(const struct prefix *set, size_t n,
    const struct prefix *p)
{
	const struct prefix	*best = NULL;
	size_t			 i;

	for (i = 0; i < n; i++)
		if (prefix_contains(&set[i], p) &&
		    (best == NULL || set[i].len > best->len))
			best = &set[i];
	return best;
}

const struct prefix *
prefix_longest_match_addr(const struct prefix *set, size_t n,
    const struct ipaddr *a)
{
	struct prefix	host;

	if (prefix_set(&host, a->family, a->addr, prefix_maxlen(a->family)))
		return NULL;
	return prefix_longest_match(set, n, &host);
}

uint32_t
prefix_hash(const struct prefix *p)
{
	/* FNV-1a over the canonical bytes */
	uint32_t	h = 2166136261u;
	size_t		i;

	h = (h ^ p->family) * 16777619u;
	h = (h ^ p->len) * 16777619u;
	for (i = 0; i < prefix_bytes(p->len); i++)
		h = (h ^ p->addr[i]) * 16777619u;
	return h;
}
