/*
 * node: node records, their checks, sets of them and the difference between
 * two sets.
 *
 * Invariants kept by the setters and checked by node_validate(): pod CIDRs
 * canonical, one per family, IPv4 first; addresses unique and specified;
 * labels and annotations sorted by key with unique keys; the parsed
 * annotation fields agree with the stored text. A set is sorted by name,
 * so lookups are binary searches and a diff is one merge walk.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"

#define AS_TRANS	23456		/* RFC 6793 */
#define SHOW_MAX	64	/* bytes of user text quoted in errors */

/* Printable and short, for quoting names and values in messages. */
static const char *
show(const char *s, char *buf, size_t len)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i == SHOW_MAX || i + 4 >= len) {
			memcpy(buf + i, "...", 3);
			i += 3;
			break;
		}
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' :
		    s[i];
	}
	buf[i] = '\0';
	return buf;
}

static int	nerr(const struct node *, char *, size_t, const char *, ...)
		    __attribute__((format(printf, 4, 5)));

/* Writes "node 'NAME': " and the message; always returns -1. */
static int
nerr(const struct node *n, char *err, size_t errlen, const char *fmt, ...)
{
	char	nb[SHOW_MAX + 4];
	va_list	ap;
	int	o;

	if (err == NULL || errlen == 0)
		return -1;
	o = snprintf(err, errlen, "node '%s': ",
	    show(n->name != NULL ? n->name : "", nb, sizeof(nb)));
	if (o < 0 || (size_t)o >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + o, errlen - (size_t)o, fmt, ap);
	va_end(ap);
	return -1;
}

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static bool
is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* A DNS-1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])? */
static bool
dns_part_valid(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[len - 1]))
		return false;
	for (i = 0; i < len; i++)
		if (!is_lower_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool
dns_subdomain_valid(const char *s, size_t len)
{
	size_t	i, start = 0;

	if (len == 0 || len > NODE_NAME_MAX)
		return false;
	for (i = 0; i <= len; i++)
		if (i == len || s[i] == '.') {
			if (!dns_part_valid(s + start, i - start))
				return false;
			start = i + 1;
		}
	return true;
}

bool
node_name_valid(const char *s)
{
	return s != NULL && dns_subdomain_valid(s, strlen(s));
}

/* A label name or value: [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])? */
static bool
label_word_valid(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > 63 || !is_alnum(s[0]) || !is_alnum(s[len - 1]))
		return false;
	for (i = 0; i < len; i++)
		if (!is_alnum(s[i]) && strchr("-_.", s[i]) == NULL)
			return false;
	return true;
}

bool
node_label_key_valid(const char *s)
{
	const char	*slash;

	if (s == NULL)
		return false;
	if ((slash = strchr(s, '/')) == NULL)
		return label_word_valid(s, strlen(s));
	return dns_subdomain_valid(s, (size_t)(slash - s)) &&
	    label_word_valid(slash + 1, strlen(slash + 1));
}

bool
node_label_value_valid(const char *s)
{
	return s != NULL && (*s == '\0' || label_word_valid(s, strlen(s)));
}

/* Decimal digits only, at most UINT32_MAX. */
static int
parse_u32(const char *s, uint32_t *out)
{
	uint64_t	v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* asplain "64512" or asdot "1.10" (RFC 5396); 0 and AS_TRANS refused. */
static int
parse_asn(const char *s, uint32_t *out)
{
	const char	*dot;
	char		 hi[8];
	uint32_t	 h, l, v;

	if ((dot = strchr(s, '.')) != NULL) {
		if ((size_t)(dot - s) >= sizeof(hi))
			return -1;
		memcpy(hi, s, (size_t)(dot - s));
		hi[dot - s] = '\0';
		if (parse_u32(hi, &h) == -1 || parse_u32(dot + 1, &l) == -1 ||
		    h > 65535 || l > 65535)
			return -1;
		v = h << 16 | l;
	} else if (parse_u32(s, &v) == -1)
		return -1;
	if (v == 0 || v == AS_TRANS)
		return -1;
	*out = v;
	return 0;
}

/* A non-zero IPv4 address in host order (RFC 6286 2.1). */
static int
parse_id(const char *s, uint32_t *out)
{
	struct ipaddr	a;
	uint32_t	v;

	if (ipaddr_parse(s, &a) == -1 || a.family != AF_INET)
		return -1;
	memcpy(&v, a.addr, sizeof(v));
	if ((v = ntohl(v)) == 0)
		return -1;
	*out = v;
	return 0;
}

enum annot {
	ANNOT_ASN,
	ANNOT_ROUTER_ID,
	ANNOT_CLUSTER_ID,
	ANNOT_UNKNOWN,
};

static const struct {
	const char	*key;
	const char	*what;
} annots[] = {
	[ANNOT_ASN] = { NODE_ANNOT_ASN, "an AS number between 1 and "
	    "4294967295 (asplain or asdot), not 23456" },
	[ANNOT_ROUTER_ID] = { NODE_ANNOT_ROUTER_ID,
	    "a non-zero IPv4 address" },
	[ANNOT_CLUSTER_ID] = { NODE_ANNOT_CLUSTER_ID,
	    "a non-zero IPv4 address" },
};

static enum annot
annot_of(const char *key)
{
	int	i;

	for (i = 0; i < ANNOT_UNKNOWN; i++)
		if (strcmp(key, annots[i].key) == 0)
			return (enum annot)i;
	return ANNOT_UNKNOWN;
}

static bool
annot_ours(const char *key)
{
	return strncmp(key, NODE_ANNOT_PREFIX,
	    sizeof(NODE_ANNOT_PREFIX) - 1) == 0;
}

/* Checks one podbgp.io/ annotation; *v gets the parsed value. */
static int
annot_check(const struct node *n, const char *key, const char *value,
    uint32_t *v, char *err, size_t errlen)
{
	char		kb[SHOW_MAX + 4], vb[SHOW_MAX + 4], alt[32];
	enum annot	a;
	size_t		i;
	int		rc;

	if ((a = annot_of(key)) == ANNOT_UNKNOWN) {
		/* snake_case for kebab-case is the likeliest slip */
		for (i = 0; key[i] != '\0' && i + 1 < sizeof(alt); i++)
			alt[i] = key[i] == '_' ? '-' : key[i];
		alt[i] = '\0';
		if ((a = annot_of(alt)) != ANNOT_UNKNOWN)
			return nerr(n, err, errlen, "unknown annotation '%s' "
			    "(did you mean '%s'?)", key, annots[a].key);
		return nerr(n, err, errlen, "unknown annotation '%s' (known: "
		    "%s, %s, %s)", show(key, kb, sizeof(kb)),
		    NODE_ANNOT_ASN, NODE_ANNOT_ROUTER_ID,
		    NODE_ANNOT_CLUSTER_ID);
	}
	rc = a == ANNOT_ASN ? parse_asn(value, v) : parse_id(value, v);
	if (rc == -1)
		return nerr(n, err, errlen, "annotation '%s': expected %s, "
		    "got \"%s\"", key, annots[a].what,
		    show(value, vb, sizeof(vb)));
	return 0;
}

static uint32_t
annot_value(const struct node *n, enum annot a)
{
	switch (a) {
	case ANNOT_ASN:
		return n->asn;
	case ANNOT_ROUTER_ID:
		return n->router_id;
	default:
		return n->cluster_id;
	}
}

static uint32_t *
annot_field(struct node *n, enum annot a)
{
	switch (a) {
	case ANNOT_ASN:
		return &n->asn;
	case ANNOT_ROUTER_ID:
		return &n->router_id;
	default:
		return &n->cluster_id;
	}
}

static void
kv_free(struct node_kv *kv, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

struct node *
node_new(const char *name)
{
	struct node	*n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	if ((n->name = strdup(name)) == NULL) {
		free(n);
		return NULL;
	}
	return n;
}

void
node_free(struct node *n)
{
	if (n == NULL)
		return;
	free(n->name);
	free(n->addrs);
	kv_free(n->labels, n->nlabels);
	kv_free(n->annots, n->nannots);
	free(n);
}

static int
kv_copy(struct node_kv **dst, const struct node_kv *src, size_t n)
{
	struct node_kv	*kv;
	size_t		 i;

	*dst = NULL;
	if (n == 0)
		return 0;
	if ((kv = calloc(n, sizeof(*kv))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		kv[i].key = strdup(src[i].key);
		kv[i].value = strdup(src[i].value);
		if (kv[i].key == NULL || kv[i].value == NULL) {
			kv_free(kv, i + 1);
			return -1;
		}
	}
	*dst = kv;
	return 0;
}

struct node *
node_copy(const struct node *n)
{
	struct node	*c;

	if ((c = node_new(n->name)) == NULL)
		return NULL;
	c->seq = n->seq;
	memcpy(c->cidrs, n->cidrs, sizeof(c->cidrs));
	c->ncidrs = n->ncidrs;
	if (n->naddrs > 0) {
		if ((c->addrs = calloc(n->naddrs, sizeof(*c->addrs))) == NULL)
			goto fail;
		memcpy(c->addrs, n->addrs, n->naddrs * sizeof(*c->addrs));
		c->naddrs = n->naddrs;
	}
	if (kv_copy(&c->labels, n->labels, n->nlabels) == -1)
		goto fail;
	c->nlabels = n->nlabels;
	if (kv_copy(&c->annots, n->annots, n->nannots) == -1)
		goto fail;
	c->nannots = n->nannots;
	c->asn = n->asn;
	c->router_id = n->router_id;
	c->cluster_id = n->cluster_id;
	return c;
fail:
	node_free(c);
	return NULL;
}

static const char *
family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

int
node_add_pod_cidr(struct node *n, const char *s, char *err, size_t errlen)
{
	struct prefix	p;
	char		sb[SHOW_MAX + 4], t[PREFIX_STRLEN];
	const char	*what = "an IPv4 or IPv6 prefix like 10.244.1.0/24";

	if (strchr(s, '/') == NULL)
		return nerr(n, err, errlen, "pod CIDR: expected %s, got \"%s\"",
		    what, show(s, sb, sizeof(sb)));
	switch (prefix_parse(s, &p)) {
	case PREFIX_OK:
		break;
	case PREFIX_HOSTBITS:
		return nerr(n, err, errlen, "pod CIDR %s has host bits set "
		    "(did you mean %s?)", s, prefix_fmt(&p, t, sizeof(t)));
	default:
		return nerr(n, err, errlen, "pod CIDR: expected %s, got \"%s\"",
		    what, show(s, sb, sizeof(sb)));
	}
	if (p.len == 0)
		return nerr(n, err, errlen, "pod CIDR %s covers every address",
		    s);
	if (n->ncidrs > 0 && (n->cidrs[0].family == p.family ||
	    (n->ncidrs > 1 && n->cidrs[1].family == p.family)))
		return nerr(n, err, errlen, "pod CIDR %s: the node has an %s "
		    "pod CIDR already (%s); at most one per family",
		    s, family_name(p.family), prefix_fmt(n->cidrs[0].family ==
		    p.family ? &n->cidrs[0] : &n->cidrs[1], t, sizeof(t)));
	if (n->ncidrs >= NODE_CIDRS_MAX)	/* families say this can't be */
		return nerr(n, err, errlen, "too many pod CIDRs");
	if (p.family == AF_INET && n->ncidrs > 0) {
		n->cidrs[1] = n->cidrs[0];
		n->cidrs[0] = p;
	} else
		n->cidrs[n->ncidrs] = p;
	n->ncidrs++;
	return 0;
}

static bool
addr_unspecified(const struct ipaddr *a)
{
	static const uint8_t	zero[16];

	return memcmp(a->addr, zero, a->family == AF_INET ? 4 : 16) == 0;
}

int
node_add_address(struct node *n, const char *s, char *err, size_t errlen)
{
	struct ipaddr	 a, *na;
	char		 sb[SHOW_MAX + 4];
	size_t		 i;

	if (ipaddr_parse(s, &a) == -1)
		return nerr(n, err, errlen, "address: expected an IPv4 or IPv6 "
		    "address, got \"%s\"", show(s, sb, sizeof(sb)));
	if (addr_unspecified(&a))
		return nerr(n, err, errlen, "address %s is the unspecified "
		    "address", s);
	for (i = 0; i < n->naddrs; i++)
		if (ipaddr_cmp(&n->addrs[i], &a) == 0)
			return nerr(n, err, errlen, "address %s is given twice",
			    s);
	if (n->naddrs >= NODE_ADDRS_MAX)
		return nerr(n, err, errlen, "too many addresses (at most %d)",
		    NODE_ADDRS_MAX);
	if ((na = reallocarray(n->addrs, n->naddrs + 1, sizeof(*na))) == NULL)
		return nerr(n, err, errlen, "out of memory");
	n->addrs = na;
	n->addrs[n->naddrs++] = a;
	return 0;
}

/* Where key goes in the sorted kv; *found if it is there. */
static size_t
kv_pos(const struct node_kv *kv, size_t n, const char *key, bool *found)
{
	size_t	lo = 0, hi = n, mid;
	int	c;

	*found = false;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(kv[mid].key, key)) == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
kv_insert(struct node_kv **kvp, size_t *np, size_t pos, const char *key,
    const char *value)
{
	struct node_kv	*kv;
	char		*k, *v;

	if ((kv = reallocarray(*kvp, *np + 1, sizeof(*kv))) == NULL)
		return -1;
	*kvp = kv;
	k = strdup(key);
	v = strdup(value);
	if (k == NULL || v == NULL) {
		free(k);
		free(v);
		return -1;
	}
	memmove(kv + pos + 1, kv + pos, (*np - pos) * sizeof(*kv));
	kv[pos].key = k;
	kv[pos].value = v;
	(*np)++;
	return 0;
}

static int
label_check(const struct node *n, const char *key, const char *value,
    char *err, size_t errlen)
{
	char	kb[SHOW_MAX + 4], vb[SHOW_MAX + 4];

	if (!node_label_key_valid(key))
		return nerr(n, err, errlen, "label key \"%s\" is not a "
		    "qualified name ([prefix/]name, name of at most 63 "
		    "letters, digits, '-', '_', '.')", show(key, kb,
		    sizeof(kb)));
	if (!node_label_value_valid(value))
		return nerr(n, err, errlen, "label '%s': value \"%s\" is not "
		    "empty or at most 63 letters, digits, '-', '_', '.' "
		    "starting and ending with a letter or digit", key,
		    show(value, vb, sizeof(vb)));
	return 0;
}

int
node_set_label(struct node *n, const char *key, const char *value,
    char *err, size_t errlen)
{
	size_t	pos;
	bool	found;

	if (label_check(n, key, value, err, errlen) == -1)
		return -1;
	pos = kv_pos(n->labels, n->nlabels, key, &found);
	if (found)
		return nerr(n, err, errlen, "label '%s' is given twice", key);
	if (n->nlabels >= NODE_LABELS_MAX)
		return nerr(n, err, errlen, "too many labels (at most %d)",
		    NODE_LABELS_MAX);
	if (kv_insert(&n->labels, &n->nlabels, pos, key, value) == -1)
		return nerr(n, err, errlen, "out of memory");
	return 0;
}

int
node_set_annotation(struct node *n, const char *key, const char *value,
    char *err, size_t errlen)
{
	uint32_t	v;
	size_t		pos;
	bool		found;

	if (!annot_ours(key))
		return 0;	/* not ours: not kept (see node.h) */
	if (annot_check(n, key, value, &v, err, errlen) == -1)
		return -1;
	pos = kv_pos(n->annots, n->nannots, key, &found);
	if (found)
		return nerr(n, err, errlen, "annotation '%s' is given twice",
		    key);
	if (kv_insert(&n->annots, &n->nannots, pos, key, value) == -1)
		return nerr(n, err, errlen, "out of memory");
	*annot_field(n, annot_of(key)) = v;
	return 0;
}

const char *
node_label(const struct node *n, const char *key)
{
	size_t	pos;
	bool	found;

	pos = kv_pos(n->labels, n->nlabels, key, &found);
	return found ? n->labels[pos].value : NULL;
}

static int
validate_cidrs(const struct node *n, char *err, size_t errlen)
{
	const struct prefix	*p;
	char			 t[PREFIX_STRLEN];
	size_t			 i;

	if (n->ncidrs > NODE_CIDRS_MAX)
		return nerr(n, err, errlen, "too many pod CIDRs (at most one "
		    "per family)");
	for (i = 0; i < n->ncidrs; i++) {
		p = &n->cidrs[i];
		if ((p->family != AF_INET && p->family != AF_INET6) ||
		    p->len == 0 || p->len > prefix_maxlen(p->family))
			return nerr(n, err, errlen, "pod CIDR %zu is not a "
			    "valid prefix", i + 1);
		if (prefix_has_hostbits(p->family, p->addr, p->len))
			return nerr(n, err, errlen, "pod CIDR %s has host bits "
			    "set", prefix_fmt(p, t, sizeof(t)));
	}
	if (n->ncidrs == 2) {
		if (n->cidrs[0].family == n->cidrs[1].family)
			return nerr(n, err, errlen, "two %s pod CIDRs; at most "
			    "one per family", family_name(n->cidrs[0].family));
		if (n->cidrs[0].family != AF_INET)
			return nerr(n, err, errlen, "pod CIDRs out of order "
			    "(IPv4 first)");
	}
	return 0;
}

static int
validate_addrs(const struct node *n, char *err, size_t errlen)
{
	char	t[IPADDR_STRLEN];
	size_t	i, j;

	if (n->naddrs > NODE_ADDRS_MAX)
		return nerr(n, err, errlen, "too many addresses (at most %d)",
		    NODE_ADDRS_MAX);
	for (i = 0; i < n->naddrs; i++) {
		if (n->addrs[i].family != AF_INET &&
		    n->addrs[i].family != AF_INET6)
			return nerr(n, err, errlen, "address %zu has no "
			    "family", i + 1);
		if (addr_unspecified(&n->addrs[i]))
			return nerr(n, err, errlen, "address %s is the "
			    "unspecified address", ipaddr_fmt(&n->addrs[i], t,
			    sizeof(t)));
		for (j = 0; j < i; j++)
			if (ipaddr_cmp(&n->addrs[i], &n->addrs[j]) == 0)
				return nerr(n, err, errlen, "address %s is "
				    "given twice", ipaddr_fmt(&n->addrs[i], t,
				    sizeof(t)));
	}
	return 0;
}

int
node_validate(const struct node *n, char *err, size_t errlen)
{
	uint32_t	v, got[ANNOT_UNKNOWN] = { 0 };
	size_t		i;
	int		a;

	if (!node_name_valid(n->name))
		return nerr(n, err, errlen, "the name is not a DNS-1123 "
		    "subdomain (at most 253 lower-case letters, digits, '-' "
		    "and '.', each dot-separated part starting and ending "
		    "with a letter or digit)");
	if (validate_cidrs(n, err, errlen) == -1 ||
	    validate_addrs(n, err, errlen) == -1)
		return -1;
	if (n->nlabels > NODE_LABELS_MAX)
		return nerr(n, err, errlen, "too many labels (at most %d)",
		    NODE_LABELS_MAX);
	for (i = 0; i < n->nlabels; i++) {
		if (label_check(n, n->labels[i].key, n->labels[i].value, err,
		    errlen) == -1)
			return -1;
		if (i > 0 && strcmp(n->labels[i - 1].key,
		    n->labels[i].key) >= 0)
			return nerr(n, err, errlen, "labels not sorted or "
			    "label '%s' given twice", n->labels[i].key);
	}
	for (i = 0; i < n->nannots; i++) {
		if (!annot_ours(n->annots[i].key))
			return nerr(n, err, errlen, "annotation '%s' is not "
			    "under %s", n->annots[i].key, NODE_ANNOT_PREFIX);
		if (annot_check(n, n->annots[i].key, n->annots[i].value, &v,
		    err, errlen) == -1)
			return -1;
		if (i > 0 && strcmp(n->annots[i - 1].key,
		    n->annots[i].key) >= 0)
			return nerr(n, err, errlen, "annotations not sorted "
			    "or annotation '%s' given twice",
			    n->annots[i].key);
		got[annot_of(n->annots[i].key)] = v;
	}
	for (a = 0; a < ANNOT_UNKNOWN; a++)
		if (got[a] != annot_value(n, (enum annot)a))
			return nerr(n, err, errlen, "the parsed value of "
			    "annotation '%s' does not match its text",
			    annots[a].key);
	return 0;
}

static bool
kv_equal(const struct node_kv *a, size_t na, const struct node_kv *b,
    size_t nb)
{
	size_t	i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (strcmp(a[i].key, b[i].key) != 0 ||
		    strcmp(a[i].value, b[i].value) != 0)
			return false;
	return true;
}

unsigned
node_changes(const struct node *a, const struct node *b)
{
	unsigned	ch = 0;
	size_t		i;

	if (a->ncidrs != b->ncidrs)
		ch |= NODE_CH_CIDRS;
	for (i = 0; !(ch & NODE_CH_CIDRS) && i < a->ncidrs; i++)
		if (!prefix_eq(&a->cidrs[i], &b->cidrs[i]))
			ch |= NODE_CH_CIDRS;
	/* order matters: the first InternalIP of a family is the next hop */
	if (a->naddrs != b->naddrs)
		ch |= NODE_CH_ADDRS;
	for (i = 0; !(ch & NODE_CH_ADDRS) && i < a->naddrs; i++)
		if (ipaddr_cmp(&a->addrs[i], &b->addrs[i]) != 0)
			ch |= NODE_CH_ADDRS;
	if (!kv_equal(a->labels, a->nlabels, b->labels, b->nlabels))
		ch |= NODE_CH_LABELS;
	if (!kv_equal(a->annots, a->nannots, b->annots, b->nannots) ||
	    a->asn != b->asn || a->router_id != b->router_id ||
	    a->cluster_id != b->cluster_id)
		ch |= NODE_CH_ANNOTS;
	return ch;
}

bool
node_equal(const struct node *a, const struct node *b)
{
	return strcmp(a->name, b->name) == 0 && node_changes(a, b) == 0;
}

struct node_set *
node_set_new(void)
{
	return calloc(1, sizeof(struct node_set));
}

void
node_set_free(struct node_set *s)
{
	size_t	i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		node_free(s->v[i]);
	free(s->v);
	free(s);
}

static size_t
set_pos(const struct node_set *s, const char *name, bool *found)
{
	size_t	lo = 0, hi = s->n, mid;
	int	c;

	*found = false;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(s->v[mid]->name, name)) == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
node_set_add(struct node_set *s, struct node *n)
{
	struct node	**v;
	size_t		  pos, cap;
	bool		  found;

	pos = set_pos(s, n->name, &found);
	if (found)
		return 1;
	if (s->n == s->cap) {
		cap = s->cap == 0 ? 16 : s->cap * 2;
		if ((v = reallocarray(s->v, cap, sizeof(*v))) == NULL)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	memmove(s->v + pos + 1, s->v + pos, (s->n - pos) * sizeof(*s->v));
	s->v[pos] = n;
	s->n++;
	return 0;
}

struct node *
node_set_find(const struct node_set *s, const char *name)
{
	size_t	pos;
	bool	found;

	pos = set_pos(s, name, &found);
	return found ? s->v[pos] : NULL;
}

struct node *
node_set_take(struct node_set *s, const char *name)
{
	struct node	*n;
	size_t		 pos;
	bool		 found;

	pos = set_pos(s, name, &found);
	if (!found)
		return NULL;
	n = s->v[pos];
	memmove(s->v + pos, s->v + pos + 1, (s->n - pos - 1) * sizeof(*s->v));
	s->n--;
	return n;
}

bool
node_set_equal(const struct node_set *a, const struct node_set *b)
{
	size_t	i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (!node_equal(a->v[i], b->v[i]))
			return false;
	return true;
}

/* Lower seq is older; equal seqs fall back to the name. */
static bool
older(const struct node *a, const struct node *b)
{
	if (a->seq != b->seq)
		return a->seq < b->seq;
	return strcmp(a->name, b->name) < 0;
}

static int
cmp_age(const void *pa, const void *pb)
{
	const struct node	*a = *(struct node *const *)pa;
	const struct node	*b = *(struct node *const *)pb;

	if (a == b)
		return 0;
	return older(a, b) ? -1 : 1;
}

void
node_set_keep_age(struct node_set *cur, const struct node_set *old)
{
	struct node	**fresh, *o;
	uint64_t	  max = 0;
	size_t		  i, nfresh = 0;

	for (i = 0; i < old->n; i++)
		if (old->v[i]->seq > max)
			max = old->v[i]->seq;
	/* new nodes are moved to the front of a scratch array in place */
	fresh = cur->n > 0 ? calloc(cur->n, sizeof(*fresh)) : NULL;
	for (i = 0; i < cur->n; i++) {
		if ((o = node_set_find(old, cur->v[i]->name)) != NULL)
			cur->v[i]->seq = o->seq;
		else if (fresh != NULL)
			fresh[nfresh++] = cur->v[i];
		else
			cur->v[i]->seq = max + 1 + cur->v[i]->seq;
	}
	if (fresh == NULL)
		return;		/* out of memory: still younger than old */
	qsort(fresh, nfresh, sizeof(*fresh), cmp_age);
	for (i = 0; i < nfresh; i++)
		fresh[i]->seq = max + 1 + i;
	free(fresh);
}

struct node_diff *
node_set_diff(const struct node_set *old, const struct node_set *new)
{
	struct node_diff	*d;
	size_t			 i = 0, j = 0;
	unsigned		 what;
	int			 c;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	/* sized for the worst case: every node in one list */
	d->added = calloc(new->n + 1, sizeof(*d->added));
	d->removed = calloc(old->n + 1, sizeof(*d->removed));
	d->changed = calloc((old->n < new->n ? old->n : new->n) + 1,
	    sizeof(*d->changed));
	if (d->added == NULL || d->removed == NULL || d->changed == NULL) {
		node_diff_free(d);
		return NULL;
	}
	while (i < old->n || j < new->n) {
		if (i == old->n)
			c = 1;
		else if (j == new->n)
			c = -1;
		else
			c = strcmp(old->v[i]->name, new->v[j]->name);
		if (c < 0)
			d->removed[d->nremoved++] = old->v[i++];
		else if (c > 0)
			d->added[d->nadded++] = new->v[j++];
		else {
			if ((what = node_changes(old->v[i], new->v[j])) != 0) {
				d->changed[d->nchanged].old = old->v[i];
				d->changed[d->nchanged].new = new->v[j];
				d->changed[d->nchanged++].what = what;
			}
			i++;
			j++;
		}
	}
	return d;
}

void
node_diff_free(struct node_diff *d)
{
	if (d == NULL)
		return;
	free(d->added);
	free(d->removed);
	free(d->changed);
	free(d);
}

bool
node_diff_empty(const struct node_diff *d)
{
	return d->nadded == 0 && d->nremoved == 0 && d->nchanged == 0;
}

struct claim {
	const struct prefix	*p;
	const struct node	*n;
};

static int
cmp_claim(const void *pa, const void *pb)
{
	const struct claim	*a = pa, *b = pb;
	int			 c;

	if ((c = prefix_cmp(a->p, b->p)) != 0)
		return c;
	if (a->n == b->n)
		return 0;
	return older(a->n, b->n) ? -1 : 1;
}

static int
cmp_overlap(const void *pa, const void *pb)
{
	const struct node_overlap	*a = pa, *b = pb;
	int				 c;

	if ((c = prefix_cmp(&a->loser_cidr, &b->loser_cidr)) != 0)
		return c;
	if ((c = strcmp(a->loser->name, b->loser->name)) != 0)
		return c;
	return strcmp(a->winner->name, b->winner->name);
}

int
node_set_overlaps(const struct node_set *s, struct node_overlap **out,
    size_t *nout)
{
	struct claim		*cl;
	struct node_overlap	*ov = NULL, *nov, *o;
	size_t			 i, j, k, ncl = 0, nov_n = 0, cap = 0;
	bool			 i_wins;

	*out = NULL;
	*nout = 0;
	if ((cl = calloc(s->n * NODE_CIDRS_MAX + 1, sizeof(*cl))) == NULL)
		return -1;
	for (i = 0; i < s->n; i++)
		for (k = 0; k < s->v[i]->ncidrs && k < NODE_CIDRS_MAX; k++) {
			cl[ncl].p = &s->v[i]->cidrs[k];
			cl[ncl++].n = s->v[i];
		}
	/*
	 * Sorted by (family, address, length), the prefixes a prefix
	 * contains follow it directly, and two prefixes overlap only if
	 * one contains the other: one forward scan per claim finds all.
	 */
	qsort(cl, ncl, sizeof(*cl), cmp_claim);
	for (i = 0; i < ncl; i++) {
		for (j = i + 1; j < ncl && prefix_contains(cl[i].p, cl[j].p);
		    j++) {
			if (cl[i].n == cl[j].n)
				continue;
			if (nov_n == cap) {
				cap = cap == 0 ? 8 : cap * 2;
				if ((nov = reallocarray(ov, cap,
				    sizeof(*ov))) == NULL) {
					free(ov);
					free(cl);
					return -1;
				}
				ov = nov;
			}
			o = &ov[nov_n++];
			i_wins = older(cl[i].n, cl[j].n);
			o->winner = i_wins ? cl[i].n : cl[j].n;
			o->winner_cidr = i_wins ? *cl[i].p : *cl[j].p;
			o->loser = i_wins ? cl[j].n : cl[i].n;
			o->loser_cidr = i_wins ? *cl[j].p : *cl[i].p;
		}
	}
	free(cl);
	if (nov_n > 0)
		qsort(ov, nov_n, sizeof(*ov), cmp_overlap);
	*out = ov;
	*nout = nov_n;
	return 0;
}
