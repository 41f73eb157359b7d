/*
 * prefix: IPv4 and IPv6 addresses and prefixes.
 *
 * A struct prefix is always canonical once it leaves this module: bits past
 * len are zero, so memcmp-based equality and hashing are sound. Parsing is
 * strict by default: "10.0.0.1/8" is an error the caller can tell apart
 * (PREFIX_HOSTBITS) and still gets the masked prefix to suggest.
 */
#ifndef PODBGP_PREFIX_H
#define PODBGP_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Longest text form: a full IPv6 address with "/128" and a NUL. */
#define PREFIX_STRLEN	(46 + 4 + 1)
#define IPADDR_STRLEN	46

struct ipaddr {
	uint8_t	family;		/* AF_INET or AF_INET6 */
	uint8_t	addr[16];	/* network order; IPv4 uses the first 4 */
};

struct prefix {
	uint8_t	family;		/* AF_INET or AF_INET6 */
	uint8_t	len;		/* 0..32 or 0..128 */
	uint8_t	addr[16];	/* network order, bits past len zero */
};

enum prefix_status {
	PREFIX_OK = 0,
	PREFIX_INVALID = -1,	/* not an address, or length out of range */
	PREFIX_HOSTBITS = -2,	/* valid but bits past the length are set */
};

/* 32 or 128 for AF_INET and AF_INET6, 0 otherwise. */
unsigned	prefix_maxlen(int family);
/* Bytes needed for len bits, as in BGP NLRI encoding. */
static inline size_t
prefix_bytes(unsigned len)
{
	return (len + 7) / 8;
}

int	ipaddr_parse(const char *s, struct ipaddr *a);
/* Formats into dst (IPADDR_STRLEN bytes); returns dst. */
char	*ipaddr_fmt(const struct ipaddr *a, char *dst, size_t dstlen);
int	ipaddr_cmp(const struct ipaddr *a, const struct ipaddr *b);
bool	ipaddr_is_linklocal(const struct ipaddr *a);

/*
 * Parses "ADDR/LEN" or a bare address (host prefix). On PREFIX_HOSTBITS,
 * *p holds the masked prefix so the caller can say what was meant.
 */
enum prefix_status	prefix_parse(const char *s, struct prefix *p);
/* Builds a canonical prefix from len bits of addr (extra bits ignored). */
int	prefix_set(struct prefix *p, int family, const void *addr,
	    unsigned len);
/* Zeroes the bits past p->len. */
void	prefix_mask(struct prefix *p);
/* True if bits past len are set in addr for the given length. */
bool	prefix_has_hostbits(int family, const void *addr, unsigned len);
char	*prefix_fmt(const struct prefix *p, char *dst, size_t dstlen);

/* Total order: family, then address, then length (shorter first). */
int	prefix_cmp(const struct prefix *a, const struct prefix *b);
bool	prefix_eq(const struct prefix *a, const struct prefix *b);
/* outer covers inner: same family, shorter or equal, same leading bits. */
bool	prefix_contains(const struct prefix *outer, const struct prefix *inner);
bool	prefix_contains_addr(const struct prefix *p, const struct ipaddr *a);
bool	prefix_overlaps(const struct prefix *a, const struct prefix *b);
/* Bit i (0 = most significant) of the address. */
static inline unsigned
prefix_bit(const uint8_t *addr, unsigned i)
{
	return (addr[i / 8] >> (7 - i % 8)) & 1;
}
/* Number of leading bits a and b share, at most min(a->len, b->len). */
unsigned	prefix_common_len(const struct prefix *a, const struct prefix *b);
/*
 * Longest match: the most specific of the n prefixes in set that contains
 * p (or that contains the address a); NULL if none does.
 */
const struct prefix	*prefix_longest_match(const struct prefix *set,
			    size_t n, const struct prefix *p);
const struct prefix	*prefix_longest_match_addr(const struct prefix *set,
			    size_t n, const struct ipaddr *a);
uint32_t	prefix_hash(const struct prefix *p);

#endif
