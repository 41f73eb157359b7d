/*
 * kube_node: NodeList pages and watch events, read as a stream of libyaml
 * events. Nothing but the fields node.h keeps is stored: the bulk of a
 * Node (images, conditions, managedFields) is skipped event by event, so
 * memory stays proportional to what podbgp uses, not to the document.
 *
 * JSON keys come in any order: a node's fields are gathered first and the
 * record is finished (name set, pod CIDRs chosen, validated) at the end of
 * its object; a watch event's type may follow its object, so an object is
 * read the same way whatever the type turns out to be.
 *
 * libyaml reads YAML 1.1, which is not quite a superset of JSON. What the
 * API server can send and libyaml refuses or changes is rewritten into
 * YAML escapes before parsing (see prescan()); the rest of the difference
 * (keys longer than 1024 characters) cannot occur in a Node.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "kube_node.h"

/* Deeper nesting is refused: libyaml's cost grows with it per token. */
#define KUBE_DEPTH_MAX	64
/* The longest escape prescan() writes: "\U0001F600". */
#define ESC_MAX		10

struct jp {
	yaml_parser_t	 yp;
	yaml_event_t	 ev;
	bool		 have;		/* ev is to be deleted */
	bool		 failed;	/* err is set */
	size_t		 len;		/* of the input */
	char		*err;
	size_t		 errlen;
};

static void	jerr(struct jp *, const yaml_mark_t *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* The first error wins; m NULL: no place. Always leaves failed set. */
static void
jerr(struct jp *j, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list	ap;
	int	o = 0;

	if (j->failed)
		return;
	j->failed = true;
	/* libyaml puts the end of a line-less input on a line of its own */
	if (m != NULL && m->index >= j->len)
		o = snprintf(j->err, j->errlen, "byte %zu (the end): ",
		    m->index);
	else if (m != NULL)
		o = snprintf(j->err, j->errlen, "byte %zu (line %zu, column "
		    "%zu): ", m->index, m->line + 1, m->column + 1);
	if (o < 0 || (size_t)o >= j->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(j->err + o, j->errlen - (size_t)o, fmt, ap);
	va_end(ap);
}

static void
jproblem(struct jp *j)
{
	yaml_mark_t	m;

	switch (j->yp.error) {
	case YAML_MEMORY_ERROR:
		jerr(j, NULL, "out of memory");
		break;
	case YAML_READER_ERROR:
		memset(&m, 0, sizeof(m));
		m.index = j->yp.problem_offset;
		snprintf(j->err, j->errlen, "byte %zu: cannot read JSON: %s",
		    m.index, j->yp.problem != NULL ? j->yp.problem :
		    "unknown error");
		j->failed = true;
		break;
	default:
		jerr(j, &j->yp.problem_mark, "JSON syntax error: %s%s%s",
		    j->yp.problem != NULL ? j->yp.problem : "unknown error",
		    j->yp.context != NULL ? " " : "",
		    j->yp.context != NULL ? j->yp.context : "");
		break;
	}
}

/* The next event into j->ev; -1 (error set) on a syntax error. */
static int
jnext(struct jp *j)
{
	if (j->have) {
		yaml_event_delete(&j->ev);
		j->have = false;
	}
	if (j->failed)
		return -1;
	if (!yaml_parser_parse(&j->yp, &j->ev)) {
		jproblem(j);
		return -1;
	}
	j->have = true;
	if (j->ev.type == YAML_ALIAS_EVENT) {
		jerr(j, &j->ev.start_mark, "an alias is not JSON");
		return -1;
	}
	return 0;
}

/* The current event starts a value: consumes all of it. */
static int
jskip(struct jp *j)
{
	size_t	depth;

	if (j->ev.type == YAML_SCALAR_EVENT)
		return 0;
	if (j->ev.type != YAML_MAPPING_START_EVENT &&
	    j->ev.type != YAML_SEQUENCE_START_EVENT) {
		jerr(j, &j->ev.start_mark, "expected a value");
		return -1;
	}
	for (depth = 1; depth > 0;) {
		if (jnext(j) == -1)
			return -1;
		switch (j->ev.type) {
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			depth++;
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* JSON's null; YAML's other spellings of it are taken too. */
static bool
jis_null(const yaml_event_t *ev)
{
	const char	*s;

	if (ev->type != YAML_SCALAR_EVENT ||
	    ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	s = (const char *)ev->data.scalar.value;
	return *s == '\0' || strcmp(s, "null") == 0 || strcmp(s, "~") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/*
 * Steps to the next key of the mapping being read: 1 with *key pointing
 * into the event (valid until the next jnext()), 0 at its end, -1 after an
 * error.
 */
static int
jkey(struct jp *j, const char **key)
{
	if (jnext(j) == -1)
		return -1;
	if (j->ev.type == YAML_MAPPING_END_EVENT)
		return 0;
	if (j->ev.type != YAML_SCALAR_EVENT) {
		jerr(j, &j->ev.start_mark, "expected a key (a string)");
		return -1;
	}
	*key = (const char *)j->ev.data.scalar.value;
	return 1;
}

/* Takes the current scalar's text out of the event: the caller frees it. */
static char *
jsteal(struct jp *j)
{
	char	*s = (char *)j->ev.data.scalar.value;

	j->ev.data.scalar.value = NULL;	/* yaml_event_delete() skips it */
	return s;
}

/* A scalar holding text that C can use: no "\u0000" in it. */
static bool
jis_text(const yaml_event_t *ev)
{
	return ev->type == YAML_SCALAR_EVENT && !jis_null(ev) &&
	    strlen((const char *)ev->data.scalar.value) ==
	    ev->data.scalar.length;
}

/* What one object gave, before it becomes a node or a status. */
struct kobj {
	struct node	*n;		/* named "" until kobj_finish() */
	char		*name;
	char		*rv;
	char		*kind;
	char		 why[KUBE_ERR_LEN];	/* the first bad value */
	uint64_t	 created;
	char		*pod_cidr;		/* spec.podCIDR */
	char		*pod_cidrs[NODE_CIDRS_MAX + 1];	/* spec.podCIDRs */
	size_t		 npod_cidrs;
	bool		 has_pod_cidrs;
	bool		 bad_name;
	/* a Status */
	long		 code;
	char		*message;
	char		*reason;
};

static void	kbad(struct kobj *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Records the first bad value of the object: the node will be skipped. */
static void
kbad(struct kobj *k, const char *fmt, ...)
{
	va_list	ap;

	if (k->why[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(k->why, sizeof(k->why), fmt, ap);
	va_end(ap);
	if (k->why[0] == '\0')
		snprintf(k->why, sizeof(k->why), "bad value");
}

/* A setter's message without its "node '': " (the name comes later). */
static void
kbad_setter(struct kobj *k, const char *err)
{
	static const char	unnamed[] = "node '': ";

	if (strncmp(err, unnamed, sizeof(unnamed) - 1) == 0)
		err += sizeof(unnamed) - 1;
	kbad(k, "%s", err);
}

/* node_validate()'s message without its "node 'NAME': ". */
static void
kbad_named(struct kobj *k, const char *err)
{
	size_t	len = strlen(k->name);

	if (strncmp(err, "node '", 6) == 0 &&
	    strncmp(err + 6, k->name, len) == 0 &&
	    strncmp(err + 6 + len, "': ", 3) == 0)
		err += 6 + len + 3;
	kbad(k, "%s", err);
}

static int
kobj_init(struct kobj *k)
{
	memset(k, 0, sizeof(*k));
	if ((k->n = node_new("")) == NULL)
		return -1;
	return 0;
}

static void
kobj_fini(struct kobj *k)
{
	size_t	i;

	node_free(k->n);
	free(k->name);
	free(k->rv);
	free(k->kind);
	free(k->pod_cidr);
	for (i = 0; i < k->npod_cidrs; i++)
		free(k->pod_cidrs[i]);
	free(k->message);
	free(k->reason);
	memset(k, 0, sizeof(*k));
}

/*
 * The current event is a value that should be text: stores a copy in *dst
 * (replacing any), NULL for null. Anything else is a bad value of the
 * node named by what, and is skipped.
 */
static int
ktext(struct jp *j, struct kobj *k, char **dst, const char *what)
{
	if (jis_null(&j->ev)) {
		free(*dst);
		*dst = NULL;
		return 0;
	}
	if (!jis_text(&j->ev)) {
		kbad(k, "%s is not a string", what);
		return jskip(j);
	}
	free(*dst);
	*dst = jsteal(j);
	return 0;
}

static bool
leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* n decimal digits at s. */
static int
digits(const char *s, size_t n, unsigned *v)
{
	size_t	i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

/*
 * RFC 3339 date-time ("2024-05-01T10:00:00Z", fractions and offsets
 * allowed) into seconds since the epoch, computed here: no time zone or
 * locale of the process takes part. Before 1970 is refused.
 */
static int
parse_time(const char *s, uint64_t *out)
{
	static const unsigned	mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31,
				    30, 31, 30, 31 };
	unsigned	y, mo, d, h, mi, sec, oh = 0, om = 0, dim;
	uint64_t	days, t, yy;
	int		sign = 0;

	if (strlen(s) < 20 || digits(s, 4, &y) == -1 || s[4] != '-' ||
	    digits(s + 5, 2, &mo) == -1 || s[7] != '-' ||
	    digits(s + 8, 2, &d) == -1 || strchr("Tt ", s[10]) == NULL ||
	    digits(s + 11, 2, &h) == -1 || s[13] != ':' ||
	    digits(s + 14, 2, &mi) == -1 || s[16] != ':' ||
	    digits(s + 17, 2, &sec) == -1)
		return -1;
	s += 19;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
		if (s[-1] == '.')
			return -1;
	}
	if (*s == 'Z' || *s == 'z')
		s++;
	else if (*s == '+' || *s == '-') {
		sign = *s == '+' ? 1 : -1;
		if (digits(s + 1, 2, &oh) == -1 || s[3] != ':' ||
		    digits(s + 4, 2, &om) == -1 || oh > 23 || om > 59)
			return -1;
		s += 6;
	} else
		return -1;
	if (*s != '\0' || y < 1970 || mo < 1 || mo > 12 || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	dim = mdays[mo - 1] + (mo == 2 && leap(y));
	if (d < 1 || d > dim)
		return -1;
	/* days since 1970-01-01 of a March-based year (no leap day inside) */
	yy = y - (mo <= 2);
	days = 365 * yy + yy / 4 - yy / 100 + yy / 400 +
	    (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1 - 719468;
	t = days * 86400 + (uint64_t)h * 3600 + mi * 60 + sec;
	if (sign > 0) {
		if (t < (uint64_t)oh * 3600 + om * 60)
			return -1;
		t -= (uint64_t)oh * 3600 + om * 60;
	} else if (sign < 0)
		t += (uint64_t)oh * 3600 + om * 60;
	*out = t;
	return 0;
}

typedef int	(*set_fn)(struct node *, const char *, const char *, char *,
		    size_t);

/* metadata.labels or .annotations: an object of strings, or null. */
static int
parse_kv(struct jp *j, struct kobj *k, const char *what, set_fn set)
{
	char		*key, err[NODE_ERR_LEN];
	const char	*kp;
	int		 r;

	if (jis_null(&j->ev))
		return 0;
	if (j->ev.type != YAML_MAPPING_START_EVENT) {
		kbad(k, "metadata.%s is not an object", what);
		return jskip(j);
	}
	while ((r = jkey(j, &kp)) == 1) {
		if (!jis_text(&j->ev)) {
			kbad(k, "metadata.%s has a key that is not text",
			    what);
			if (jnext(j) == -1 || jskip(j) == -1)
				return -1;
			continue;
		}
		key = jsteal(j);
		if (jnext(j) == -1) {
			free(key);
			return -1;
		}
		if (jis_null(&j->ev) || jis_text(&j->ev)) {
			if (k->why[0] == '\0' && set(k->n, key,
			    jis_null(&j->ev) ? "" :
			    (const char *)j->ev.data.scalar.value, err,
			    sizeof(err)) == -1)
				kbad_setter(k, err);
		} else {
			kbad(k, "metadata.%s: the value of '%.64s' is not a "
			    "string", what, key);
			if (jskip(j) == -1) {
				free(key);
				return -1;
			}
		}
		free(key);
	}
	return r;
}

static int
parse_metadata(struct jp *j, struct kobj *k)
{
	const char	*key;
	char		*ts = NULL;
	int		 r;

	if (jis_null(&j->ev))
		return 0;
	if (j->ev.type != YAML_MAPPING_START_EVENT) {
		kbad(k, "metadata is not an object");
		return jskip(j);
	}
	while ((r = jkey(j, &key)) == 1) {
		if (strcmp(key, "name") == 0) {
			if (jnext(j) == -1 ||
			    ktext(j, k, &k->name, "metadata.name") == -1)
				return -1;
		} else if (strcmp(key, "resourceVersion") == 0) {
			if (jnext(j) == -1 || ktext(j, k, &k->rv,
			    "metadata.resourceVersion") == -1)
				return -1;
		} else if (strcmp(key, "creationTimestamp") == 0) {
			if (jnext(j) == -1 || ktext(j, k, &ts,
			    "metadata.creationTimestamp") == -1)
				return -1;
			if (ts != NULL && parse_time(ts, &k->created) == -1)
				kbad(k, "metadata.creationTimestamp \"%.40s\" "
				    "is not an RFC 3339 time after 1970", ts);
			free(ts);
			ts = NULL;
		} else if (strcmp(key, "labels") == 0) {
			if (jnext(j) == -1 ||
			    parse_kv(j, k, "labels", node_set_label) == -1)
				return -1;
		} else if (strcmp(key, "annotations") == 0) {
			if (jnext(j) == -1 || parse_kv(j, k, "annotations",
			    node_set_annotation) == -1)
				return -1;
		} else if (jnext(j) == -1 || jskip(j) == -1)
			return -1;
	}
	return r;
}

/* spec.podCIDRs: a list of strings, or null. */
static int
parse_pod_cidrs(struct jp *j, struct kobj *k)
{
	size_t	i;

	for (i = 0; i < k->npod_cidrs; i++)
		free(k->pod_cidrs[i]);
	k->npod_cidrs = 0;
	k->has_pod_cidrs = false;
	if (jis_null(&j->ev))
		return 0;
	if (j->ev.type != YAML_SEQUENCE_START_EVENT) {
		kbad(k, "spec.podCIDRs is not a list");
		return jskip(j);
	}
	k->has_pod_cidrs = true;
	for (;;) {
		if (jnext(j) == -1)
			return -1;
		if (j->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if (!jis_text(&j->ev)) {
			kbad(k, "spec.podCIDRs has an entry that is not a "
			    "string");
			if (jskip(j) == -1)
				return -1;
		} else if (k->npod_cidrs == NODE_CIDRS_MAX)
			kbad(k, "spec.podCIDRs has more than %d entries",
			    NODE_CIDRS_MAX);
		else
			k->pod_cidrs[k->npod_cidrs++] = jsteal(j);
	}
}

static int
parse_spec(struct jp *j, struct kobj *k)
{
	const char	*key;
	int		 r;

	if (jis_null(&j->ev))
		return 0;
	if (j->ev.type != YAML_MAPPING_START_EVENT) {
		kbad(k, "spec is not an object");
		return jskip(j);
	}
	while ((r = jkey(j, &key)) == 1) {
		if (strcmp(key, "podCIDR") == 0) {
			if (jnext(j) == -1 || ktext(j, k, &k->pod_cidr,
			    "spec.podCIDR") == -1)
				return -1;
		} else if (strcmp(key, "podCIDRs") == 0) {
			if (jnext(j) == -1 || parse_pod_cidrs(j, k) == -1)
				return -1;
		} else if (jnext(j) == -1 || jskip(j) == -1)
			return -1;
	}
	return r;
}

/* One entry of status.addresses: {"type": ..., "address": ...}. */
static int
parse_address(struct jp *j, struct kobj *k)
{
	const char	*key;
	char		*type = NULL, *addr = NULL, err[NODE_ERR_LEN];
	int		 r;

	if (j->ev.type != YAML_MAPPING_START_EVENT) {
		kbad(k, "status.addresses has an entry that is not an object");
		return jskip(j);
	}
	while ((r = jkey(j, &key)) == 1) {
		if (strcmp(key, "type") == 0)
			r = jnext(j) == -1 ? -1 : ktext(j, k, &type,
			    "status.addresses[].type");
		else if (strcmp(key, "address") == 0)
			r = jnext(j) == -1 ? -1 : ktext(j, k, &addr,
			    "status.addresses[].address");
		else
			r = jnext(j) == -1 ? -1 : jskip(j);
		if (r == -1)
			break;
	}
	if (r == 0 && type != NULL && strcmp(type, "InternalIP") == 0) {
		if (addr == NULL)
			kbad(k, "an InternalIP without an address");
		else if (k->why[0] == '\0' &&
		    node_add_address(k->n, addr, err, sizeof(err)) == -1)
			kbad_setter(k, err);
	}
	free(type);
	free(addr);
	return r;
}

static int
parse_status(struct jp *j, struct kobj *k)
{
	const char	*key;
	int		 r;

	/* a Status object's "status" is a string ("Failure") */
	if (j->ev.type != YAML_MAPPING_START_EVENT)
		return jskip(j);
	while ((r = jkey(j, &key)) == 1) {
		if (strcmp(key, "addresses") != 0) {
			if (jnext(j) == -1 || jskip(j) == -1)
				return -1;
			continue;
		}
		if (jnext(j) == -1)
			return -1;
		if (jis_null(&j->ev))
			continue;
		if (j->ev.type != YAML_SEQUENCE_START_EVENT) {
			kbad(k, "status.addresses is not a list");
			if (jskip(j) == -1)
				return -1;
			continue;
		}
		for (;;) {
			if (jnext(j) == -1)
				return -1;
			if (j->ev.type == YAML_SEQUENCE_END_EVENT)
				break;
			if (parse_address(j, k) == -1)
				return -1;
		}
	}
	return r;
}

/* A Status's code: a number. */
static int
parse_code(struct jp *j, struct kobj *k)
{
	const char	*s;
	char		*end;
	long		 v;

	if (j->ev.type != YAML_SCALAR_EVENT)
		return jskip(j);
	s = (const char *)j->ev.data.scalar.value;
	v = strtol(s, &end, 10);
	if (*s != '\0' && *end == '\0' && v >= 0 && v <= 999)
		k->code = v;
	return 0;
}

/*
 * One object, a Node or a Status: the current event must start a mapping
 * (the caller checked). Returns 0 at its end, -1 after a document error.
 */
static int
parse_object(struct jp *j, struct kobj *k)
{
	const char	*key;
	int		 r;

	while ((r = jkey(j, &key)) == 1) {
		if (strcmp(key, "metadata") == 0)
			r = jnext(j) == -1 ? -1 : parse_metadata(j, k);
		else if (strcmp(key, "spec") == 0)
			r = jnext(j) == -1 ? -1 : parse_spec(j, k);
		else if (strcmp(key, "status") == 0)
			r = jnext(j) == -1 ? -1 : parse_status(j, k);
		else if (strcmp(key, "kind") == 0)
			r = jnext(j) == -1 ? -1 : ktext(j, k, &k->kind,
			    "kind");
		else if (strcmp(key, "code") == 0)
			r = jnext(j) == -1 ? -1 : parse_code(j, k);
		else if (strcmp(key, "message") == 0)
			r = jnext(j) == -1 ? -1 : ktext(j, k, &k->message,
			    "message");
		else if (strcmp(key, "reason") == 0)
			r = jnext(j) == -1 ? -1 : ktext(j, k, &k->reason,
			    "reason");
		else
			r = jnext(j) == -1 ? -1 : jskip(j);
		if (r == -1)
			return -1;
	}
	return r;
}

/*
 * Makes the node of the object: named, with its pod CIDRs, checked. *out
 * gets the node (taken out of k), or NULL with k->why set. Returns -1
 * only when out of memory.
 */
static int
kobj_finish(struct kobj *k, struct node **out)
{
	char	 err[NODE_ERR_LEN], *nm;
	size_t	 i;

	*out = NULL;
	if (k->name == NULL) {
		kbad(k, "no metadata.name");
		return 0;
	}
	if (!node_name_valid(k->name)) {
		k->bad_name = true;
		kbad(k, "the name is not a DNS-1123 subdomain (at most 253 "
		    "lower-case letters, digits, '-' and '.')");
		return 0;
	}
	if (k->why[0] != '\0')
		return 0;
	/* podCIDRs is the dual-stack form; podCIDR is its first entry */
	if (k->has_pod_cidrs && k->npod_cidrs > 0) {
		for (i = 0; i < k->npod_cidrs; i++)
			if (node_add_pod_cidr(k->n, k->pod_cidrs[i], err,
			    sizeof(err)) == -1) {
				kbad_setter(k, err);
				return 0;
			}
	} else if (k->pod_cidr != NULL && node_add_pod_cidr(k->n, k->pod_cidr,
	    err, sizeof(err)) == -1) {
		kbad_setter(k, err);
		return 0;
	}
	if ((nm = strdup(k->name)) == NULL)
		return -1;
	free(k->n->name);
	k->n->name = nm;
	k->n->seq = k->created;
	if (node_validate(k->n, err, sizeof(err)) == -1) {
		/* annotations that disagree, or a setter let one by */
		kbad_named(k, err);
		return 0;
	}
	*out = k->n;
	k->n = NULL;
	return 0;
}

/*
 * What libyaml refuses or changes in JSON the API server sends, all inside
 * strings: raw DEL, C1 controls, U+FFFE and U+FFFF (not YAML-printable:
 * refused); raw NEL, U+2028, U+2029 (YAML line breaks: folded to a space);
 * UTF-16 surrogate escapes (refused). Each has a YAML escape of the same
 * meaning; a lone surrogate becomes U+FFFD, as Go's decoder makes it.
 */
static size_t
raw_fix(const unsigned char *d, size_t len, size_t i, unsigned *cp)
{
	if (d[i] == 0x7f) {
		*cp = 0x7f;
		return 1;
	}
	if (d[i] == 0xc2 && i + 1 < len && d[i + 1] >= 0x80 &&
	    d[i + 1] <= 0x9f) {
		*cp = d[i + 1];
		return 2;
	}
	if (d[i] == 0xef && i + 2 < len && d[i + 1] == 0xbf &&
	    (d[i + 2] == 0xbe || d[i + 2] == 0xbf)) {
		*cp = 0xfff0 | (d[i + 2] & 0x0f);	/* U+FFFE, U+FFFF */
		return 3;
	}
	if (d[i] == 0xe2 && i + 2 < len && d[i + 1] == 0x80 &&
	    (d[i + 2] == 0xa8 || d[i + 2] == 0xa9)) {
		*cp = 0x2000 | (d[i + 2] - 0x80);	/* U+2028, U+2029 */
		return 3;
	}
	return 0;
}

static int
hex4(const unsigned char *d, size_t len, size_t i, unsigned *v)
{
	size_t	k;
	int	c;

	if (i + 4 > len)
		return -1;
	*v = 0;
	for (k = i; k < i + 4; k++) {
		c = d[k];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return -1;
		*v = *v << 4 | (unsigned)c;
	}
	return 0;
}

/* "\uD83D\uDE00" at d + i: its length and the code point, or 0. */
static size_t
surrogate_fix(const unsigned char *d, size_t len, size_t i, unsigned *cp)
{
	unsigned	hi, lo;

	if (i + 6 > len || d[i] != '\\' || d[i + 1] != 'u' ||
	    hex4(d, len, i + 2, &hi) == -1 || hi < 0xd800 || hi > 0xdfff)
		return 0;
	if (hi <= 0xdbff && i + 12 <= len && d[i + 6] == '\\' &&
	    d[i + 7] == 'u' && hex4(d, len, i + 8, &lo) == 0 &&
	    lo >= 0xdc00 && lo <= 0xdfff) {
		*cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
		return 12;
	}
	*cp = 0xfffd;
	return 6;
}

/*
 * One pass over the input: refuses nesting deeper than KUBE_DEPTH_MAX and
 * tells whether a string holds something raw_fix() or surrogate_fix()
 * rewrites. With out non-NULL, writes the rewritten text there and its
 * length in *outlen: a rewrite turns at least one byte into at most
 * ESC_MAX, so 6 * len + 1 bytes are room enough.
 */
static int
prescan(const unsigned char *d, size_t len, unsigned char *out,
    size_t *outlen, bool *fix, size_t *bad_at)
{
	static const bool	outside[256] = { ['"'] = true, ['['] = true,
				    [']'] = true, ['{'] = true, ['}'] = true };
	size_t		i, n, o = 0, depth = 0;
	unsigned	cp;
	bool		in_str = false;

	*fix = false;
	for (i = 0; i < len;) {
		/* most bytes are plain: step over them in a tight loop */
		if (out == NULL) {
			if (in_str)
				while (i < len && d[i] != '"' && d[i] != '\\' &&
				    d[i] < 0x7f)
					i++;
			else
				while (i < len && !outside[d[i]])
					i++;
			if (i == len)
				break;
		}
		if (!in_str) {
			switch (d[i]) {
			case '"':
				in_str = true;
				break;
			case '[':
			case '{':
				if (++depth > KUBE_DEPTH_MAX) {
					*bad_at = i;
					return -1;
				}
				break;
			case ']':
			case '}':
				if (depth > 0)
					depth--;
				break;
			}
		} else if (d[i] == '"')
			in_str = false;
		else if (d[i] == '\\' || d[i] >= 0x7f) {
			n = d[i] == '\\' ? surrogate_fix(d, len, i, &cp) :
			    raw_fix(d, len, i, &cp);
			if (n > 0) {
				*fix = true;
				if (out != NULL)
					o += (size_t)snprintf((char *)out + o,
					    ESC_MAX + 1, cp > 0xffff ?
					    "\\U%08X" : "\\u%04X", cp);
				i += n;
				continue;
			}
			if (d[i] == '\\') {	/* an escape: both bytes */
				if (out != NULL)
					out[o++] = d[i];
				i++;
				if (i == len)
					break;
			}
		}
		if (out != NULL)
			out[o++] = d[i];
		i++;
	}
	if (outlen != NULL)
		*outlen = o;
	return 0;
}

/*
 * Sets up j over data, rewritten into *copy if need be (the caller frees
 * it after the parse). -1 with the error set.
 */
static int
jopen(struct jp *j, const void *data, size_t len, unsigned char **copy,
    char *err, size_t errlen)
{
	size_t	bad_at, clen;
	bool	fix;

	memset(j, 0, sizeof(*j));
	j->err = err;
	j->errlen = errlen;
	*copy = NULL;
	if (errlen > 0)
		err[0] = '\0';
	if (prescan(data, len, NULL, NULL, &fix, &bad_at) == -1) {
		snprintf(err, errlen, "byte %zu: objects and lists nested "
		    "deeper than %d levels", bad_at, KUBE_DEPTH_MAX);
		j->failed = true;
		return -1;
	}
	if (fix) {
		/* 1 byte becomes at most 6 ("\u007F"); see prescan() */
		if (len > SIZE_MAX / 6 || (*copy = malloc(len * 6 + 1)) ==
		    NULL) {
			snprintf(err, errlen, "out of memory");
			j->failed = true;
			return -1;
		}
		prescan(data, len, *copy, &clen, &fix, &bad_at);
		data = *copy;
		len = clen;
	}
	if (!yaml_parser_initialize(&j->yp)) {
		free(*copy);
		*copy = NULL;
		snprintf(err, errlen, "out of memory");
		j->failed = true;
		return -1;
	}
	j->len = len;
	yaml_parser_set_input_string(&j->yp, data, len);
	yaml_parser_set_encoding(&j->yp, YAML_UTF8_ENCODING);
	return 0;
}

static void
jclose(struct jp *j, unsigned char *copy)
{
	if (j->have)
		yaml_event_delete(&j->ev);
	j->have = false;
	yaml_parser_delete(&j->yp);
	free(copy);
}

/*
 * Steps over STREAM_START and DOCUMENT_START to the top-level value,
 * which must be an object.
 */
static int
jtop(struct jp *j)
{
	do {
		if (jnext(j) == -1)
			return -1;
	} while (j->ev.type == YAML_STREAM_START_EVENT ||
	    j->ev.type == YAML_DOCUMENT_START_EVENT);
	if (j->ev.type == YAML_STREAM_END_EVENT) {
		jerr(j, &j->ev.start_mark, "empty document: expected a JSON "
		    "object");
		return -1;
	}
	if (j->ev.type != YAML_MAPPING_START_EVENT) {
		jerr(j, &j->ev.start_mark, "expected a JSON object");
		return -1;
	}
	return 0;
}

/* After the top-level object: nothing but the end of the stream. */
static int
jend(struct jp *j)
{
	if (jnext(j) == -1)
		return -1;
	if (j->ev.type != YAML_DOCUMENT_END_EVENT) {
		jerr(j, &j->ev.start_mark, "more after the JSON object");
		return -1;
	}
	if (jnext(j) == -1)
		return -1;
	if (j->ev.type != YAML_STREAM_END_EVENT) {
		jerr(j, &j->ev.start_mark, "more after the JSON object");
		return -1;
	}
	return 0;
}

/* "a Status (410 Expired: too old resource version)" for messages. */
static void
status_text(const struct kobj *k, char *buf, size_t len)
{
	snprintf(buf, len, "%ld %s: %.200s", k->code,
	    k->reason != NULL ? k->reason : "",
	    k->message != NULL ? k->message : "");
}

static int
add_skip(struct kube_page *pg, const char *name, const char *why)
{
	struct kube_skip	*s;

	if ((s = reallocarray(pg->skipped, pg->nskipped + 1,
	    sizeof(*s))) == NULL)
		return -1;
	pg->skipped = s;
	s = &pg->skipped[pg->nskipped];
	s->name = name != NULL ? strdup(name) : NULL;
	s->why = strdup(why);
	if ((name != NULL && s->name == NULL) || s->why == NULL) {
		free(s->name);
		free(s->why);
		return -1;
	}
	pg->nskipped++;
	return 0;
}

/* One item of a NodeList: into the set or the skipped. */
static int
page_item(struct jp *j, struct kube_page *pg)
{
	struct kobj	 k;
	struct node	*n;
	int		 r;

	if (j->ev.type != YAML_MAPPING_START_EVENT) {
		jerr(j, &j->ev.start_mark, "expected an object (a Node) in "
		    "items");
		return -1;
	}
	if (kobj_init(&k) == -1) {
		jerr(j, NULL, "out of memory");
		return -1;
	}
	if (parse_object(j, &k) == -1) {
		kobj_fini(&k);
		return -1;
	}
	if (kobj_finish(&k, &n) == -1) {
		kobj_fini(&k);
		jerr(j, NULL, "out of memory");
		return -1;
	}
	if (n == NULL)
		r = add_skip(pg, k.bad_name ? NULL : k.name, k.why);
	else if ((r = node_set_add(pg->nodes, n)) == 1) {
		node_free(n);
		r = add_skip(pg, k.name, "listed twice in the page");
	} else if (r == -1)
		node_free(n);
	kobj_fini(&k);
	if (r == -1) {
		jerr(j, NULL, "out of memory");
		return -1;
	}
	return 0;
}

/* metadata of a NodeList */
static int
page_metadata(struct jp *j, struct kube_page *pg)
{
	const char	*key;
	char		**dst;
	int		 r;

	if (jis_null(&j->ev))
		return 0;
	if (j->ev.type != YAML_MAPPING_START_EVENT) {
		jerr(j, &j->ev.start_mark, "expected an object for metadata");
		return -1;
	}
	while ((r = jkey(j, &key)) == 1) {
		dst = strcmp(key, "resourceVersion") == 0 ?
		    &pg->resource_version : strcmp(key, "continue") == 0 ?
		    &pg->cont : NULL;
		if (jnext(j) == -1)
			return -1;
		if (dst == NULL || jis_null(&j->ev)) {
			if (jskip(j) == -1)
				return -1;
			continue;
		}
		if (!jis_text(&j->ev)) {
			jerr(j, &j->ev.start_mark, "expected a string for "
			    "metadata.%s", dst == &pg->cont ? "continue" :
			    "resourceVersion");
			return -1;
		}
		free(*dst);
		*dst = jsteal(j);
	}
	return r;
}

static int
page_items(struct jp *j, struct kube_page *pg)
{
	if (jis_null(&j->ev))
		return 0;
	if (j->ev.type != YAML_SEQUENCE_START_EVENT) {
		jerr(j, &j->ev.start_mark, "expected a list for items");
		return -1;
	}
	for (;;) {
		if (jnext(j) == -1)
			return -1;
		if (j->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if (page_item(j, pg) == -1)
			return -1;
	}
}

int
kube_parse_node_list(const void *data, size_t len, struct kube_page *pg,
    char *err, size_t errlen)
{
	struct jp	 j;
	struct kobj	 top;	/* kind and Status fields only */
	unsigned char	*copy;
	const char	*key;
	char		 st[300];
	bool		 items = false;
	int		 r;

	memset(pg, 0, sizeof(*pg));
	memset(&top, 0, sizeof(top));
	if (jopen(&j, data, len, &copy, err, errlen) == -1)
		return -1;
	if ((pg->nodes = node_set_new()) == NULL) {
		jerr(&j, NULL, "out of memory");
		goto fail;
	}
	if (jtop(&j) == -1)
		goto fail;
	while ((r = jkey(&j, &key)) == 1) {
		if (strcmp(key, "metadata") == 0)
			r = jnext(&j) == -1 ? -1 : page_metadata(&j, pg);
		else if (strcmp(key, "items") == 0) {
			items = true;
			r = jnext(&j) == -1 ? -1 : page_items(&j, pg);
		} else if (strcmp(key, "kind") == 0)
			r = jnext(&j) == -1 ? -1 : ktext(&j, &top, &top.kind,
			    "kind");
		else if (strcmp(key, "code") == 0)
			r = jnext(&j) == -1 ? -1 : parse_code(&j, &top);
		else if (strcmp(key, "message") == 0)
			r = jnext(&j) == -1 ? -1 : ktext(&j, &top,
			    &top.message, "message");
		else if (strcmp(key, "reason") == 0)
			r = jnext(&j) == -1 ? -1 : ktext(&j, &top,
			    &top.reason, "reason");
		else
			r = jnext(&j) == -1 ? -1 : jskip(&j);
		if (r == -1)
			goto fail;
	}
	if (r == -1 || jend(&j) == -1)
		goto fail;
	if (top.kind != NULL && strcmp(top.kind, "Status") == 0) {
		status_text(&top, st, sizeof(st));
		jerr(&j, NULL, "the API server answered with a Status: %s", st);
		goto fail;
	}
	if (top.kind == NULL || strcmp(top.kind, "NodeList") != 0) {
		jerr(&j, NULL, "expected a NodeList, got %s%.64s%s",
		    top.kind != NULL ? "kind \"" : "an object without kind",
		    top.kind != NULL ? top.kind : "",
		    top.kind != NULL ? "\"" : "");
		goto fail;
	}
	if (!items) {
		jerr(&j, NULL, "a NodeList without items");
		goto fail;
	}
	jclose(&j, copy);
	kobj_fini(&top);
	return 0;
fail:
	jclose(&j, copy);
	kobj_fini(&top);
	kube_page_clear(pg);
	return -1;
}

void
kube_page_clear(struct kube_page *pg)
{
	size_t	i;

	node_set_free(pg->nodes);
	free(pg->resource_version);
	free(pg->cont);
	for (i = 0; i < pg->nskipped; i++) {
		free(pg->skipped[i].name);
		free(pg->skipped[i].why);
	}
	free(pg->skipped);
	memset(pg, 0, sizeof(*pg));
}

static const char *const ev_types[] = {
	[KUBE_EV_ADDED] = "ADDED",
	[KUBE_EV_MODIFIED] = "MODIFIED",
	[KUBE_EV_DELETED] = "DELETED",
	[KUBE_EV_BOOKMARK] = "BOOKMARK",
	[KUBE_EV_ERROR] = "ERROR",
};

/* The event's object into ev, by type; -1 when out of memory. */
static int
event_finish(struct kube_event *ev, struct kobj *k, struct jp *j)
{
	struct node	*n;

	ev->resource_version = k->rv;
	k->rv = NULL;
	switch (ev->type) {
	case KUBE_EV_BOOKMARK:
		return 0;
	case KUBE_EV_ERROR:
		ev->code = (int)k->code;
		ev->message = k->message;
		k->message = NULL;
		if (ev->message == NULL && (ev->message = strdup(k->reason !=
		    NULL ? k->reason : "")) == NULL)
			return -1;
		return 0;
	default:
		break;
	}
	if (k->kind != NULL && strcmp(k->kind, "Node") != 0) {
		jerr(j, NULL, "expected a Node in the %s event, got kind "
		    "\"%.64s\"", ev_types[ev->type], k->kind);
		return -2;
	}
	if (kobj_finish(k, &n) == -1)
		return -1;
	ev->node = n;
	if (k->name != NULL && !k->bad_name &&
	    (ev->name = strdup(k->name)) == NULL)
		return -1;
	if (n == NULL && (ev->why = strdup(k->why)) == NULL)
		return -1;
	return 0;
}

int
kube_parse_event(const void *data, size_t len, struct kube_event *ev,
    char *err, size_t errlen)
{
	struct jp	 j;
	struct kobj	 k;
	unsigned char	*copy;
	const char	*key;
	char		*type = NULL;
	bool		 object = false;
	size_t		 t;
	int		 r;

	memset(ev, 0, sizeof(*ev));
	if (kobj_init(&k) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (jopen(&j, data, len, &copy, err, errlen) == -1) {
		kobj_fini(&k);
		return -1;
	}
	if (jtop(&j) == -1)
		goto fail;
	while ((r = jkey(&j, &key)) == 1) {
		if (strcmp(key, "type") == 0) {
			if (jnext(&j) == -1)
				goto fail;
			if (!jis_text(&j.ev)) {
				jerr(&j, &j.ev.start_mark, "expected a string "
				    "for type");
				goto fail;
			}
			free(type);
			type = jsteal(&j);
		} else if (strcmp(key, "object") == 0) {
			if (jnext(&j) == -1)
				goto fail;
			if (j.ev.type != YAML_MAPPING_START_EVENT || object) {
				jerr(&j, &j.ev.start_mark, object ?
				    "a second object" : "expected an object "
				    "for object");
				goto fail;
			}
			object = true;
			if (parse_object(&j, &k) == -1)
				goto fail;
		} else if (jnext(&j) == -1 || jskip(&j) == -1)
			goto fail;
	}
	if (r == -1 || jend(&j) == -1)
		goto fail;
	if (type == NULL) {
		jerr(&j, NULL, "a watch event without type");
		goto fail;
	}
	for (t = 0; t < sizeof(ev_types) / sizeof(ev_types[0]); t++)
		if (strcmp(type, ev_types[t]) == 0)
			break;
	if (t == sizeof(ev_types) / sizeof(ev_types[0])) {
		jerr(&j, NULL, "unknown watch event type \"%.32s\"", type);
		goto fail;
	}
	ev->type = (enum kube_event_type)t;
	if (!object) {
		jerr(&j, NULL, "a %s event without object", type);
		goto fail;
	}
	if ((r = event_finish(ev, &k, &j)) < 0) {
		if (r == -1)
			jerr(&j, NULL, "out of memory");
		goto fail;
	}
	free(type);
	jclose(&j, copy);
	kobj_fini(&k);
	return 0;
fail:
	free(type);
	jclose(&j, copy);
	kobj_fini(&k);
	kube_event_clear(ev);
	return -1;
}

void
kube_event_clear(struct kube_event *ev)
{
	node_free(ev->node);
	free(ev->name);
	free(ev->why);
	free(ev->resource_version);
	free(ev->message);
	memset(ev, 0, sizeof(*ev));
}
