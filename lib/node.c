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
#include <strings.h>

#include <yaml.h>

#include "node.h"
#include "yaml_util.h"

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

static size_t	kv_pos(const struct node_kv *, size_t, const char *, bool *);
static const char	*family_name(int);
static bool	addr_unspecified(const struct ipaddr *);

enum annot {
	/* podbgp's own */
	ANNOT_ASN,
	ANNOT_ROUTER_ID,
	ANNOT_CLUSTER_ID,
	ANNOT_PEERS,
	ANNOT_COMMUNITIES,
	ANNOT_POD_CIDRS,
	/* kube-router's */
	ANNOT_KR_ASN,
	ANNOT_KR_PEERS,
	ANNOT_KR_PEER_IPS,
	ANNOT_KR_PEER_ASNS,
	ANNOT_KR_PEER_PASSWORDS,
	ANNOT_KR_PEER_PORTS,
	ANNOT_KR_PEER_LOCALIPS,
	ANNOT_KR_RR_SERVER,
	ANNOT_KR_RR_CLIENT,
	ANNOT_KR_POD_CIDR,
	ANNOT_KR_POD_CIDRS,
	ANNOT_KR_COMMUNITIES,
	ANNOT_UNKNOWN,
};

#define ASN_WHAT	"an AS number between 1 and 4294967295 (asplain or " \
			    "asdot), not 23456"
#define CLUSTER_WHAT	"a non-zero cluster ID (a number or an IPv4 address)"

static const struct {
	const char	*key;
	const char	*what;	/* NULL: the parser says what is wrong */
} annots[] = {
	[ANNOT_ASN] = { NODE_ANNOT_ASN, ASN_WHAT },
	[ANNOT_ROUTER_ID] = { NODE_ANNOT_ROUTER_ID,
	    "a non-zero IPv4 address" },
	[ANNOT_CLUSTER_ID] = { NODE_ANNOT_CLUSTER_ID,
	    "a non-zero IPv4 address" },
	[ANNOT_PEERS] = { NODE_ANNOT_PEERS, NULL },
	[ANNOT_COMMUNITIES] = { NODE_ANNOT_COMMUNITIES, NULL },
	[ANNOT_POD_CIDRS] = { NODE_ANNOT_POD_CIDRS, NULL },
	[ANNOT_KR_ASN] = { NODE_KR_ASN, ASN_WHAT },
	[ANNOT_KR_PEERS] = { NODE_KR_PEERS, NULL },
	[ANNOT_KR_PEER_IPS] = { NODE_KR_PEER_IPS, NULL },
	[ANNOT_KR_PEER_ASNS] = { NODE_KR_PEER_ASNS, NULL },
	[ANNOT_KR_PEER_PASSWORDS] = { NODE_KR_PEER_PASSWORDS, NULL },
	[ANNOT_KR_PEER_PORTS] = { NODE_KR_PEER_PORTS, NULL },
	[ANNOT_KR_PEER_LOCALIPS] = { NODE_KR_PEER_LOCALIPS, NULL },
	[ANNOT_KR_RR_SERVER] = { NODE_KR_RR_SERVER, CLUSTER_WHAT },
	[ANNOT_KR_RR_CLIENT] = { NODE_KR_RR_CLIENT, CLUSTER_WHAT },
	[ANNOT_KR_POD_CIDR] = { NODE_KR_POD_CIDR, NULL },
	[ANNOT_KR_POD_CIDRS] = { NODE_KR_POD_CIDRS, NULL },
	[ANNOT_KR_COMMUNITIES] = { NODE_KR_COMMUNITIES, NULL },
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
annot_podbgp(const char *key)
{
	return strncmp(key, NODE_ANNOT_PREFIX,
	    sizeof(NODE_ANNOT_PREFIX) - 1) == 0;
}

/* Kept: every podbgp.io/ key (unknown ones are errors), kube-router's own. */
static bool
annot_ours(const char *key)
{
	return annot_podbgp(key) || annot_of(key) != ANNOT_UNKNOWN;
}

/* What the annotations say, gathered before it goes into a node. */
struct derived {
	uint32_t		 asn;
	uint32_t		 router_id;
	uint32_t		 cluster_id;
	enum node_rr_role	 rr_role;
	struct node_peer	*peers;
	size_t			 npeers;
	uint32_t		*comms;
	size_t			 ncomms;
	struct prefix		 cidrs[NODE_CIDRS_MAX];
	size_t			 ncidrs;
	bool			 has_cidrs;
};

static void
peers_free(struct node_peer *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (p[i].password != NULL) {
			explicit_bzero(p[i].password, strlen(p[i].password));
			free(p[i].password);
		}
	free(p);
}

static void
derived_free(struct derived *d)
{
	peers_free(d->peers, d->npeers);
	free(d->comms);
	memset(d, 0, sizeof(*d));
}

/* A cluster ID as kube-router takes it: decimal, 0x hex, or IPv4. */
static int
parse_cluster(const char *s, uint32_t *out)
{
	uint64_t	v = 0;
	const char	*p;
	int		c;

	if (strchr(s, '.') != NULL)
		return parse_id(s, out);
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (s[2] == '\0')
			return -1;
		for (p = s + 2; *p != '\0'; p++) {
			if (*p >= '0' && *p <= '9')
				c = *p - '0';
			else if (*p >= 'a' && *p <= 'f')
				c = *p - 'a' + 10;
			else if (*p >= 'A' && *p <= 'F')
				c = *p - 'A' + 10;
			else
				return -1;
			if ((v = v << 4 | (uint64_t)c) > UINT32_MAX)
				return -1;
		}
		*out = (uint32_t)v;
	} else if (parse_u32(s, out) == -1)
		return -1;
	return *out == 0 ? -1 : 0;
}

/*
 * Splits a comma-separated list in place (a copy of the text): items with
 * the blanks around them trimmed, empty ones kept. Returns the count, or
 * -1 past max items.
 */
static int
split(char *s, char **items, size_t max)
{
	size_t	n = 0;
	char	*p, *e;

	for (p = s;; p = e + 1) {
		if (n == max)
			return -1;
		while (*p == ' ' || *p == '\t')
			p++;
		if ((e = strchr(p, ',')) != NULL)
			*e = '\0';
		items[n] = p;
		p += strlen(p);
		while (p > items[n] && (p[-1] == ' ' || p[-1] == '\t'))
			*--p = '\0';
		n++;
		if (e == NULL)
			return (int)n;
	}
}

static int	aerr(const struct node *, enum annot, char *, size_t,
		    const char *, ...) __attribute__((format(printf, 5, 6)));

/* "node 'n': annotation 'KEY': ..." */
static int
aerr(const struct node *n, enum annot a, char *err, size_t errlen,
    const char *fmt, ...)
{
	char	msg[NODE_ERR_LEN];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return nerr(n, err, errlen, "annotation '%s': %s", annots[a].key, msg);
}

/* "10.244.1.0/24[,fd00::/64]": at most one per family, IPv4 first. */
static int
parse_cidrs(const struct node *n, enum annot a, const char *s,
    struct derived *d, char *err, size_t errlen)
{
	char		*buf, *items[NODE_CIDRS_MAX + 1], sb[SHOW_MAX + 4];
	char		 t[PREFIX_STRLEN];
	struct prefix	 p;
	int		 k, i, rc = -1;

	if ((buf = strdup(s)) == NULL)
		return nerr(n, err, errlen, "out of memory");
	if ((k = split(buf, items, a == ANNOT_KR_POD_CIDR ? 1 :
	    NODE_CIDRS_MAX)) == -1) {
		aerr(n, a, err, errlen, "expected %s, got \"%s\"",
		    a == ANNOT_KR_POD_CIDR ? "one pod CIDR" :
		    "at most one IPv4 and one IPv6 pod CIDR, separated by a "
		    "comma", show(s, sb, sizeof(sb)));
		goto out;
	}
	d->ncidrs = 0;
	for (i = 0; i < k; i++) {
		switch (strchr(items[i], '/') == NULL ? PREFIX_INVALID :
		    prefix_parse(items[i], &p)) {
		case PREFIX_OK:
			break;
		case PREFIX_HOSTBITS:
			aerr(n, a, err, errlen, "pod CIDR %s has host bits "
			    "set (did you mean %s?)", items[i],
			    prefix_fmt(&p, t, sizeof(t)));
			goto out;
		default:
			aerr(n, a, err, errlen, "expected a pod CIDR like "
			    "10.244.1.0/24, got \"%s\"", show(items[i], sb,
			    sizeof(sb)));
			goto out;
		}
		if (p.len == 0) {
			aerr(n, a, err, errlen, "pod CIDR %s covers every "
			    "address", items[i]);
			goto out;
		}
		if (d->ncidrs == 1 && d->cidrs[0].family == p.family) {
			aerr(n, a, err, errlen, "two %s pod CIDRs; at most one "
			    "per family", family_name(p.family));
			goto out;
		}
		if (p.family == AF_INET && d->ncidrs == 1) {
			d->cidrs[1] = d->cidrs[0];
			d->cidrs[0] = p;
		} else
			d->cidrs[d->ncidrs] = p;
		d->ncidrs++;
	}
	d->has_cidrs = true;
	rc = 0;
out:
	free(buf);
	return rc;
}

static int
cmp_u32(const void *pa, const void *pb)
{
	uint32_t	a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return a < b ? -1 : a > b;
}

/* RFC 1997, RFC 7999 (blackhole), RFC 8326 (graceful-shutdown) ... */
static const struct {
	const char	*name;
	uint32_t	 value;
} wellknown[] = {
	{ "internet", 0 },
	{ "planned-shut", 0xffff0000 },
	{ "graceful-shutdown", 0xffff0000 },
	{ "accept-own", 0xffff0001 },
	{ "route-filter-translated-v4", 0xffff0002 },
	{ "route-filter-v4", 0xffff0003 },
	{ "route-filter-translated-v6", 0xffff0004 },
	{ "route-filter-v6", 0xffff0005 },
	{ "llgr-stale", 0xffff0006 },
	{ "no-llgr", 0xffff0007 },
	{ "blackhole", 0xffff029a },
	{ "no-export", 0xffffff01 },
	{ "no-advertise", 0xffffff02 },
	{ "no-export-subconfed", 0xffffff03 },
	{ "no-peer", 0xffffff04 },
};

static int
parse_community(const char *s, uint32_t *v)
{
	const char	*colon;
	char		 hi[8];
	uint32_t	 h, l;
	size_t		 i;

	for (i = 0; i < sizeof(wellknown) / sizeof(wellknown[0]); i++)
		if (strcasecmp(s, wellknown[i].name) == 0) {
			*v = wellknown[i].value;
			return 0;
		}
	if ((colon = strchr(s, ':')) == NULL)
		return parse_u32(s, v);
	if ((size_t)(colon - s) >= sizeof(hi))
		return -1;
	memcpy(hi, s, (size_t)(colon - s));
	hi[colon - s] = '\0';
	if (parse_u32(hi, &h) == -1 || parse_u32(colon + 1, &l) == -1 ||
	    h > 65535 || l > 65535)
		return -1;
	*v = h << 16 | l;
	return 0;
}

/* "65000:100, no-export, 4294967041": sorted, duplicates merged. */
static int
parse_communities(const struct node *n, enum annot a, const char *s,
    struct derived *d, char *err, size_t errlen)
{
	char		*buf, *items[NODE_COMMUNITIES_MAX], sb[SHOW_MAX + 4];
	uint32_t	*v = NULL;
	size_t		 nv = 0;
	int		 k, i, rc = -1;

	if ((buf = strdup(s)) == NULL)
		return nerr(n, err, errlen, "out of memory");
	if ((k = split(buf, items, NODE_COMMUNITIES_MAX)) == -1) {
		aerr(n, a, err, errlen, "more than %d communities",
		    NODE_COMMUNITIES_MAX);
		goto out;
	}
	if (k == 1 && items[0][0] == '\0')
		k = 0;		/* "": none, and podbgp.io's hides kube-router's */
	if (k > 0 && (v = calloc((size_t)k, sizeof(*v))) == NULL) {
		nerr(n, err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < k; i++)
		if (parse_community(items[i], &v[nv++]) == -1) {
			aerr(n, a, err, errlen, "expected communities as "
			    "ASN:VALUE (each 0-65535), a 32-bit number or a "
			    "name such as no-export, separated by commas, got "
			    "\"%s\"", show(items[i], sb, sizeof(sb)));
			goto out;
		}
	if (nv > 1)
		qsort(v, nv, sizeof(*v), cmp_u32);
	for (k = 0, i = 0; (size_t)i < nv; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	d->comms = v;
	d->ncomms = (size_t)k;
	v = NULL;
	rc = 0;
out:
	free(v);
	free(buf);
	return rc;
}

static int
cmp_peer(const void *pa, const void *pb)
{
	return ipaddr_cmp(&((const struct node_peer *)pa)->addr,
	    &((const struct node_peer *)pb)->addr);
}

/* Sorts the peers and refuses a remote address given twice. */
static int
peers_finish(const struct node *n, enum annot a, struct derived *d,
    char *err, size_t errlen)
{
	char	t[IPADDR_STRLEN];
	size_t	i;

	if (d->npeers > 1)
		qsort(d->peers, d->npeers, sizeof(*d->peers), cmp_peer);
	for (i = 1; i < d->npeers; i++)
		if (ipaddr_cmp(&d->peers[i - 1].addr, &d->peers[i].addr) == 0)
			return aerr(n, a, err, errlen, "peer %s is given "
			    "twice", ipaddr_fmt(&d->peers[i].addr, t,
			    sizeof(t)));
	return 0;
}

static int
b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * kube-router's passwords are base64 (RFC 4648 4, padding optional here).
 * A new string of the decoded bytes, NULL if not base64, empty, too long
 * for TCP MD5, or holding a NUL.
 */
static char *
b64_password(const char *s)
{
	char		out[NODE_PASSWORD_MAX + 1];
	size_t		o = 0, len = strlen(s);
	uint32_t	acc = 0;
	int		bits = 0, v;

	while (len > 0 && s[len - 1] == '=')
		len--;
	if (strlen(s) - len > 2 || len % 4 == 1)
		return NULL;
	for (; len > 0; s++, len--) {
		if ((v = b64_value((unsigned char)*s)) == -1)
			return NULL;
		acc = acc << 6 | (uint32_t)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			if (o == NODE_PASSWORD_MAX ||
			    (out[o++] = (char)(acc >> bits & 0xff)) == '\0')
				return NULL;
		}
	}
	if (o == 0)
		return NULL;
	out[o] = '\0';
	return strdup(out);
}

/* A password in plain text, as podbgp.io/peers has it. */
static char *
plain_password(const char *s, size_t len)
{
	if (len == 0 || len > NODE_PASSWORD_MAX || strlen(s) != len)
		return NULL;
	return strdup(s);
}

static const char *
yscalar(yaml_document_t *doc, int id, size_t *len)
{
	yaml_node_t	*v;

	if ((v = yaml_document_get_node(doc, id)) == NULL ||
	    v->type != YAML_SCALAR_NODE)
		return NULL;
	*len = v->data.scalar.length;
	return (const char *)v->data.scalar.value;
}

/* One entry of a peers list. */
static int
parse_peer_entry(const struct node *n, enum annot a, yaml_document_t *doc,
    yaml_node_t *m, size_t idx, struct node_peer *p, char *err,
    size_t errlen)
{
	yaml_node_pair_t	*pr;
	const char		*k, *v;
	char			 sb[SHOW_MAX + 4];
	size_t			 len;
	uint32_t		 u;
	bool			 has_ip = false, has_asn = false;

	if (m->type != YAML_MAPPING_NODE)
		return aerr(n, a, err, errlen, "peer %zu: expected a mapping "
		    "with remoteip and remoteasn", idx);
	for (pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top;
	    pr++) {
		if ((k = yscalar(doc, pr->key, &len)) == NULL)
			return aerr(n, a, err, errlen, "peer %zu: expected a "
			    "key name", idx);
		if ((v = yscalar(doc, pr->value, &len)) == NULL ||
		    strlen(v) != len)
			return aerr(n, a, err, errlen, "peer %zu: expected "
			    "text for '%.32s'", idx, k);
		if (strcmp(k, "remoteip") == 0) {
			if (ipaddr_parse(v, &p->addr) == -1 ||
			    addr_unspecified(&p->addr))
				return aerr(n, a, err, errlen, "peer %zu: "
				    "remoteip: expected an IPv4 or IPv6 "
				    "address, got \"%s\"", idx, show(v, sb,
				    sizeof(sb)));
			has_ip = true;
		} else if (strcmp(k, "remoteasn") == 0) {
			if (parse_asn(v, &p->asn) == -1)
				return aerr(n, a, err, errlen, "peer %zu: "
				    "remoteasn: expected %s, got \"%s\"", idx,
				    ASN_WHAT, show(v, sb, sizeof(sb)));
			has_asn = true;
		} else if (strcmp(k, "localip") == 0) {
			if (len == 0)
				continue;
			if (ipaddr_parse(v, &p->local_addr) == -1 ||
			    addr_unspecified(&p->local_addr))
				return aerr(n, a, err, errlen, "peer %zu: "
				    "localip: expected an IPv4 or IPv6 "
				    "address, got \"%s\"", idx, show(v, sb,
				    sizeof(sb)));
		} else if (strcmp(k, "port") == 0) {
			if (parse_u32(v, &u) == -1 || u == 0 || u > 65535)
				return aerr(n, a, err, errlen, "peer %zu: "
				    "port: expected a number between 1 and "
				    "65535, got \"%s\"", idx, show(v, sb,
				    sizeof(sb)));
			p->port = u == 179 ? 0 : (uint16_t)u;
		} else if (strcmp(k, "password") == 0) {
			if (len == 0 || p->password != NULL)
				continue;
			/* the value stays out of every message */
			if ((p->password = a == ANNOT_KR_PEERS ?
			    b64_password(v) : plain_password(v, len)) == NULL)
				return aerr(n, a, err, errlen, "peer %zu: "
				    "password: expected %s", idx,
				    a == ANNOT_KR_PEERS ? "1 to 80 bytes in "
				    "base64" : "1 to 80 bytes of text");
		} else if (a == ANNOT_PEERS)
			/* kube-router ignores unknown keys; we catch typos */
			return aerr(n, a, err, errlen, "peer %zu: unknown key "
			    "'%.32s' (known: remoteip, remoteasn, localip, "
			    "port, password)", idx, k);
	}
	if (!has_ip || !has_asn)
		return aerr(n, a, err, errlen, "peer %zu: %s is required", idx,
		    has_ip ? "remoteasn" : "remoteip");
	if (p->local_addr.family != 0 &&
	    p->local_addr.family != p->addr.family)
		return aerr(n, a, err, errlen, "peer %zu: localip and remoteip "
		    "are of different families", idx);
	return 0;
}

/*
 * podbgp.io/peers and kube-router.io/peers: a YAML list of
 * {remoteip, remoteasn[, localip][, port][, password]}.
 */
static int
parse_peers_yaml(const struct node *n, enum annot a, const char *s,
    struct derived *d, char *err, size_t errlen)
{
	yaml_parser_t		 yp;
	yaml_document_t		 doc, doc2;
	yaml_node_t		*root, *m;
	yaml_node_item_t	*it;
	yaml_mark_t		 at;
	size_t			 cnt, i;
	int			 rc = -1;
	bool			 two = false;

	if (!yflow_depth_ok((const unsigned char *)s, strlen(s), &at))
		return aerr(n, a, err, errlen, "lists and mappings nested "
		    "deeper than %d levels", YU_FLOW_DEPTH);
	if (!yaml_parser_initialize(&yp))
		return nerr(n, err, errlen, "out of memory");
	yaml_parser_set_input_string(&yp, (const unsigned char *)s,
	    strlen(s));
	if (!yaml_parser_load(&yp, &doc)) {
		/* libyaml's problems are fixed texts: no password in them */
		rc = aerr(n, a, err, errlen, "not YAML: %s at line %zu, "
		    "column %zu", yp.problem != NULL ? yp.problem : "error",
		    yp.problem_mark.line + 1, yp.problem_mark.column + 1);
		yaml_parser_delete(&yp);
		return rc;
	}
	/* a second document would be ignored: refuse it */
	if (yaml_document_get_root_node(&doc) != NULL) {
		if (!yaml_parser_load(&yp, &doc2))
			two = true;	/* broken after the first */
		else {
			two = yaml_document_get_root_node(&doc2) != NULL;
			yaml_document_delete(&doc2);
		}
	}
	yaml_parser_delete(&yp);
	if (two) {
		aerr(n, a, err, errlen, "expected one YAML document");
		goto out;
	}
	if ((root = yaml_document_get_root_node(&doc)) == NULL ||
	    (root->type == YAML_SCALAR_NODE &&
	    root->data.scalar.length == 0)) {
		rc = 0;		/* empty: no peers */
		goto out;
	}
	if (root->type != YAML_SEQUENCE_NODE) {
		aerr(n, a, err, errlen, "expected a YAML list of peers "
		    "(- remoteip: ...; remoteasn: ...)");
		goto out;
	}
	cnt = (size_t)(root->data.sequence.items.top -
	    root->data.sequence.items.start);
	if (cnt > NODE_PEERS_MAX) {
		aerr(n, a, err, errlen, "more than %d peers", NODE_PEERS_MAX);
		goto out;
	}
	if (cnt > 0 && (d->peers = calloc(cnt, sizeof(*d->peers))) == NULL) {
		nerr(n, err, errlen, "out of memory");
		goto out;
	}
	for (i = 0, it = root->data.sequence.items.start; i < cnt; i++, it++) {
		if ((m = yaml_document_get_node(&doc, *it)) == NULL)
			goto out;
		d->npeers++;
		if (parse_peer_entry(n, a, &doc, m, i + 1, &d->peers[i], err,
		    errlen) == -1)
			goto out;
	}
	rc = peers_finish(n, a, d, err, errlen);
out:
	yaml_document_delete(&doc);
	return rc;
}

/*
 * One of kube-router's comma-separated peer lists, checked alone: items
 * at most NODE_PEERS_MAX; blank items allowed where kube-router takes them
 * (passwords, ports, local IPs: "none" or "the default").
 */
static int
check_kr_list(const struct node *n, enum annot a, const char *s,
    char **items, char *buf, int *count, char *err, size_t errlen)
{
	char		 sb[SHOW_MAX + 4];
	struct ipaddr	 ip;
	uint32_t	 u;
	char		*pw;
	int		 k, i;

	memcpy(buf, s, strlen(s) + 1);	/* the caller sized buf from s */
	if ((k = split(buf, items, NODE_PEERS_MAX)) == -1)
		return aerr(n, a, err, errlen, "more than %d peers",
		    NODE_PEERS_MAX);
	for (i = 0; i < k; i++) {
		if (items[i][0] == '\0' && a != ANNOT_KR_PEER_IPS &&
		    a != ANNOT_KR_PEER_ASNS)
			continue;
		switch (a) {
		case ANNOT_KR_PEER_IPS:
		case ANNOT_KR_PEER_LOCALIPS:
			if (ipaddr_parse(items[i], &ip) == -1 ||
			    addr_unspecified(&ip))
				return aerr(n, a, err, errlen, "expected IPv4 "
				    "or IPv6 addresses separated by commas, "
				    "got \"%s\"", show(items[i], sb,
				    sizeof(sb)));
			break;
		case ANNOT_KR_PEER_ASNS:
			if (parse_asn(items[i], &u) == -1)
				return aerr(n, a, err, errlen, "expected AS "
				    "numbers separated by commas, each %s, got "
				    "\"%s\"", ASN_WHAT, show(items[i], sb,
				    sizeof(sb)));
			break;
		case ANNOT_KR_PEER_PORTS:
			if (parse_u32(items[i], &u) == -1 || u == 0 ||
			    u > 65535)
				return aerr(n, a, err, errlen, "expected ports "
				    "(1-65535) separated by commas, got \"%s\"",
				    show(items[i], sb, sizeof(sb)));
			break;
		default:	/* passwords: the values stay out of messages */
			if ((pw = b64_password(items[i])) == NULL)
				return aerr(n, a, err, errlen, "password %d: "
				    "expected 1 to 80 bytes in base64", i + 1);
			explicit_bzero(pw, strlen(pw));
			free(pw);
			break;
		}
	}
	*count = k;
	return 0;
}

static const char *
kv_get(const struct node *n, enum annot a)
{
	size_t	pos;
	bool	found;

	pos = kv_pos(n->annots, n->nannots, annots[a].key, &found);
	return found ? n->annots[pos].value : NULL;
}

/*
 * The deprecated kube-router.io/peer.* set: peer.ips and peer.asns of the
 * same length, the others empty or of that length too. strict: an
 * incomplete set is an error (else it gives no peers, as while a loader
 * is still setting the annotations one by one).
 */
static int
parse_kr_peer_lists(const struct node *n, bool strict, struct derived *d,
    char *err, size_t errlen)
{
	static const enum annot	 which[] = { ANNOT_KR_PEER_IPS,
				    ANNOT_KR_PEER_ASNS, ANNOT_KR_PEER_PASSWORDS,
				    ANNOT_KR_PEER_PORTS, ANNOT_KR_PEER_LOCALIPS };
	enum { W_IPS, W_ASNS, W_PWS, W_PORTS, W_LOCAL, W_N };
	char			*items[W_N][NODE_PEERS_MAX], *buf[W_N];
	const char		*v[W_N];
	int			 cnt[W_N];
	struct node_peer	*p;
	uint32_t		 u = 0;
	int			 w, i, rc = -1;

	memset(buf, 0, sizeof(buf));
	for (w = 0; w < W_N; w++) {
		cnt[w] = 0;
		if ((v[w] = kv_get(n, which[w])) == NULL)
			continue;
		if ((buf[w] = malloc(strlen(v[w]) + 1)) == NULL) {
			nerr(n, err, errlen, "out of memory");
			goto out;
		}
		if (check_kr_list(n, which[w], v[w], items[w], buf[w], &cnt[w],
		    err, errlen) == -1)
			goto out;
		if (cnt[w] == 1 && items[w][0][0] == '\0')
			cnt[w] = 0;	/* "": none */
	}
	if (v[W_IPS] == NULL && v[W_ASNS] == NULL) {
		rc = 0;
		goto out;
	}
	if (cnt[W_IPS] != cnt[W_ASNS] || v[W_IPS] == NULL ||
	    v[W_ASNS] == NULL) {
		rc = strict ? nerr(n, err, errlen, "annotations '%s' and '%s' "
		    "give %d addresses and %d AS numbers; they go in pairs",
		    NODE_KR_PEER_IPS, NODE_KR_PEER_ASNS, cnt[W_IPS],
		    cnt[W_ASNS]) : 0;
		goto out;
	}
	for (w = W_PWS; w < W_N; w++)
		if (cnt[w] != 0 && cnt[w] != cnt[W_IPS]) {
			rc = strict ? nerr(n, err, errlen, "annotation '%s' "
			    "gives %d entries for %d peers (leave an entry "
			    "blank for none)", annots[which[w]].key, cnt[w],
			    cnt[W_IPS]) : 0;
			goto out;
		}
	if (cnt[W_IPS] > 0 && (d->peers = calloc((size_t)cnt[W_IPS],
	    sizeof(*d->peers))) == NULL) {
		nerr(n, err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < cnt[W_IPS]; i++) {
		p = &d->peers[d->npeers++];
		/* checked in check_kr_list() */
		ipaddr_parse(items[W_IPS][i], &p->addr);
		parse_asn(items[W_ASNS][i], &p->asn);
		if (cnt[W_PORTS] > 0 && items[W_PORTS][i][0] != '\0') {
			parse_u32(items[W_PORTS][i], &u);
			p->port = u == 179 ? 0 : (uint16_t)u;
		}
		if (cnt[W_LOCAL] > 0 && items[W_LOCAL][i][0] != '\0') {
			ipaddr_parse(items[W_LOCAL][i], &p->local_addr);
			if (p->local_addr.family != p->addr.family) {
				rc = nerr(n, err, errlen, "annotation '%s': "
				    "local address %d is not of the family of "
				    "its peer", NODE_KR_PEER_LOCALIPS, i + 1);
				goto out;
			}
		}
		if (cnt[W_PWS] > 0 && items[W_PWS][i][0] != '\0' &&
		    (p->password = b64_password(items[W_PWS][i])) == NULL) {
			nerr(n, err, errlen, "out of memory");
			goto out;
		}
	}
	rc = peers_finish(n, ANNOT_KR_PEER_IPS, d, err, errlen);
out:
	for (w = 0; w < W_N; w++)
		if (buf[w] != NULL) {
			explicit_bzero(buf[w], strlen(v[w]));
			free(buf[w]);
		}
	return rc;
}

/*
 * One annotation's value, alone, into d. Returns 0, or -1 with the error
 * naming the node and the annotation (and never a password).
 */
static int
parse_one(const struct node *n, enum annot a, const char *value,
    struct derived *d, char *err, size_t errlen)
{
	char		 vb[SHOW_MAX + 4], *buf, *items[NODE_PEERS_MAX];
	uint32_t	*field;
	int		 rc, cnt;

	switch (a) {
	case ANNOT_ASN:
	case ANNOT_KR_ASN:
		field = &d->asn;
		rc = parse_asn(value, field);
		break;
	case ANNOT_ROUTER_ID:
		rc = parse_id(value, &d->router_id);
		break;
	case ANNOT_CLUSTER_ID:
		rc = parse_id(value, &d->cluster_id);
		break;
	case ANNOT_KR_RR_SERVER:
	case ANNOT_KR_RR_CLIENT:
		rc = parse_cluster(value, &d->cluster_id);
		break;
	case ANNOT_PEERS:
	case ANNOT_KR_PEERS:
		return parse_peers_yaml(n, a, value, d, err, errlen);
	case ANNOT_COMMUNITIES:
	case ANNOT_KR_COMMUNITIES:
		return parse_communities(n, a, value, d, err, errlen);
	case ANNOT_POD_CIDRS:
	case ANNOT_KR_POD_CIDR:
	case ANNOT_KR_POD_CIDRS:
		return parse_cidrs(n, a, value, d, err, errlen);
	default:	/* kube-router's peer lists */
		if ((buf = malloc(strlen(value) + 1)) == NULL)
			return nerr(n, err, errlen, "out of memory");
		rc = check_kr_list(n, a, value, items, buf, &cnt, err, errlen);
		explicit_bzero(buf, strlen(value));
		free(buf);
		return rc;
	}
	if (rc == -1)
		return aerr(n, a, err, errlen, "expected %s, got \"%s\"",
		    annots[a].what, show(value, vb, sizeof(vb)));
	return 0;
}

/*
 * What the node's annotations say together, by precedence: podbgp.io's
 * over kube-router's; within kube-router's, peers over peer.*, rr.server
 * over rr.client, pod-cidrs over pod-cidr. strict: see
 * parse_kr_peer_lists().
 */
static int
derive(const struct node *n, bool strict, struct derived *d, char *err,
    size_t errlen)
{
	static const enum annot	 asn[] = { ANNOT_ASN, ANNOT_KR_ASN },
				 cid[] = { ANNOT_CLUSTER_ID,
				    ANNOT_KR_RR_SERVER, ANNOT_KR_RR_CLIENT },
				 peers[] = { ANNOT_PEERS, ANNOT_KR_PEERS },
				 comms[] = { ANNOT_COMMUNITIES,
				    ANNOT_KR_COMMUNITIES },
				 cidrs[] = { ANNOT_POD_CIDRS,
				    ANNOT_KR_POD_CIDRS, ANNOT_KR_POD_CIDR },
				 rid[] = { ANNOT_ROUTER_ID };
	static const struct {
		const enum annot	*v;
		size_t			 n;
	} groups[] = {
		{ asn, 2 }, { cid, 3 }, { peers, 2 }, { comms, 2 },
		{ cidrs, 3 }, { rid, 1 },
	};
	struct derived	 one;
	const char	*v;
	size_t		 g, i;
	bool		 any_peers = false;

	memset(d, 0, sizeof(*d));
	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (i = 0; i < groups[g].n; i++) {
			if ((v = kv_get(n, groups[g].v[i])) == NULL)
				continue;
			memset(&one, 0, sizeof(one));
			if (parse_one(n, groups[g].v[i], v, &one, err,
			    errlen) == -1) {
				derived_free(&one);
				derived_free(d);
				return -1;
			}
			switch (groups[g].v[i]) {
			case ANNOT_ASN:
			case ANNOT_KR_ASN:
				d->asn = one.asn;
				break;
			case ANNOT_ROUTER_ID:
				d->router_id = one.router_id;
				break;
			case ANNOT_KR_RR_SERVER:
			case ANNOT_KR_RR_CLIENT:
				d->rr_role = groups[g].v[i] ==
				    ANNOT_KR_RR_SERVER ? NODE_RR_SERVER :
				    NODE_RR_CLIENT;
				/* FALLTHROUGH */
			case ANNOT_CLUSTER_ID:
				d->cluster_id = one.cluster_id;
				break;
			case ANNOT_PEERS:
			case ANNOT_KR_PEERS:
				any_peers = true;
				d->peers = one.peers;
				d->npeers = one.npeers;
				one.peers = NULL;
				one.npeers = 0;
				break;
			case ANNOT_COMMUNITIES:
			case ANNOT_KR_COMMUNITIES:
				d->comms = one.comms;
				d->ncomms = one.ncomms;
				one.comms = NULL;
				break;
			default:
				memcpy(d->cidrs, one.cidrs, sizeof(d->cidrs));
				d->ncidrs = one.ncidrs;
				d->has_cidrs = true;
				break;
			}
			derived_free(&one);
			break;	/* the first present wins its group */
		}
	/* rr.server's role stands even when podbgp.io/cluster-id's ID wins */
	if (d->rr_role == NODE_RR_NONE) {
		if (kv_get(n, ANNOT_KR_RR_SERVER) != NULL)
			d->rr_role = NODE_RR_SERVER;
		else if (kv_get(n, ANNOT_KR_RR_CLIENT) != NULL)
			d->rr_role = NODE_RR_CLIENT;
	}
	if (!any_peers && parse_kr_peer_lists(n, strict, d, err,
	    errlen) == -1) {
		derived_free(d);
		return -1;
	}
	return 0;
}

/* The record's fields take d's values (d is emptied). */
static void
derived_apply(struct node *n, struct derived *d)
{
	n->asn = d->asn;
	n->router_id = d->router_id;
	n->cluster_id = d->cluster_id;
	n->rr_role = d->rr_role;
	peers_free(n->peers, n->npeers);
	n->peers = d->peers;
	n->npeers = d->npeers;
	free(n->communities);
	n->communities = d->comms;
	n->ncommunities = d->ncomms;
	if (d->has_cidrs) {
		memcpy(n->cidrs, d->cidrs, sizeof(n->cidrs));
		n->ncidrs = d->ncidrs;
		n->cidrs_annotated = true;
	}
	memset(d, 0, sizeof(*d));
}

static bool
peer_equal(const struct node_peer *a, const struct node_peer *b)
{
	if (ipaddr_cmp(&a->addr, &b->addr) != 0 || a->asn != b->asn ||
	    a->port != b->port || (a->password == NULL) !=
	    (b->password == NULL) || (a->password != NULL &&
	    strcmp(a->password, b->password) != 0))
		return false;
	if (a->local_addr.family != b->local_addr.family)
		return false;
	return a->local_addr.family == 0 ||
	    ipaddr_cmp(&a->local_addr, &b->local_addr) == 0;
}

static bool
peers_equal(const struct node_peer *a, size_t na, const struct node_peer *b,
    size_t nb)
{
	size_t	i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (!peer_equal(&a[i], &b[i]))
			return false;
	return true;
}

static bool
comms_equal(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	return na == nb && (na == 0 || memcmp(a, b, na * sizeof(*a)) == 0);
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
	size_t	i;

	if (n == NULL)
		return;
	free(n->name);
	free(n->addrs);
	kv_free(n->labels, n->nlabels);
	for (i = 0; i < n->nannots; i++)	/* passwords among them */
		explicit_bzero(n->annots[i].value, strlen(n->annots[i].value));
	kv_free(n->annots, n->nannots);
	peers_free(n->peers, n->npeers);
	free(n->communities);
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
	size_t		 i;

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
	c->rr_role = n->rr_role;
	c->cidrs_annotated = n->cidrs_annotated;
	if (n->npeers > 0) {
		if ((c->peers = calloc(n->npeers, sizeof(*c->peers))) == NULL)
			goto fail;
		for (i = 0; i < n->npeers; i++) {
			c->peers[i] = n->peers[i];
			c->peers[i].password = NULL;
			c->npeers++;
			if (n->peers[i].password != NULL &&
			    (c->peers[i].password =
			    strdup(n->peers[i].password)) == NULL)
				goto fail;
		}
	}
	if (n->ncommunities > 0) {
		if ((c->communities = calloc(n->ncommunities,
		    sizeof(*c->communities))) == NULL)
			goto fail;
		memcpy(c->communities, n->communities, n->ncommunities *
		    sizeof(*c->communities));
		c->ncommunities = n->ncommunities;
	}
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
	if (n->cidrs_annotated)
		return 0;	/* an annotation's pod CIDRs override the spec */
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

/* Checks one kept annotation's key and value alone. */
static int
annot_check(const struct node *n, const char *key, const char *value,
    char *err, size_t errlen)
{
	struct derived	d;
	char		kb[SHOW_MAX + 4], alt[32];
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
		    "%s, %s, %s, %s, %s, %s)", show(key, kb, sizeof(kb)),
		    NODE_ANNOT_ASN, NODE_ANNOT_ROUTER_ID,
		    NODE_ANNOT_CLUSTER_ID, NODE_ANNOT_PEERS,
		    NODE_ANNOT_COMMUNITIES, NODE_ANNOT_POD_CIDRS);
	}
	memset(&d, 0, sizeof(d));
	rc = parse_one(n, a, value, &d, err, errlen);
	derived_free(&d);
	return rc;
}

int
node_set_annotation(struct node *n, const char *key, const char *value,
    char *err, size_t errlen)
{
	struct derived	d;
	size_t		pos;
	bool		found;

	if (!annot_ours(key))
		return 0;	/* not ours: not kept (see node.h) */
	if (annot_check(n, key, value, err, errlen) == -1)
		return -1;
	pos = kv_pos(n->annots, n->nannots, key, &found);
	if (found)
		return nerr(n, err, errlen, "annotation '%s' is given twice",
		    key);
	if (kv_insert(&n->annots, &n->nannots, pos, key, value) == -1)
		return nerr(n, err, errlen, "out of memory");
	/* not strict: the rest of a set of annotations may come later */
	if (derive(n, false, &d, err, errlen) == -1) {
		free(n->annots[pos].key);
		free(n->annots[pos].value);
		memmove(n->annots + pos, n->annots + pos + 1,
		    (n->nannots - pos - 1) * sizeof(*n->annots));
		n->nannots--;
		return -1;
	}
	derived_apply(n, &d);
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

/* The parsed fields against what the annotations say together. */
static int
validate_derived(const struct node *n, char *err, size_t errlen)
{
	struct derived	 d;
	const char	*what = NULL;
	size_t		 i;

	if (derive(n, true, &d, err, errlen) == -1)
		return -1;
	if (d.asn != n->asn)
		what = "AS number";
	else if (d.router_id != n->router_id)
		what = "router ID";
	else if (d.cluster_id != n->cluster_id)
		what = "cluster ID";
	else if (d.rr_role != n->rr_role)
		what = "route-reflector role";
	else if (!peers_equal(d.peers, d.npeers, n->peers, n->npeers))
		what = "peer list";
	else if (!comms_equal(d.comms, d.ncomms, n->communities,
	    n->ncommunities))
		what = "community list";
	else if (d.has_cidrs != n->cidrs_annotated)
		what = "pod CIDR list";
	else if (d.has_cidrs) {
		if (d.ncidrs != n->ncidrs)
			what = "pod CIDR list";
		for (i = 0; what == NULL && i < d.ncidrs; i++)
			if (!prefix_eq(&d.cidrs[i], &n->cidrs[i]))
				what = "pod CIDR list";
	}
	derived_free(&d);
	if (what != NULL)
		return nerr(n, err, errlen, "the parsed %s does not match the "
		    "annotations", what);
	return 0;
}

int
node_validate(const struct node *n, char *err, size_t errlen)
{
	size_t		i;

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
			    "one podbgp reads", n->annots[i].key);
		if (annot_check(n, n->annots[i].key, n->annots[i].value, err,
		    errlen) == -1)
			return -1;
		if (i > 0 && strcmp(n->annots[i - 1].key,
		    n->annots[i].key) >= 0)
			return nerr(n, err, errlen, "annotations not sorted "
			    "or annotation '%s' given twice",
			    n->annots[i].key);
	}
	return validate_derived(n, err, errlen);
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
	    a->cluster_id != b->cluster_id || a->rr_role != b->rr_role ||
	    a->cidrs_annotated != b->cidrs_annotated ||
	    !comms_equal(a->communities, a->ncommunities, b->communities,
	    b->ncommunities))
		ch |= NODE_CH_ANNOTS;
	if (!peers_equal(a->peers, a->npeers, b->peers, b->npeers))
		ch |= NODE_CH_PEERS;
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
