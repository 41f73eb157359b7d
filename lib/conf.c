/*
 * conf: podbgpd.yaml into struct conf.
 *
 * libyaml's document API builds the node tree (with a start mark on every
 * node); the walkers below check it against the schema section by section
 * and fill one struct conf that starts out holding every default. Every
 * error is recorded with the mark of the node it is about and the walk goes
 * on, so one run reports as many mistakes as it can (up to CONF_ERR_MAX).
 * Nothing here logs, exits or keeps state between calls.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include <yaml.h>

#include "conf.h"
#include "yaml_util.h"

#define CONF_PATH_MAX	4095
#define CONF_TEXT_MAX	255
#define AS_TRANS	23456		/* RFC 6793 */
#define RT_TABLE_LOCAL	255

/* Decimal digits only: no sign, no spaces, no hex. */
static int
parse_num(const char *s, uint64_t *out)
{
	uint64_t	v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > UINT32_MAX)
			continue;	/* out of range whatever follows */
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static int
get_uint(struct yctx *x, const yaml_node_t *v, const char *key, uint32_t min,
    uint32_t max, uint32_t *out)
{
	char		 what[64];
	const char	*s;
	uint64_t	 n;

	snprintf(what, sizeof(what), "an integer between %u and %u", min, max);
	if ((s = yget_scalar(x, v, key, what)) == NULL)
		return -1;
	if (parse_num(s, &n) == -1 || n < min || n > max) {
		yexpected(x, v, key, what);
		return -1;
	}
	*out = (uint32_t)n;
	return 0;
}

static int
get_bool(struct yctx *x, const yaml_node_t *v, const char *key, bool *out)
{
	const char	*s;

	if ((s = yget_scalar(x, v, key, "true or false")) == NULL)
		return -1;
	if (strcmp(s, "true") == 0)
		*out = true;
	else if (strcmp(s, "false") == 0)
		*out = false;
	else {
		yexpected(x, v, key, "true or false");
		return -1;
	}
	return 0;
}

static int
get_enum(struct yctx *x, const yaml_node_t *v, const char *key,
    const char *const *names, int *out)
{
	char		 what[256];
	const char	*s;
	size_t		 i, o;

	o = (size_t)snprintf(what, sizeof(what), "one of");
	for (i = 0; names[i] != NULL && o < sizeof(what); i++)
		o += (size_t)snprintf(what + o, sizeof(what) - o, "%s %s",
		    i == 0 ? "" : ",", names[i]);
	if ((s = yget_scalar(x, v, key, what)) == NULL)
		return -1;
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	yexpected(x, v, key, what);
	return -1;
}

/* Replaces *out with a copy of the string value. */
static int
set_str(struct yctx *x, const char *s, char **out)
{
	char	*d;

	if ((d = strdup(s)) == NULL) {
		yerr(x, NULL, "out of memory");
		return -1;
	}
	free(*out);
	*out = d;
	return 0;
}

static bool
all_chars(const char *s, const char *extra)
{
	for (; *s != '\0'; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && strchr(extra, *s) == NULL)
			return false;
	return true;
}

static int
get_path(struct yctx *x, const yaml_node_t *v, const char *key, char **out)
{
	const char	*s;

	if ((s = yget_scalar(x, v, key, "an absolute path")) == NULL)
		return -1;
	if (s[0] != '/' || strlen(s) > CONF_PATH_MAX) {
		yexpected(x, v, key, "an absolute path");
		return -1;
	}
	return set_str(x, s, out);
}

/* One line of printable text: it ends up in logs and podbgpctl output. */
static int
get_text(struct yctx *x, const yaml_node_t *v, const char *key, char **out)
{
	const char	*s, *p;
	char		 what[64];

	snprintf(what, sizeof(what), "one line of text (at most %d bytes)",
	    CONF_TEXT_MAX);
	if ((s = yget_scalar(x, v, key, what)) == NULL)
		return -1;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			break;
	if (*p != '\0' || strlen(s) > CONF_TEXT_MAX) {
		yexpected(x, v, key, what);
		return -1;
	}
	return set_str(x, s, out);
}

static int
get_addr(struct yctx *x, const yaml_node_t *v, const char *key, int family,
    struct ipaddr *out)
{
	const char	*what, *s;
	struct ipaddr	 a;

	what = family == AF_INET ? "an IPv4 address" :
	    "an IPv4 or IPv6 address";
	if ((s = yget_scalar(x, v, key, what)) == NULL)
		return -1;
	if (ipaddr_parse(s, &a) == -1 ||
	    (family != 0 && a.family != family)) {
		yexpected(x, v, key, what);
		return -1;
	}
	*out = a;
	return 0;
}

/* A non-zero IPv4 address in host order: router ID, cluster ID. */
static int
get_id(struct yctx *x, const yaml_node_t *v, const char *key, uint32_t *out)
{
	struct ipaddr	a;
	uint32_t	id;

	if (get_addr(x, v, key, AF_INET, &a) == -1)
		return -1;
	memcpy(&id, a.addr, sizeof(id));
	if ((id = ntohl(id)) == 0) {
		/* RFC 6286 2.1: a BGP Identifier is a non-zero number */
		yerr(x, &v->start_mark, "'%s' must not be 0.0.0.0", key);
		return -1;
	}
	*out = id;
	return 0;
}

static int
get_prefix(struct yctx *x, const yaml_node_t *v, const char *key,
    struct prefix *out)
{
	const char	*s;
	char		 t[PREFIX_STRLEN];
	const char	*what = "an IPv4 or IPv6 prefix like 10.244.0.0/16";

	if ((s = yget_scalar(x, v, key, what)) == NULL)
		return -1;
	switch (prefix_parse(s, out)) {
	case PREFIX_OK:
		return 0;
	case PREFIX_HOSTBITS:
		yerr(x, &v->start_mark, "prefix %s in '%s' has host bits set: "
		    "did you mean %s?", s, key, prefix_fmt(out, t, sizeof(t)));
		return -1;
	default:
		yexpected(x, v, key, what);
		return -1;
	}
}

/* "64512" or asdot "1.10" (RFC 5396). */
static int
get_asn(struct yctx *x, const yaml_node_t *v, const char *key, uint32_t *out)
{
	const char	*what = "an integer between 1 and 4294967295";
	const char	*s, *dot;
	char		 hi[8];
	uint64_t	 h, l, n;

	if ((s = yget_scalar(x, v, key, what)) == NULL)
		return -1;
	if ((dot = strchr(s, '.')) != NULL) {
		if ((size_t)(dot - s) >= sizeof(hi))
			goto bad;
		memcpy(hi, s, (size_t)(dot - s));
		hi[dot - s] = '\0';
		if (parse_num(hi, &h) == -1 || parse_num(dot + 1, &l) == -1 ||
		    h > 65535 || l > 65535)
			goto bad;
		n = h << 16 | l;
	} else if (parse_num(s, &n) == -1)
		goto bad;
	if (n < 1 || n > UINT32_MAX)
		goto bad;
	if (n == AS_TRANS) {
		yerr(x, &v->start_mark, "AS 23456 is AS_TRANS (RFC 6793), "
		    "not usable for '%s'", key);
		return -1;
	}
	*out = (uint32_t)n;
	return 0;
bad:
	yexpected(x, v, key, what);
	return -1;
}


static void *
alloc_list(struct yctx *x, size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n == 0 ? 1 : n, size)) == NULL)
		yerr(x, NULL, "out of memory");
	return p;
}

static void
parse_nodes(struct yctx *x, yaml_node_t *kn, yaml_node_t *v, struct conf *c)
{
	static const char *const keys[] = { "source", "kubeconfig", "file",
	    "context", "page-size", "watch-timeout", NULL };
	static const char *const sources[] = { "kubernetes", "file", NULL };
	enum { K_SOURCE, K_KUBECONFIG, K_FILE, K_CONTEXT, K_PAGE_SIZE,
	    K_WATCH_TIMEOUT };
	const char	*s;
	yaml_node_t	*seen[YMAP_NSEEN(keys)], *val;
	struct ymap	 it;
	int		 i, src;

	if (!ymap_init(x, &it, v, "nodes", keys, seen))
		return;
	while ((i = ymap_next(x, &it, &val)) != -1) {
		switch (i) {
		case K_SOURCE:
			if (get_enum(x, val, "source", sources, &src) == 0)
				c->nodes_source = (enum conf_nodes_source)src;
			break;
		case K_KUBECONFIG:
			get_path(x, val, "kubeconfig", &c->kubeconfig);
			break;
		case K_FILE:
			get_path(x, val, "file", &c->nodes_file);
			break;
		case K_CONTEXT:
			/* a kubeconfig context name: any one line of text */
			if ((s = yget_scalar(x, val, "context",
			    "a context name")) != NULL) {
				if (!all_chars(s, "-._@:/+"))
					yexpected(x, val, "context",
					    "a context name");
				else
					set_str(x, s, &c->kube_context);
			}
			break;
		case K_PAGE_SIZE:
			get_uint(x, val, "page-size", 1, 100000,
			    &c->kube_page_size);
			break;
		case K_WATCH_TIMEOUT:
			get_uint(x, val, "watch-timeout", 10, 3600,
			    &c->kube_watch_timeout);
			break;
		}
	}
	if (c->nodes_source == CONF_NODES_FILE) {
		static const int kube_only[] = { K_KUBECONFIG, K_CONTEXT,
		    K_PAGE_SIZE, K_WATCH_TIMEOUT };
		size_t	j;

		if (seen[K_FILE] == NULL)
			yerr(x, &kn->start_mark, "missing required key 'file' "
			    "in 'nodes' (needed with 'source: file')");
		for (j = 0; j < sizeof(kube_only) / sizeof(kube_only[0]); j++)
			if (seen[kube_only[j]] != NULL)
				yerr(x, &seen[kube_only[j]]->start_mark, "'%s' "
				    "is only used with 'source: kubernetes'",
				    keys[kube_only[j]]);
	} else if (seen[K_FILE] != NULL)
		yerr(x, &seen[K_FILE]->start_mark, "'file' is only used with "
		    "'source: file'");
}

static void
parse_cidrs(struct yctx *x, yaml_node_t *v, struct conf *c)
{
	yaml_node_item_t	*items;
	yaml_node_t		*item, **where;
	char			 a[PREFIX_STRLEN], b[PREFIX_STRLEN];
	size_t			 n, i, j;

	if ((items = yget_list(x, v, "cluster-cidrs", &n)) == NULL)
		return;
	if ((c->cluster_cidrs = alloc_list(x, n,
	    sizeof(*c->cluster_cidrs))) == NULL)
		return;
	if ((where = alloc_list(x, n, sizeof(*where))) == NULL)
		return;
	for (i = 0; i < n; i++) {
		if ((item = ynode(x, items[i])) == NULL ||
		    get_prefix(x, item, "cluster-cidrs",
		    &c->cluster_cidrs[c->ncluster_cidrs]) == -1)
			continue;
		for (j = 0; j < c->ncluster_cidrs; j++)
			if (prefix_overlaps(&c->cluster_cidrs[j],
			    &c->cluster_cidrs[c->ncluster_cidrs]))
				break;
		if (j < c->ncluster_cidrs) {
			yerr(x, &item->start_mark, "cluster CIDR %s overlaps "
			    "%s (line %u)", prefix_fmt(&c->cluster_cidrs[
			    c->ncluster_cidrs], a, sizeof(a)),
			    prefix_fmt(&c->cluster_cidrs[j], b, sizeof(b)),
			    yline(where[j]));
			continue;
		}
		where[c->ncluster_cidrs++] = item;
	}
	free(where);
}

/* "key=value" or "key": a Kubernetes label selector of one term. */
static void
get_label(struct yctx *x, const yaml_node_t *v, const char *key,
    struct conf *c)
{
	const char	*what = "a node label as 'key=value' or 'key'";
	const char	*s, *eq;
	char		*k;
	size_t		 klen;

	if ((s = yget_scalar(x, v, key, what)) == NULL)
		return;
	eq = strchr(s, '=');
	klen = eq != NULL ? (size_t)(eq - s) : strlen(s);
	if (klen == 0 || klen > 253 ||
	    (eq != NULL && (strlen(eq + 1) > 63 || !all_chars(eq + 1, "-_."))))
		goto bad;
	if ((k = strndup(s, klen)) == NULL) {
		yerr(x, NULL, "out of memory");
		return;
	}
	if (!all_chars(k, "-_./")) {
		free(k);
		goto bad;
	}
	free(c->reflector_label);
	c->reflector_label = k;
	free(c->reflector_value);
	c->reflector_value = NULL;
	if (eq != NULL)
		set_str(x, eq + 1, &c->reflector_value);
	return;
bad:
	yexpected(x, v, key, what);
}

static void
parse_mesh(struct yctx *x, yaml_node_t *v, struct conf *c)
{
	static const char *const keys[] = { "mode", "reflector-label",
	    "cluster-id", NULL };
	static const char *const modes[] = { "none", "full-mesh",
	    "route-reflector", NULL };
	enum { K_MODE, K_LABEL, K_CLUSTER_ID };
	yaml_node_t	*seen[YMAP_NSEEN(keys)], *val;
	struct ymap	 it;
	int		 i, m;

	if (!ymap_init(x, &it, v, "mesh", keys, seen))
		return;
	while ((i = ymap_next(x, &it, &val)) != -1) {
		switch (i) {
		case K_MODE:
			if (get_enum(x, val, "mode", modes, &m) == 0)
				c->mesh_mode = (enum conf_mesh_mode)m;
			break;
		case K_LABEL:
			get_label(x, val, "reflector-label", c);
			break;
		case K_CLUSTER_ID:
			get_id(x, val, "cluster-id", &c->cluster_id);
			break;
		}
	}
	if (c->mesh_mode != CONF_MESH_RR) {
		for (i = K_LABEL; i <= K_CLUSTER_ID; i++)
			if (seen[i] != NULL)
				yerr(x, &seen[i]->start_mark, "'%s' is only "
				    "used with 'mode: route-reflector'",
				    keys[i]);
	}
}

static void
parse_gr(struct yctx *x, yaml_node_t *v, struct conf *c)
{
	static const char *const keys[] = { "restart-time", "stale-time",
	    NULL };
	yaml_node_t	*seen[YMAP_NSEEN(keys)], *val;
	struct ymap	 it;
	int		 i;

	if (!ymap_init(x, &it, v, "graceful-restart", keys, seen))
		return;
	while ((i = ymap_next(x, &it, &val)) != -1) {
		if (i == 0)	/* RFC 4724 3: 12 bits */
			get_uint(x, val, "restart-time", 1, 4095,
			    &c->restart_time);
		else
			get_uint(x, val, "stale-time", 1, 65535,
			    &c->stale_time);
	}
}

static void
parse_rule(struct yctx *x, yaml_node_t *v, struct conf_rule *r, bool *ok)
{
	static const char *const keys[] = { "prefix", "ge", "le", "action",
	    NULL };
	static const char *const actions[] = { "accept", "reject", NULL };
	enum { K_PREFIX, K_GE, K_LE, K_ACTION };
	yaml_node_t	*seen[YMAP_NSEEN(keys)], *val;
	struct ymap	 it;
	uint32_t	 ge = 0, le = 0, max;
	bool		 have_prefix = false, have_action = false;
	bool		 bad_ge = false, bad_le = false;
	char		 t[PREFIX_STRLEN];
	int		 i, a;

	*ok = false;
	if (!ymap_init(x, &it, v, "rules", keys, seen))
		return;
	while ((i = ymap_next(x, &it, &val)) != -1) {
		switch (i) {
		case K_PREFIX:
			have_prefix = get_prefix(x, val, "prefix",
			    &r->prefix) == 0;
			break;
		case K_GE:
			bad_ge = get_uint(x, val, "ge", 0, 128, &ge) == -1;
			break;
		case K_LE:
			bad_le = get_uint(x, val, "le", 0, 128, &le) == -1;
			break;
		case K_ACTION:
			if (get_enum(x, val, "action", actions, &a) == 0) {
				r->action = (enum conf_action)a;
				have_action = true;
			}
			break;
		}
	}
	if (seen[K_PREFIX] == NULL)
		ymissing(x, v, "prefix", "rules");
	if (seen[K_ACTION] == NULL)
		ymissing(x, v, "action", "rules");
	if (!have_prefix || !have_action || bad_ge || bad_le)
		return;
	max = prefix_maxlen(r->prefix.family);
	prefix_fmt(&r->prefix, t, sizeof(t));
	/* No ge/le: the prefix itself; only one: up to the end. */
	if (seen[K_GE] == NULL)
		ge = r->prefix.len;
	if (seen[K_LE] == NULL)
		le = seen[K_GE] == NULL ? r->prefix.len : max;
	if (ge < r->prefix.len || ge > max) {
		yerr(x, &seen[K_GE]->start_mark, "'ge' must be between %u "
		    "and %u for %s", r->prefix.len, max, t);
		return;
	}
	if (le < ge || le > max) {
		yerr(x, &seen[K_LE]->start_mark, "'le' must be between %u "
		    "and %u for %s", ge, max, t);
		return;
	}
	r->ge = (uint8_t)ge;
	r->le = (uint8_t)le;
	*ok = true;
}

static void
parse_filter(struct yctx *x, yaml_node_t *v, const char *sect,
    struct conf_filter *f)
{
	static const char *const keys[] = { "allow-default", "rules", NULL };
	yaml_node_item_t	*items;
	yaml_node_t		*seen[YMAP_NSEEN(keys)], *val, *item;
	struct ymap		 it;
	size_t			 n, j;
	bool			 ok;
	int			 i;

	if (!ymap_init(x, &it, v, sect, keys, seen))
		return;
	while ((i = ymap_next(x, &it, &val)) != -1) {
		if (i == 0) {
			get_bool(x, val, "allow-default", &f->allow_default);
			continue;
		}
		if ((items = yget_list(x, val, "rules", &n)) == NULL ||
		    (f->rules = alloc_list(x, n, sizeof(*f->rules))) == NULL)
			continue;
		for (j = 0; j < n; j++) {
			if ((item = ynode(x, items[j])) == NULL)
				continue;
			parse_rule(x, item, &f->rules[f->nrules], &ok);
			if (ok)
				f->nrules++;
		}
	}
}

static void
parse_max_prefixes(struct yctx *x, yaml_node_t *v, struct conf_peer *p)
{
	static const char *const keys[] = { "limit", "restart-time", NULL };
	yaml_node_t	*seen[YMAP_NSEEN(keys)], *val;
	struct ymap	 it;
	int		 i;

	/* a bare number is the limit alone */
	if (v->type == YAML_SCALAR_NODE) {
		get_uint(x, v, "max-prefixes", 1, UINT32_MAX, &p->max_prefixes);
		return;
	}
	if (!ymap_init(x, &it, v, "max-prefixes", keys, seen))
		return;
	while ((i = ymap_next(x, &it, &val)) != -1) {
		if (i == 0)
			get_uint(x, val, "limit", 1, UINT32_MAX,
			    &p->max_prefixes);
		else
			get_uint(x, val, "restart-time", 0, 65535,
			    &p->max_prefixes_restart);
	}
	if (seen[0] == NULL)
		ymissing(x, v, "limit", "max-prefixes");
}

static const struct {
	const char	*name;
	uint16_t	 value;
} wellknown[] = {
	/* RFC 1997, RFC 3765, RFC 7999 */
	{ "no-export", 0xff01 },
	{ "no-advertise", 0xff02 },
	{ "no-export-subconfed", 0xff03 },
	{ "blackhole", 0x029a },
};

static int
parse_community(const char *s, struct conf_community *cm)
{
	char		 buf[16];
	const char	*colon;
	uint64_t	 a, b;
	size_t		 i;

	for (i = 0; i < sizeof(wellknown) / sizeof(wellknown[0]); i++)
		if (strcmp(s, wellknown[i].name) == 0) {
			cm->asn = 0xffff;
			cm->value = wellknown[i].value;
			return 0;
		}
	if ((colon = strchr(s, ':')) == NULL ||
	    (size_t)(colon - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(colon - s));
	buf[colon - s] = '\0';
	if (parse_num(buf, &a) == -1 || parse_num(colon + 1, &b) == -1 ||
	    a > 65535 || b > 65535)
		return -1;
	cm->asn = (uint16_t)a;
	cm->value = (uint16_t)b;
	return 0;
}

static int
parse_large(const char *s, struct conf_large_community *lc)
{
	char		 buf[3][16];
	uint64_t	 v[3];
	const char	*p = s, *colon;
	size_t		 i, len;

	for (i = 0; i < 3; i++) {
		colon = strchr(p, ':');
		if ((colon == NULL) != (i == 2))
			return -1;
		len = colon != NULL ? (size_t)(colon - p) : strlen(p);
		if (len >= sizeof(buf[i]))
			return -1;
		memcpy(buf[i], p, len);
		buf[i][len] = '\0';
		if (parse_num(buf[i], &v[i]) == -1 || v[i] > UINT32_MAX)
			return -1;
		if (colon != NULL)
			p = colon + 1;
	}
	lc->global = (uint32_t)v[0];
	lc->local1 = (uint32_t)v[1];
	lc->local2 = (uint32_t)v[2];
	return 0;
}

static void
parse_communities(struct yctx *x, yaml_node_t *v, struct conf_peer *p)
{
	const char		*what = "a community 'ASN:VALUE' (numbers "
				    "0 to 65535) or no-export, no-advertise, "
				    "no-export-subconfed, blackhole";
	yaml_node_item_t	*items;
	yaml_node_t		*item;
	struct conf_community	*cm;
	const char		*s;
	size_t			 n, i, j;

	if ((items = yget_list(x, v, "communities", &n)) == NULL ||
	    (p->communities = alloc_list(x, n, sizeof(*cm))) == NULL)
		return;
	for (i = 0; i < n; i++) {
		if ((item = ynode(x, items[i])) == NULL ||
		    (s = yget_scalar(x, item, "communities", what)) == NULL)
			continue;
		cm = &p->communities[p->ncommunities];
		if (parse_community(s, cm) == -1) {
			yexpected(x, item, "communities", what);
			continue;
		}
		for (j = 0; j < p->ncommunities; j++)
			if (p->communities[j].asn == cm->asn &&
			    p->communities[j].value == cm->value)
				break;
		if (j < p->ncommunities) {
			yerr(x, &item->start_mark, "community %u:%u is "
			    "listed twice", cm->asn, cm->value);
			continue;
		}
		p->ncommunities++;
	}
}

static void
parse_large_communities(struct yctx *x, yaml_node_t *v, struct conf_peer *p)
{
	const char			*what = "a large community "
					    "'GLOBAL:LOCAL1:LOCAL2' (numbers "
					    "0 to 4294967295)";
	yaml_node_item_t		*items;
	yaml_node_t			*item;
	struct conf_large_community	*lc;
	const char			*s;
	size_t				 n, i, j;

	if ((items = yget_list(x, v, "large-communities", &n)) == NULL ||
	    (p->large_communities = alloc_list(x, n, sizeof(*lc))) == NULL)
		return;
	for (i = 0; i < n; i++) {
		if ((item = ynode(x, items[i])) == NULL ||
		    (s = yget_scalar(x, item, "large-communities", what)) ==
		    NULL)
			continue;
		lc = &p->large_communities[p->nlarge_communities];
		if (parse_large(s, lc) == -1) {
			yexpected(x, item, "large-communities", what);
			continue;
		}
		for (j = 0; j < p->nlarge_communities; j++)
			if (memcmp(&p->large_communities[j], lc,
			    sizeof(*lc)) == 0)
				break;
		if (j < p->nlarge_communities) {
			yerr(x, &item->start_mark, "large community %u:%u:%u "
			    "is listed twice", lc->global, lc->local1,
			    lc->local2);
			continue;
		}
		p->nlarge_communities++;
	}
}

static const char *const peer_keys[] = {
	"address", "asn", "name", "description", "password-file",
	"hold-time", "keepalive", "ttl-security", "multihop",
	"local-address", "passive", "graceful-restart", "import", "export",
	"max-prefixes", "communities", "large-communities", "port", NULL
};
enum {
	P_ADDRESS, P_ASN, P_NAME, P_DESCRIPTION, P_PASSWORD_FILE,
	P_HOLD_TIME, P_KEEPALIVE, P_TTL_SECURITY, P_MULTIHOP,
	P_LOCAL_ADDRESS, P_PASSIVE, P_GRACEFUL_RESTART, P_IMPORT, P_EXPORT,
	P_MAX_PREFIXES, P_COMMUNITIES, P_LARGE_COMMUNITIES, P_PORT, P_NKEYS
};

/*
 * One entry of 'peers'. Returns false when the entry lacks an address or
 * an ASN; the keys seen are left in seen[] for the checks across peers.
 */
static bool
parse_peer(struct yctx *x, yaml_node_t *v, struct conf_peer *p,
    yaml_node_t **seen)
{
	const char	*what = "a name of letters, digits, '-', '_' and '.' "
			    "(at most 64)";
	yaml_node_t	*val;
	struct ymap	 it;
	const char	*s;
	uint32_t	 u;
	bool		 ok_addr = false, ok_asn = false;
	int		 i;

	p->hold_time = CONF_DEF_HOLD_TIME;
	p->graceful_restart = true;
	if (!ymap_init(x, &it, v, "peers", peer_keys, seen))
		return false;
	while ((i = ymap_next(x, &it, &val)) != -1) {
		switch (i) {
		case P_ADDRESS:
			if (get_addr(x, val, "address", 0, &p->addr) == -1)
				break;
			if (ipaddr_is_linklocal(&p->addr)) {
				yerr(x, &val->start_mark, "link-local peer "
				    "addresses need an interface, which is "
				    "not supported yet");
				break;
			}
			ok_addr = true;
			break;
		case P_ASN:
			ok_asn = get_asn(x, val, "asn", &p->asn) == 0;
			break;
		case P_NAME:
			if ((s = yget_scalar(x, val, "name", what)) == NULL)
				break;
			if (strlen(s) > 64 || !all_chars(s, "-_.")) {
				yexpected(x, val, "name", what);
				break;
			}
			set_str(x, s, &p->name);
			break;
		case P_DESCRIPTION:
			get_text(x, val, "description", &p->description);
			break;
		case P_PASSWORD_FILE:
			get_path(x, val, "password-file", &p->password_file);
			break;
		case P_HOLD_TIME:
			if (get_uint(x, val, "hold-time", 0, 65535,
			    &p->hold_time) == -1)
				break;
			/* RFC 4271 4.2: zero or at least three seconds */
			if (p->hold_time == 1 || p->hold_time == 2) {
				yerr(x, &val->start_mark, "hold-time %u is not "
				    "allowed: use 0 (no keepalives) or 3 to "
				    "65535 (RFC 4271 4.2)", p->hold_time);
				p->hold_time = CONF_DEF_HOLD_TIME;
			}
			break;
		case P_KEEPALIVE:
			get_uint(x, val, "keepalive", 0, 21845, &p->keepalive);
			break;
		case P_TTL_SECURITY:
			get_bool(x, val, "ttl-security", &p->ttl_security);
			break;
		case P_MULTIHOP:
			get_uint(x, val, "multihop", 1, 255, &p->multihop);
			break;
		case P_LOCAL_ADDRESS:
			get_addr(x, val, "local-address", 0, &p->local_addr);
			break;
		case P_PASSIVE:
			get_bool(x, val, "passive", &p->passive);
			break;
		case P_GRACEFUL_RESTART:
			get_bool(x, val, "graceful-restart",
			    &p->graceful_restart);
			break;
		case P_IMPORT:
			parse_filter(x, val, "import", &p->import);
			break;
		case P_EXPORT:
			parse_filter(x, val, "export", &p->export);
			break;
		case P_MAX_PREFIXES:
			parse_max_prefixes(x, val, p);
			break;
		case P_COMMUNITIES:
			parse_communities(x, val, p);
			break;
		case P_LARGE_COMMUNITIES:
			parse_large_communities(x, val, p);
			break;
		case P_PORT:
			if (get_uint(x, val, "port", 1, 65535, &u) == 0)
				p->port = u == 179 ? 0 : (uint16_t)u;
			break;
		}
	}
	if (seen[P_ADDRESS] == NULL)
		ymissing(x, v, "address", "peers");
	if (seen[P_ASN] == NULL)
		ymissing(x, v, "asn", "peers");
	if (seen[P_KEEPALIVE] == NULL)
		p->keepalive = p->hold_time / 3;
	else if (p->hold_time == 0 && p->keepalive != 0)
		yerr(x, &seen[P_KEEPALIVE]->start_mark, "keepalive must be 0 "
		    "when hold-time is 0");
	else if (p->hold_time != 0 &&
	    (p->keepalive == 0 || p->keepalive >= p->hold_time))
		yerr(x, &seen[P_KEEPALIVE]->start_mark, "keepalive %u must be "
		    "between 1 and hold-time %u (hold-time / 3 is usual)",
		    p->keepalive, p->hold_time);
	if (ok_addr && p->local_addr.family != 0 &&
	    p->local_addr.family != p->addr.family)
		yerr(x, &seen[P_LOCAL_ADDRESS]->start_mark, "local-address "
		    "and address must both be IPv4 or both IPv6");
	return ok_addr && ok_asn;
}

static void
peer_fini(struct conf_peer *p)
{
	free(p->name);
	free(p->description);
	free(p->password_file);
	if (p->password != NULL) {
		explicit_bzero(p->password, strlen(p->password));
		free(p->password);
	}
	free(p->import.rules);
	free(p->export.rules);
	free(p->communities);
	free(p->large_communities);
}

static void
parse_peers(struct yctx *x, yaml_node_t *v, struct conf *c)
{
	yaml_node_item_t	*items;
	yaml_node_t		*item, *(*seen)[P_NKEYS];
	struct conf_peer	*p;
	char			 a[IPADDR_STRLEN];
	size_t			 n, i, j;

	if ((items = yget_list(x, v, "peers", &n)) == NULL ||
	    (c->peers = alloc_list(x, n, sizeof(*c->peers))) == NULL)
		return;
	if ((seen = alloc_list(x, n, sizeof(*seen))) == NULL)
		return;
	for (i = 0; i < n; i++) {
		if ((item = ynode(x, items[i])) == NULL)
			continue;
		p = &c->peers[c->npeers];
		if (!parse_peer(x, item, p, seen[c->npeers])) {
			/* the slot is reused: conf_free() sees npeers only */
			peer_fini(p);
			memset(p, 0, sizeof(*p));
			continue;
		}
		for (j = 0; j < c->npeers; j++)
			if (ipaddr_cmp(&c->peers[j].addr, &p->addr) == 0)
				break;
		if (j < c->npeers)
			yerr(x, &seen[c->npeers][P_ADDRESS]->start_mark,
			    "duplicate peer address %s (first at line %u)",
			    ipaddr_fmt(&p->addr, a, sizeof(a)),
			    yline(seen[j][P_ADDRESS]));
		for (j = 0; p->name != NULL && j < c->npeers; j++)
			if (c->peers[j].name != NULL &&
			    strcmp(c->peers[j].name, p->name) == 0)
				break;
		if (p->name != NULL && j < c->npeers)
			yerr(x, &seen[c->npeers][P_NAME]->start_mark,
			    "duplicate peer name '%s' (first at line %u)",
			    p->name, yline(seen[j][P_NAME]));
		c->npeers++;
	}
	free(seen);
}

static void
parse_bgp(struct yctx *x, yaml_node_t *kn, yaml_node_t *v, struct conf *c)
{
	static const char *const keys[] = { "asn", "router-id", "mesh",
	    "graceful-restart", "peers", NULL };
	enum { K_ASN, K_ROUTER_ID, K_MESH, K_GR, K_PEERS };
	yaml_node_t	*seen[YMAP_NSEEN(keys)], *val;
	struct ymap	 it;
	int		 i;

	if (!ymap_init(x, &it, v, "bgp", keys, seen))
		return;
	while ((i = ymap_next(x, &it, &val)) != -1) {
		switch (i) {
		case K_ASN:
			get_asn(x, val, "asn", &c->asn);
			break;
		case K_ROUTER_ID:
			get_id(x, val, "router-id", &c->router_id);
			break;
		case K_MESH:
			parse_mesh(x, val, c);
			break;
		case K_GR:
			parse_gr(x, val, c);
			break;
		case K_PEERS:
			parse_peers(x, val, c);
			break;
		}
	}
	if (seen[K_ASN] == NULL)
		ymissing(x, kn, "asn", "bgp");
}

static void
parse_fib(struct yctx *x, yaml_node_t *v, struct conf *c)
{
	static const char *const keys[] = { "install", "table", "protocol",
	    "max-paths", "keep-on-exit", "blackhole-own-cidr",
	    "resolve-via-default", "reinstall-deleted", NULL };
	enum { K_INSTALL, K_TABLE, K_PROTOCOL, K_MAX_PATHS, K_KEEP,
	    K_BLACKHOLE, K_VIA_DEFAULT, K_REINSTALL };
	/* rtnetlink protocol numbers of other routing software */
	static const struct {
		uint32_t	 proto;
		const char	*owner;
	} taken[] = {
		{ 8, "gated" }, { 9, "ra" }, { 10, "mrt" }, { 11, "zebra" },
		{ 12, "bird" }, { 13, "dnrouted" }, { 14, "xorp" },
		{ 15, "ntk" }, { 16, "dhcp" }, { 17, "mrouted" },
		{ 18, "keepalived" }, { 42, "babel" }, { 99, "openr" },
		{ 186, "bgp" }, { 187, "isis" }, { 188, "ospf" },
		{ 189, "rip" }, { 192, "eigrp" },
	};
	const char	*twhat = "'main' or a table number between 1 and "
			    "4294967295";
	yaml_node_t	*seen[YMAP_NSEEN(keys)], *val;
	struct ymap	 it;
	uint64_t	 big;
	uint32_t	 n;
	size_t		 j;
	int		 i;

	if (!ymap_init(x, &it, v, "fib", keys, seen))
		return;
	while ((i = ymap_next(x, &it, &val)) != -1) {
		switch (i) {
		case K_TABLE:
			if (val->type == YAML_SCALAR_NODE &&
			    strcmp(ysval(val), "main") == 0) {
				c->fib_table = CONF_DEF_FIB_TABLE;
				break;
			}
			if (val->type != YAML_SCALAR_NODE ||
			    parse_num(ysval(val), &big) == -1 || big < 1 ||
			    big > UINT32_MAX) {
				yexpected(x, val, "table", twhat);
				break;
			}
			if (big == RT_TABLE_LOCAL) {
				yerr(x, &val->start_mark, "table 255 is the "
				    "kernel's local table; use 'main' or a "
				    "table of its own");
				break;
			}
			c->fib_table = (uint32_t)big;
			break;
		case K_PROTOCOL:
			if (get_uint(x, val, "protocol", 1, 255, &n) == -1)
				break;
			if (n <= 4) {
				yerr(x, &val->start_mark, "protocol %u is "
				    "reserved by the kernel: choose one from "
				    "5 to 255 (default %d)", n,
				    CONF_DEF_FIB_PROTOCOL);
				break;
			}
			for (j = 0; j < sizeof(taken) / sizeof(taken[0]); j++)
				if (taken[j].proto == n)
					break;
			if (j < sizeof(taken) / sizeof(taken[0])) {
				yerr(x, &val->start_mark, "protocol %u "
				    "belongs to %s: podbgpd would take over "
				    "its routes (default %d)", n,
				    taken[j].owner, CONF_DEF_FIB_PROTOCOL);
				break;
			}
			c->fib_protocol = n;
			break;
		case K_MAX_PATHS:
			get_uint(x, val, "max-paths", 1, 64, &c->max_paths);
			break;
		case K_INSTALL:
			get_bool(x, val, "install", &c->fib_install);
			break;
		case K_KEEP:
			get_bool(x, val, "keep-on-exit", &c->keep_on_exit);
			break;
		case K_BLACKHOLE:
			get_bool(x, val, "blackhole-own-cidr",
			    &c->blackhole_own_cidr);
			break;
		case K_VIA_DEFAULT:
			get_bool(x, val, "resolve-via-default",
			    &c->resolve_via_default);
			break;
		case K_REINSTALL:
			get_bool(x, val, "reinstall-deleted",
			    &c->reinstall_deleted);
			break;
		}
	}
}

static int
get_socket(struct yctx *x, const yaml_node_t *v, const char *key, char **out)
{
	struct sockaddr_un	sun;

	if (get_path(x, v, key, out) == -1)
		return -1;
	if (strlen(*out) >= sizeof(sun.sun_path)) {
		yerr(x, &v->start_mark, "'%s' is %zu bytes long, a unix "
		    "socket path can have at most %zu", key, strlen(*out),
		    sizeof(sun.sun_path) - 1);
		return -1;
	}
	return 0;
}

/* Permission bits as octal text: "0660", "660"; no setuid or sticky. */
static int
get_mode(struct yctx *x, const yaml_node_t *v, const char *key,
    uint32_t *out)
{
	const char	*what = "permission bits in octal like \"0660\"";
	const char	*s, *p;
	uint32_t	 m = 0;
	size_t		 len;

	if ((s = yget_scalar(x, v, key, what)) == NULL)
		return -1;
	len = strlen(s);
	if (len == 4 && s[0] == '0')
		s++;
	else if (len != 3)
		goto bad;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '7')
			goto bad;
		m = m << 3 | (uint32_t)(*p - '0');
	}
	*out = m;
	return 0;
bad:
	yexpected(x, v, key, what);
	return -1;
}

static void
parse_control(struct yctx *x, yaml_node_t *v, struct conf *c)
{
	static const char *const keys[] = { "socket", "mode", "group",
	    "read-only-socket", "read-only-mode", NULL };
	enum { K_SOCKET, K_MODE, K_GROUP, K_RO_SOCKET, K_RO_MODE };
	const char	*gwhat = "a group name";
	yaml_node_t	*seen[YMAP_NSEEN(keys)], *val;
	struct ymap	 it;
	const char	*s;
	int		 i;

	if (!ymap_init(x, &it, v, "control", keys, seen))
		return;
	while ((i = ymap_next(x, &it, &val)) != -1) {
		switch (i) {
		case K_SOCKET:
			get_socket(x, val, "socket", &c->ctl_socket);
			break;
		case K_MODE:
			get_mode(x, val, "mode", &c->ctl_mode);
			break;
		case K_GROUP:
			if ((s = yget_scalar(x, val, "group", gwhat)) == NULL)
				break;
			if (strlen(s) > 32 || s[0] == '-' ||
			    !all_chars(s, "-_.")) {
				yexpected(x, val, "group", gwhat);
				break;
			}
			set_str(x, s, &c->ctl_group);
			break;
		case K_RO_SOCKET:
			/* "" or null turns the read-only socket off */
			if (yis_null(val) || (val->type == YAML_SCALAR_NODE &&
			    val->data.scalar.length == 0)) {
				free(c->ro_socket);
				c->ro_socket = NULL;
				break;
			}
			get_socket(x, val, "read-only-socket", &c->ro_socket);
			break;
		case K_RO_MODE:
			get_mode(x, val, "read-only-mode", &c->ro_mode);
			break;
		}
	}
	if (c->ro_socket != NULL && c->ctl_socket != NULL &&
	    strcmp(c->ro_socket, c->ctl_socket) == 0)
		yerr(x, &(seen[K_RO_SOCKET] != NULL ? seen[K_RO_SOCKET] :
		    seen[K_SOCKET])->start_mark, "'read-only-socket' and "
		    "'socket' must be different paths");
}

static void
parse_log(struct yctx *x, yaml_node_t *v, struct conf *c)
{
	static const char *const keys[] = { "level", "destination", NULL };
	static const char *const levels[] = { "error", "warning", "info",
	    "debug", NULL };
	static const char *const dests[] = { "stderr", "syslog", NULL };
	yaml_node_t	*seen[YMAP_NSEEN(keys)], *val;
	struct ymap	 it;
	int		 i, e;

	if (!ymap_init(x, &it, v, "log", keys, seen))
		return;
	while ((i = ymap_next(x, &it, &val)) != -1) {
		if (i == 0) {
			if (get_enum(x, val, "level", levels, &e) == 0)
				c->log_level = (enum conf_log_level)e;
		} else if (get_enum(x, val, "destination", dests, &e) == 0)
			c->log_dest = (enum conf_log_dest)e;
	}
}

static void
parse_root(struct yctx *x, yaml_node_t *root, struct conf *c)
{
	static const char *const keys[] = { "node-name", "nodes",
	    "cluster-cidrs", "bgp", "fib", "control", "log",
	    "startup-timeout", NULL };
	enum { K_NODE_NAME, K_NODES, K_CIDRS, K_BGP, K_FIB, K_CONTROL,
	    K_LOG, K_STARTUP };
	const char	*nwhat = "a node name of lower-case letters, digits, "
			    "'-' and '.'";
	yaml_node_t	*seen[YMAP_NSEEN(keys)], *val;
	struct ymap	 it;
	const char	*s;
	int		 i;

	if (!ymap_init(x, &it, root, NULL, keys, seen))
		return;
	while ((i = ymap_next(x, &it, &val)) != -1) {
		switch (i) {
		case K_NODE_NAME:
			if ((s = yget_scalar(x, val, "node-name", nwhat)) ==
			    NULL)
				break;
			/* a DNS subdomain, as Kubernetes requires */
			if (strlen(s) > 253 || strpbrk(s,
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != NULL ||
			    !all_chars(s, "-.")) {
				yexpected(x, val, "node-name", nwhat);
				break;
			}
			set_str(x, s, &c->node_name);
			break;
		case K_NODES:
			parse_nodes(x, it.seen[K_NODES], val, c);
			break;
		case K_CIDRS:
			parse_cidrs(x, val, c);
			break;
		case K_BGP:
			parse_bgp(x, it.seen[K_BGP], val, c);
			break;
		case K_FIB:
			parse_fib(x, val, c);
			break;
		case K_CONTROL:
			parse_control(x, val, c);
			break;
		case K_LOG:
			parse_log(x, val, c);
			break;
		case K_STARTUP:
			get_uint(x, val, "startup-timeout", 0, 3600,
			    &c->startup_timeout);
			break;
		}
	}
	if (seen[K_BGP] == NULL)
		yerr(x, &root->start_mark, "missing required key 'bgp' at the "
		    "top level (it holds at least 'asn')");
}

static struct conf *
conf_new(void)
{
	struct conf	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->nodes_source = CONF_NODES_KUBERNETES;
	c->kube_page_size = CONF_DEF_KUBE_PAGE_SIZE;
	c->kube_watch_timeout = CONF_DEF_KUBE_WATCH_TIMEOUT;
	c->mesh_mode = CONF_MESH_NONE;
	c->restart_time = CONF_DEF_RESTART_TIME;
	c->stale_time = CONF_DEF_STALE_TIME;
	c->fib_table = CONF_DEF_FIB_TABLE;
	c->fib_protocol = CONF_DEF_FIB_PROTOCOL;
	c->max_paths = CONF_DEF_MAX_PATHS;
	c->keep_on_exit = true;
	c->fib_install = true;
	c->blackhole_own_cidr = false;
	c->resolve_via_default = true;
	c->reinstall_deleted = true;
	c->ctl_mode = CONF_DEF_CTL_MODE;
	c->ro_mode = CONF_DEF_RO_MODE;
	c->log_level = CONF_LOG_INFO;
	c->log_dest = CONF_LOG_STDERR;
	c->startup_timeout = CONF_DEF_STARTUP_TIMEOUT;
	c->reflector_label = strndup(CONF_DEF_REFLECTOR_LABEL,
	    strcspn(CONF_DEF_REFLECTOR_LABEL, "="));
	c->reflector_value = strdup(strchr(CONF_DEF_REFLECTOR_LABEL, '=') + 1);
	c->ctl_socket = strdup(CONF_DEF_CTL_SOCKET);
	c->ro_socket = strdup(CONF_DEF_RO_SOCKET);
	if (c->reflector_label == NULL || c->reflector_value == NULL ||
	    c->ctl_socket == NULL || c->ro_socket == NULL) {
		conf_free(c);
		return NULL;
	}
	return c;
}

void
conf_free(struct conf *c)
{
	size_t	i;

	if (c == NULL)
		return;
	free(c->node_name);
	free(c->kubeconfig);
	free(c->kube_context);
	free(c->nodes_file);
	free(c->cluster_cidrs);
	free(c->reflector_label);
	free(c->reflector_value);
	for (i = 0; i < c->npeers; i++)
		peer_fini(&c->peers[i]);
	free(c->peers);
	free(c->ctl_socket);
	free(c->ctl_group);
	free(c->ro_socket);
	free(c);
}


struct conf *
conf_load_buf(const char *name, const void *data, size_t len,
    struct conf_errors *errs)
{
	struct yctx	 x;
	yaml_document_t	 doc;
	yaml_node_t	*root;
	struct conf	*c;
	yaml_mark_t	 start = { 0, 0, 0 };

	memset(errs, 0, sizeof(*errs));
	memset(&x, 0, sizeof(x));
	x.file = name != NULL ? name : "(config)";
	x.errs = errs;
	if ((c = conf_new()) == NULL) {
		yerr(&x, NULL, "out of memory");
		return NULL;
	}
	if (yload_doc(&x, data, len, &doc, &root) == -1) {
		conf_free(c);
		return NULL;
	}
	if (root == NULL)
		yerr(&x, &start, "the configuration is empty: it needs at "
		    "least 'bgp' with 'asn'");
	else
		parse_root(&x, root, c);
	yaml_document_delete(&doc);
	yerrors_sort(errs);
	if (errs->n > 0 || errs->dropped > 0) {
		conf_free(c);
		return NULL;
	}
	return c;
}

struct conf *
conf_load(const char *path, struct conf_errors *errs)
{
	struct yctx	 x;
	struct conf	*c;
	char		*data;
	size_t		 len;

	memset(errs, 0, sizeof(*errs));
	memset(&x, 0, sizeof(x));
	x.file = path;
	x.errs = errs;
	if (yread_file(&x, path, &data, &len) == -1)
		return NULL;
	c = conf_load_buf(path, data, len, errs);
	free(data);
	return c;
}

void
conf_errors_print(FILE *f, const struct conf_errors *errs)
{
	size_t	i;

	for (i = 0; i < errs->n; i++)
		fprintf(f, "%s\n", errs->e[i].text);
	if (errs->dropped > 0)
		fprintf(f, "(%zu more error%s not shown)\n", errs->dropped,
		    errs->dropped == 1 ? "" : "s");
}

const struct conf_peer *
conf_peer_find(const struct conf *c, const struct ipaddr *addr)
{
	size_t	i;

	for (i = 0; i < c->npeers; i++)
		if (ipaddr_cmp(&c->peers[i].addr, addr) == 0)
			return &c->peers[i];
	return NULL;
}

static int
dup_str(char **dst, const char *src)
{
	*dst = NULL;
	if (src != NULL && (*dst = strdup(src)) == NULL)
		return -1;
	return 0;
}

static int
dup_mem(void *dstp, const void *src, size_t n, size_t size)
{
	void	**dst = dstp;

	*dst = NULL;
	if (n == 0 || src == NULL)
		return 0;
	if ((*dst = calloc(n, size)) == NULL)
		return -1;
	memcpy(*dst, src, n * size);
	return 0;
}

int
conf_peer_copy(struct conf_peer *dst, const struct conf_peer *src)
{
	*dst = *src;
	/* nothing of src's is owned until copied: a failure frees copies */
	dst->name = dst->description = dst->password_file = NULL;
	dst->password = NULL;
	dst->import.rules = dst->export.rules = NULL;
	dst->communities = NULL;
	dst->large_communities = NULL;
	if (dup_str(&dst->name, src->name) == -1 ||
	    dup_str(&dst->description, src->description) == -1 ||
	    dup_str(&dst->password_file, src->password_file) == -1 ||
	    dup_str(&dst->password, src->password) == -1 ||
	    dup_mem(&dst->import.rules, src->import.rules, src->import.nrules,
	    sizeof(*src->import.rules)) == -1 ||
	    dup_mem(&dst->export.rules, src->export.rules, src->export.nrules,
	    sizeof(*src->export.rules)) == -1 ||
	    dup_mem(&dst->communities, src->communities, src->ncommunities,
	    sizeof(*src->communities)) == -1 ||
	    dup_mem(&dst->large_communities, src->large_communities,
	    src->nlarge_communities, sizeof(*src->large_communities)) == -1) {
		conf_peer_clear(dst);
		return -1;
	}
	return 0;
}

void
conf_peer_clear(struct conf_peer *p)
{
	if (p == NULL)
		return;
	peer_fini(p);
	memset(p, 0, sizeof(*p));
}

/*
 * Writing. Strings are always double-quoted with escapes, so no value can
 * change meaning (a node named "true", a path with ": ") on the way back.
 */
static void
wstr(FILE *f, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	size_t			 n, i;

	fputc('"', f);
	while (*p != '\0') {
		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p++);
			continue;
		}
		if (*p < 0x80) {
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\x%02x", *p);
			else
				fputc(*p, f);
			p++;
			continue;
		}
		/* libyaml handed us valid UTF-8; decode to spot the code
		 * points its reader refuses raw or folds as line breaks */
		n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 1;
		cp = n == 4 ? *p & 0x07u : n == 3 ? *p & 0x0fu : *p & 0x1fu;
		for (i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				break;
			cp = cp << 6 | (p[i] & 0x3fu);
		}
		if (n == 1 || i < n) {
			fprintf(f, "\\x%02x", *p++);	/* not UTF-8 */
			continue;
		}
		if (cp < 0xa0 || cp == 0x2028 || cp == 0x2029 ||
		    cp == 0xfeff || cp == 0xfffe || cp == 0xffff)
			fprintf(f, "\\u%04x", (unsigned)cp);
		else
			fwrite(p, 1, n, f);
		p += n;
	}
	fputc('"', f);
}

/*
 * IPv4 addresses and prefixes go out plain; IPv6 ones quoted, since a
 * plain scalar may neither start nor end with ':' ("::1", "2001:db8::").
 */
static void
waddr(FILE *f, const char *s)
{
	fprintf(f, strchr(s, ':') != NULL ? "\"%s\"\n" : "%s\n", s);
}

static void
wkey_str(FILE *f, const char *indent, const char *key, const char *s)
{
	fprintf(f, "%s%s: ", indent, key);
	wstr(f, s);
	fputc('\n', f);
}

static const char *
wbool(bool b)
{
	return b ? "true" : "false";
}

static char *
id_fmt(uint32_t id, char *buf, size_t len)
{
	uint32_t	n = htonl(id);

	if (inet_ntop(AF_INET, &n, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

static void
write_filter(FILE *f, const char *key, const struct conf_filter *fl)
{
	char	t[PREFIX_STRLEN];
	size_t	i;

	fprintf(f, "      %s:\n", key);
	fprintf(f, "        allow-default: %s\n", wbool(fl->allow_default));
	if (fl->nrules == 0) {
		fprintf(f, "        rules: []\n");
		return;
	}
	fprintf(f, "        rules:\n");
	for (i = 0; i < fl->nrules; i++) {
		fprintf(f, "          - prefix: ");
		waddr(f, prefix_fmt(&fl->rules[i].prefix, t, sizeof(t)));
		fprintf(f, "            ge: %u\n", fl->rules[i].ge);
		fprintf(f, "            le: %u\n", fl->rules[i].le);
		fprintf(f, "            action: %s\n",
		    fl->rules[i].action == CONF_ACCEPT ? "accept" : "reject");
	}
}

static void
write_peer(FILE *f, const struct conf_peer *p)
{
	char	a[IPADDR_STRLEN];
	size_t	i;

	fprintf(f, "    - address: ");
	waddr(f, ipaddr_fmt(&p->addr, a, sizeof(a)));
	fprintf(f, "      asn: %u\n", p->asn);
	if (p->name != NULL)
		wkey_str(f, "      ", "name", p->name);
	if (p->description != NULL)
		wkey_str(f, "      ", "description", p->description);
	if (p->password_file != NULL)
		wkey_str(f, "      ", "password-file", p->password_file);
	fprintf(f, "      hold-time: %u\n", p->hold_time);
	fprintf(f, "      keepalive: %u\n", p->keepalive);
	fprintf(f, "      ttl-security: %s\n", wbool(p->ttl_security));
	if (p->multihop != 0)
		fprintf(f, "      multihop: %u\n", p->multihop);
	if (p->local_addr.family != 0) {
		fprintf(f, "      local-address: ");
		waddr(f, ipaddr_fmt(&p->local_addr, a, sizeof(a)));
	}
	if (p->port != 0)
		fprintf(f, "      port: %u\n", p->port);
	fprintf(f, "      passive: %s\n", wbool(p->passive));
	fprintf(f, "      graceful-restart: %s\n",
	    wbool(p->graceful_restart));
	write_filter(f, "import", &p->import);
	write_filter(f, "export", &p->export);
	if (p->max_prefixes != 0) {
		fprintf(f, "      max-prefixes:\n");
		fprintf(f, "        limit: %u\n", p->max_prefixes);
		fprintf(f, "        restart-time: %u\n",
		    p->max_prefixes_restart);
	}
	if (p->ncommunities == 0)
		fprintf(f, "      communities: []\n");
	else {
		fprintf(f, "      communities:\n");
		for (i = 0; i < p->ncommunities; i++)
			fprintf(f, "        - \"%u:%u\"\n",
			    p->communities[i].asn, p->communities[i].value);
	}
	if (p->nlarge_communities == 0)
		fprintf(f, "      large-communities: []\n");
	else {
		fprintf(f, "      large-communities:\n");
		for (i = 0; i < p->nlarge_communities; i++)
			fprintf(f, "        - \"%u:%u:%u\"\n",
			    p->large_communities[i].global,
			    p->large_communities[i].local1,
			    p->large_communities[i].local2);
	}
}

int
conf_write(FILE *f, const struct conf *c)
{
	static const char *const modes[] = { "none", "full-mesh",
	    "route-reflector" };
	static const char *const levels[] = { "error", "warning", "info",
	    "debug" };
	char	t[PREFIX_STRLEN];
	size_t	i;

	fprintf(f, "# podbgpd configuration, normalised: every default "
	    "written out\n");
	if (c->node_name != NULL)
		wkey_str(f, "", "node-name", c->node_name);
	fprintf(f, "nodes:\n");
	if (c->nodes_source == CONF_NODES_FILE) {
		fprintf(f, "  source: file\n");
		wkey_str(f, "  ", "file", c->nodes_file);
	} else {
		fprintf(f, "  source: kubernetes\n");
		if (c->kubeconfig != NULL)
			wkey_str(f, "  ", "kubeconfig", c->kubeconfig);
		if (c->kube_context != NULL)
			wkey_str(f, "  ", "context", c->kube_context);
		fprintf(f, "  page-size: %u\n", c->kube_page_size);
		fprintf(f, "  watch-timeout: %u\n", c->kube_watch_timeout);
	}
	if (c->ncluster_cidrs == 0)
		fprintf(f, "cluster-cidrs: []\n");
	else {
		fprintf(f, "cluster-cidrs:\n");
		for (i = 0; i < c->ncluster_cidrs; i++) {
			fprintf(f, "  - ");
			waddr(f, prefix_fmt(&c->cluster_cidrs[i], t,
			    sizeof(t)));
		}
	}
	fprintf(f, "bgp:\n");
	fprintf(f, "  asn: %u\n", c->asn);
	if (c->router_id != 0)
		fprintf(f, "  router-id: %s\n", id_fmt(c->router_id, t,
		    sizeof(t)));
	fprintf(f, "  mesh:\n");
	fprintf(f, "    mode: %s\n", modes[c->mesh_mode]);
	if (c->mesh_mode == CONF_MESH_RR) {
		fprintf(f, "    reflector-label: \"%s%s%s\"\n",
		    c->reflector_label, c->reflector_value != NULL ? "=" : "",
		    c->reflector_value != NULL ? c->reflector_value : "");
		if (c->cluster_id != 0)
			fprintf(f, "    cluster-id: %s\n", id_fmt(c->cluster_id,
			    t, sizeof(t)));
	}
	fprintf(f, "  graceful-restart:\n");
	fprintf(f, "    restart-time: %u\n", c->restart_time);
	fprintf(f, "    stale-time: %u\n", c->stale_time);
	if (c->npeers == 0)
		fprintf(f, "  peers: []\n");
	else {
		fprintf(f, "  peers:\n");
		for (i = 0; i < c->npeers; i++)
			write_peer(f, &c->peers[i]);
	}
	fprintf(f, "fib:\n");
	fprintf(f, "  install: %s\n", wbool(c->fib_install));
	if (c->fib_table == CONF_DEF_FIB_TABLE)
		fprintf(f, "  table: main\n");
	else
		fprintf(f, "  table: %u\n", c->fib_table);
	fprintf(f, "  protocol: %u\n", c->fib_protocol);
	fprintf(f, "  max-paths: %u\n", c->max_paths);
	fprintf(f, "  keep-on-exit: %s\n", wbool(c->keep_on_exit));
	fprintf(f, "  blackhole-own-cidr: %s\n", wbool(c->blackhole_own_cidr));
	fprintf(f, "  resolve-via-default: %s\n",
	    wbool(c->resolve_via_default));
	fprintf(f, "  reinstall-deleted: %s\n", wbool(c->reinstall_deleted));
	fprintf(f, "control:\n");
	wkey_str(f, "  ", "socket", c->ctl_socket);
	fprintf(f, "  mode: \"%04o\"\n", c->ctl_mode);
	if (c->ctl_group != NULL)
		wkey_str(f, "  ", "group", c->ctl_group);
	wkey_str(f, "  ", "read-only-socket",
	    c->ro_socket != NULL ? c->ro_socket : "");
	fprintf(f, "  read-only-mode: \"%04o\"\n", c->ro_mode);
	fprintf(f, "log:\n");
	fprintf(f, "  level: %s\n", levels[c->log_level]);
	fprintf(f, "  destination: %s\n",
	    c->log_dest == CONF_LOG_SYSLOG ? "syslog" : "stderr");
	fprintf(f, "startup-timeout: %u\n", c->startup_timeout);
	if (fflush(f) == EOF || ferror(f))
		return -1;
	return 0;
}

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
filter_eq(const struct conf_filter *a, const struct conf_filter *b)
{
	size_t	i;

	if (a->allow_default != b->allow_default || a->nrules != b->nrules)
		return false;
	for (i = 0; i < a->nrules; i++)
		if (!prefix_eq(&a->rules[i].prefix, &b->rules[i].prefix) ||
		    a->rules[i].ge != b->rules[i].ge ||
		    a->rules[i].le != b->rules[i].le ||
		    a->rules[i].action != b->rules[i].action)
			return false;
	return true;
}

static bool
addr_eq(const struct ipaddr *a, const struct ipaddr *b)
{
	if (a->family == 0 || b->family == 0)
		return a->family == b->family;
	return ipaddr_cmp(a, b) == 0;
}

/* What a running session depends on: a change means a restart. */
static bool
peer_session_eq(const struct conf_peer *a, const struct conf_peer *b)
{
	return addr_eq(&a->addr, &b->addr) && a->asn == b->asn &&
	    str_eq(a->password_file, b->password_file) &&
	    str_eq(a->password, b->password) &&
	    a->hold_time == b->hold_time && a->keepalive == b->keepalive &&
	    a->ttl_security == b->ttl_security &&
	    a->multihop == b->multihop &&
	    addr_eq(&a->local_addr, &b->local_addr) &&
	    a->port == b->port && a->passive == b->passive &&
	    a->graceful_restart == b->graceful_restart;
}

/* Policy and names: applied with a route refresh, no restart. */
static bool
peer_soft_eq(const struct conf_peer *a, const struct conf_peer *b)
{
	size_t	i;

	if (!str_eq(a->name, b->name) ||
	    !str_eq(a->description, b->description) ||
	    !filter_eq(&a->import, &b->import) ||
	    !filter_eq(&a->export, &b->export) ||
	    a->max_prefixes != b->max_prefixes ||
	    a->max_prefixes_restart != b->max_prefixes_restart ||
	    a->ncommunities != b->ncommunities ||
	    a->nlarge_communities != b->nlarge_communities)
		return false;
	for (i = 0; i < a->ncommunities; i++)
		if (a->communities[i].asn != b->communities[i].asn ||
		    a->communities[i].value != b->communities[i].value)
			return false;
	for (i = 0; i < a->nlarge_communities; i++)
		if (a->large_communities[i].global !=
		    b->large_communities[i].global ||
		    a->large_communities[i].local1 !=
		    b->large_communities[i].local1 ||
		    a->large_communities[i].local2 !=
		    b->large_communities[i].local2)
			return false;
	return true;
}

enum conf_peer_delta
conf_peer_compare(const struct conf_peer *a, const struct conf_peer *b)
{
	if (!peer_session_eq(a, b))
		return CONF_PEER_RESET;
	if (!peer_soft_eq(a, b))
		return CONF_PEER_SOFT;
	return CONF_PEER_SAME;
}

static unsigned
global_changes(const struct conf *a, const struct conf *b)
{
	unsigned	f = 0;
	size_t		i;

	if (!str_eq(a->node_name, b->node_name))
		f |= CONF_CH_NODE_NAME;
	if (a->nodes_source != b->nodes_source ||
	    !str_eq(a->kubeconfig, b->kubeconfig) ||
	    !str_eq(a->kube_context, b->kube_context) ||
	    a->kube_page_size != b->kube_page_size ||
	    a->kube_watch_timeout != b->kube_watch_timeout ||
	    !str_eq(a->nodes_file, b->nodes_file))
		f |= CONF_CH_NODES;
	if (a->ncluster_cidrs != b->ncluster_cidrs)
		f |= CONF_CH_CLUSTER_CIDRS;
	else
		for (i = 0; i < a->ncluster_cidrs; i++)
			if (!prefix_eq(&a->cluster_cidrs[i],
			    &b->cluster_cidrs[i]))
				f |= CONF_CH_CLUSTER_CIDRS;
	if (a->asn != b->asn)
		f |= CONF_CH_ASN;
	if (a->router_id != b->router_id)
		f |= CONF_CH_ROUTER_ID;
	if (a->mesh_mode != b->mesh_mode ||
	    !str_eq(a->reflector_label, b->reflector_label) ||
	    !str_eq(a->reflector_value, b->reflector_value) ||
	    a->cluster_id != b->cluster_id)
		f |= CONF_CH_MESH;
	if (a->restart_time != b->restart_time ||
	    a->stale_time != b->stale_time)
		f |= CONF_CH_GR;
	if (a->fib_table != b->fib_table ||
	    a->fib_protocol != b->fib_protocol ||
	    a->max_paths != b->max_paths ||
	    a->keep_on_exit != b->keep_on_exit ||
	    a->fib_install != b->fib_install ||
	    a->blackhole_own_cidr != b->blackhole_own_cidr ||
	    a->resolve_via_default != b->resolve_via_default ||
	    a->reinstall_deleted != b->reinstall_deleted)
		f |= CONF_CH_FIB;
	if (!str_eq(a->ctl_socket, b->ctl_socket) ||
	    a->ctl_mode != b->ctl_mode || !str_eq(a->ctl_group, b->ctl_group) ||
	    !str_eq(a->ro_socket, b->ro_socket) || a->ro_mode != b->ro_mode)
		f |= CONF_CH_CONTROL;
	if (a->log_level != b->log_level || a->log_dest != b->log_dest)
		f |= CONF_CH_LOG;
	return f;
}

bool
conf_equal(const struct conf *a, const struct conf *b)
{
	size_t	i;

	if (global_changes(a, b) != 0 || a->npeers != b->npeers ||
	    a->startup_timeout != b->startup_timeout)
		return false;
	for (i = 0; i < a->npeers; i++)
		if (!peer_session_eq(&a->peers[i], &b->peers[i]) ||
		    !peer_soft_eq(&a->peers[i], &b->peers[i]))
			return false;
	return true;
}

struct conf_diff *
conf_diff(const struct conf *old, const struct conf *new)
{
	struct conf_diff	*d;
	const struct conf_peer	*o, *n;
	size_t			 i;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->flags = global_changes(old, new);
	d->added = calloc(new->npeers + 1, sizeof(*d->added));
	d->removed = calloc(old->npeers + 1, sizeof(*d->removed));
	d->changed = calloc(new->npeers + 1, sizeof(*d->changed));
	if (d->added == NULL || d->removed == NULL || d->changed == NULL) {
		conf_diff_free(d);
		return NULL;
	}
	for (i = 0; i < new->npeers; i++) {
		n = &new->peers[i];
		if ((o = conf_peer_find(old, &n->addr)) == NULL)
			d->added[d->nadded++] = n;
		else if (!peer_session_eq(o, n) || !peer_soft_eq(o, n)) {
			d->changed[d->nchanged].old = o;
			d->changed[d->nchanged].new = n;
			d->changed[d->nchanged++].reset =
			    !peer_session_eq(o, n);
		}
	}
	for (i = 0; i < old->npeers; i++)
		if (conf_peer_find(new, &old->peers[i].addr) == NULL)
			d->removed[d->nremoved++] = &old->peers[i];
	return d;
}

void
conf_diff_free(struct conf_diff *d)
{
	if (d == NULL)
		return;
	free(d->added);
	free(d->removed);
	free(d->changed);
	free(d);
}

bool
conf_diff_empty(const struct conf_diff *d)
{
	return d->flags == 0 && d->nadded == 0 && d->nremoved == 0 &&
	    d->nchanged == 0;
}

int
conf_state_path(const char *socket, char *dst, size_t len)
{
	const char	*base, *dot;
	size_t		 keep;
	int		 n;

	if (socket == NULL || *socket == '\0')
		return -1;
	base = strrchr(socket, '/');
	base = base != NULL ? base + 1 : socket;
	if (*base == '\0')
		return -1;
	/* a leading dot starts a hidden name, not a suffix */
	dot = strrchr(base, '.');
	keep = dot != NULL && dot != base && strcmp(dot, ".state") != 0 ?
	    (size_t)(dot - socket) : strlen(socket);
	if (keep > INT_MAX)
		return -1;
	n = snprintf(dst, len, "%.*s.state", (int)keep, socket);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return 0;
}
