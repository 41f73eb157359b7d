/*
 * kubeconfig: a kubeconfig file, or the in-cluster service account, into
 * a struct kubeconfig (see kubeconfig.h).
 *
 * Only the chosen context, its cluster and its user are read closely;
 * other entries need no more than a name, so a kubeconfig shared with
 * kubectl and holding clusters podbgp cannot use still works. Messages
 * never quote a value that may be secret: every value of a user entry
 * and every *-data value is named by its key only.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "kubeconfig.h"
#include "yaml_util.h"

static void
blob_clear(struct kube_blob *b)
{
	free(b->file);
	if (b->data != NULL) {
		explicit_bzero(b->data, b->len);
		free(b->data);
	}
	memset(b, 0, sizeof(*b));
}

void
kubeconfig_free(struct kubeconfig *kc)
{
	if (kc == NULL)
		return;
	free(kc->context);
	free(kc->cluster);
	free(kc->user);
	free(kc->server);
	blob_clear(&kc->ca);
	blob_clear(&kc->cert);
	blob_clear(&kc->key);
	if (kc->token != NULL) {
		explicit_bzero(kc->token, strlen(kc->token));
		free(kc->token);
	}
	free(kc->token_file);
	free(kc);
}

static int
b64_val(unsigned char c)
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

unsigned char *
kube_base64_decode(const char *s, size_t len, size_t *outlen)
{
	unsigned char	*out;
	uint32_t	 acc = 0;
	size_t		 i, o = 0, nbits = 0, npad = 0, ndig = 0;
	int		 v;

	*outlen = 0;
	if ((out = malloc(len / 4 * 3 + 4)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			npad++;
			continue;
		}
		/* nothing but padding and space after the first '=' */
		if (npad > 0 || (v = b64_val(c)) == -1)
			goto bad;
		ndig++;
		acc = acc << 6 | (uint32_t)v;
		nbits += 6;
		if (nbits >= 8) {
			nbits -= 8;
			out[o++] = (unsigned char)(acc >> nbits);
			acc &= (1u << nbits) - 1;
		}
	}
	/* a lone digit in the last group, or padding that does not fit */
	if (ndig % 4 == 1 || npad > 2 || (npad > 0 &&
	    (ndig + npad) % 4 != 0) || acc != 0)
		goto bad;
	out[o] = '\0';
	*outlen = o;
	return out;
bad:
	explicit_bzero(out, len / 4 * 3 + 4);
	free(out);
	return NULL;
}

/* A text value, without quoting it in the message. */
static const char *
sval(struct yctx *x, const yaml_node_t *v, const char *key,
    const char *where)
{
	if (v->type != YAML_SCALAR_NODE || yis_null(v) ||
	    v->data.scalar.length == 0 ||
	    strlen(ysval(v)) != v->data.scalar.length) {
		yerr(x, &v->start_mark, "expected a non-empty text value for "
		    "'%s' %s", key, where);
		return NULL;
	}
	return ysval(v);
}

static int
bval(struct yctx *x, const yaml_node_t *v, const char *key, bool *out)
{
	static const char *const yes[] = { "true", "True", "TRUE", NULL };
	static const char *const no[] = { "false", "False", "FALSE", NULL };
	size_t	i;

	if (v->type == YAML_SCALAR_NODE)
		for (i = 0; yes[i] != NULL; i++) {
			if (strcmp(ysval(v), yes[i]) == 0) {
				*out = true;
				return 0;
			}
			if (strcmp(ysval(v), no[i]) == 0) {
				*out = false;
				return 0;
			}
		}
	yexpected(x, v, key, "true or false");
	return -1;
}

static char *
dup_or_oom(struct yctx *x, const char *s)
{
	char	*d;

	if ((d = strdup(s)) == NULL)
		yerr(x, NULL, "out of memory");
	return d;
}

/* dir/p for a relative p, as kubectl resolves kubeconfig paths. */
static char *
resolve(struct yctx *x, const char *dir, const char *p)
{
	const char	*sep;
	char		*d;
	size_t		 len;

	if (p[0] == '/' || dir == NULL || dir[0] == '\0')
		return dup_or_oom(x, p);
	sep = dir[strlen(dir) - 1] == '/' ? "" : "/";
	len = strlen(dir) + strlen(sep) + strlen(p) + 1;
	if ((d = malloc(len)) == NULL) {
		yerr(x, NULL, "out of memory");
		return NULL;
	}
	snprintf(d, len, "%s%s%s", dir, sep, p);
	return d;
}

static void
get_file(struct yctx *x, const char *dir, const yaml_node_t *v,
    const char *key, const char *where, struct kube_blob *b)
{
	const char	*s;

	if ((s = sval(x, v, key, where)) != NULL)
		b->file = resolve(x, dir, s);
}

static void
get_data(struct yctx *x, const yaml_node_t *v, const char *key,
    const char *where, struct kube_blob *b)
{
	const char	*s;

	if ((s = sval(x, v, key, where)) == NULL)
		return;
	if ((b->data = kube_base64_decode(s, v->data.scalar.length,
	    &b->len)) == NULL || b->len == 0) {
		yerr(x, &v->start_mark, "'%s' %s is not valid base64", key,
		    where);
		blob_clear(b);
	}
}

/* The value of key in mapping m, or NULL; other keys are ignored. */
static yaml_node_t *
mget(struct yctx *x, const yaml_node_t *m, const char *key,
    yaml_node_t **keynode)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*k, *first = NULL, *found = NULL;

	if (keynode != NULL)
		*keynode = NULL;
	if (m->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	    p++) {
		if ((k = ynode(x, p->key)) == NULL ||
		    k->type != YAML_SCALAR_NODE || strcmp(ysval(k), key) != 0)
			continue;
		if (first != NULL) {
			yerr(x, &k->start_mark, "duplicate key '%s' (first at "
			    "line %u)", key, yline(first));
			continue;
		}
		first = k;
		found = ynode(x, p->value);
		if (keynode != NULL)
			*keynode = k;
	}
	return found;
}

/*
 * The entry named name in the top-level list listkey ("clusters"), as
 * {name: NAME, KIND: {...}}: returns the KIND mapping, or NULL after an
 * error placed at ref (the value that named it).
 */
static yaml_node_t *
find_entry(struct yctx *x, yaml_node_t *root, const char *listkey,
    const char *kind, const char *name, const yaml_node_t *ref)
{
	yaml_node_item_t	*it;
	yaml_node_t		*list, *e, *nv, *body = NULL, *first = NULL;

	if ((list = mget(x, root, listkey, NULL)) == NULL || yis_null(list)) {
		yerr(x, &ref->start_mark, "%s '%s' not found: the kubeconfig "
		    "has no '%s'", kind, name, listkey);
		return NULL;
	}
	if (list->type != YAML_SEQUENCE_NODE) {
		yexpected(x, list, listkey, "a list");
		return NULL;
	}
	for (it = list->data.sequence.items.start;
	    it < list->data.sequence.items.top; it++) {
		if ((e = ynode(x, *it)) == NULL ||
		    e->type != YAML_MAPPING_NODE ||
		    (nv = mget(x, e, "name", NULL)) == NULL ||
		    nv->type != YAML_SCALAR_NODE ||
		    strcmp(ysval(nv), name) != 0)
			continue;
		if (first != NULL) {
			yerr(x, &e->start_mark, "%s '%s' is defined twice in "
			    "'%s' (first at line %u)", kind, name, listkey,
			    yline(first));
			return NULL;
		}
		first = e;
		if ((body = mget(x, e, kind, NULL)) == NULL) {
			yerr(x, &e->start_mark, "%s '%s' has no '%s' mapping",
			    kind, name, kind);
			return NULL;
		}
		if (body->type != YAML_MAPPING_NODE && !yis_null(body)) {
			yerr(x, &body->start_mark, "expected a mapping for "
			    "'%s' of %s '%s'", kind, kind, name);
			return NULL;
		}
	}
	if (first == NULL)
		yerr(x, &ref->start_mark, "%s '%s' not found in '%s'", kind,
		    name, listkey);
	return body;
}

static int
check_server(struct yctx *x, const yaml_node_t *v, const char *s,
    const char *where, char **out)
{
	const char	*host;
	size_t		 len;

	if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		host = s + 7;
	else {
		yerr(x, &v->start_mark, "'server' %s must start with "
		    "https:// (or http://)", where);
		return -1;
	}
	if (*host == '\0' || *host == '/' || strpbrk(s, " \t\r\n?#@") !=
	    NULL) {
		yerr(x, &v->start_mark, "'server' %s is not a URL of the form "
		    "https://HOST[:PORT][/PATH]", where);
		return -1;
	}
	if ((*out = dup_or_oom(x, s)) == NULL)
		return -1;
	/* paths are appended to it: drop the trailing slashes */
	len = strlen(*out);
	while (len > 0 && (*out)[len - 1] == '/')
		(*out)[--len] = '\0';
	return 0;
}

static void
parse_cluster(struct yctx *x, const char *dir, yaml_node_t *c,
    const yaml_node_t *ref, struct kubeconfig *kc)
{
	yaml_node_t	*v, *k, *kca = NULL, *kdata = NULL, *kins = NULL;
	char		 where[320];
	const char	*s;

	snprintf(where, sizeof(where), "in cluster '%.250s'", kc->cluster);
	if (yis_null(c) || (v = mget(x, c, "server", NULL)) == NULL) {
		yerr(x, &(yis_null(c) ? ref : c)->start_mark, "cluster '%s' "
		    "has no 'server'", kc->cluster);
		return;
	}
	if ((s = sval(x, v, "server", where)) != NULL)
		check_server(x, v, s, where, &kc->server);
	if ((v = mget(x, c, "certificate-authority", &kca)) != NULL)
		get_file(x, dir, v, "certificate-authority", where, &kc->ca);
	if ((v = mget(x, c, "certificate-authority-data", &kdata)) != NULL) {
		if (kca != NULL) {
			k = kca->start_mark.index > kdata->start_mark.index ?
			    kca : kdata;
			yerr(x, &k->start_mark, "'certificate-authority' and "
			    "'certificate-authority-data' are both set %s: "
			    "keep one", where);
		} else
			get_data(x, v, "certificate-authority-data", where,
			    &kc->ca);
	}
	if ((v = mget(x, c, "insecure-skip-tls-verify", &kins)) != NULL &&
	    bval(x, v, "insecure-skip-tls-verify", &kc->insecure) == 0 &&
	    kc->insecure && (kca != NULL || kdata != NULL))
		yerr(x, &kins->start_mark, "'insecure-skip-tls-verify' %s "
		    "cannot be used with a certificate authority", where);
}

static void
parse_user(struct yctx *x, const char *dir, yaml_node_t *u,
    struct kubeconfig *kc)
{
	static const char *const unsupported[] = { "exec", "auth-provider",
	    "username", "password", NULL };
	static const char *const why[] = { "credential plugins ('exec')",
	    "auth providers ('auth-provider')", "basic authentication",
	    "basic authentication" };
	yaml_node_t	*v, *kf, *kd, *kcert, *kkey;
	char		 where[320];
	const char	*s;
	size_t		 i;

	if (yis_null(u))
		return;
	snprintf(where, sizeof(where), "in user '%.250s'", kc->user);
	for (i = 0; unsupported[i] != NULL; i++)
		if (mget(x, u, unsupported[i], &kf) != NULL) {
			yerr(x, &kf->start_mark, "%s %s: not supported by "
			    "podbgpd (use a token, a token file or a client "
			    "certificate)", why[i], where);
			return;
		}
	if ((v = mget(x, u, "client-certificate", &kf)) != NULL)
		get_file(x, dir, v, "client-certificate", where, &kc->cert);
	if ((v = mget(x, u, "client-certificate-data", &kd)) != NULL) {
		if (kf != NULL)
			yerr(x, &kd->start_mark, "'client-certificate' and "
			    "'client-certificate-data' are both set %s: keep one",
			    where);
		else
			get_data(x, v, "client-certificate-data", where,
			    &kc->cert);
	}
	kcert = kf != NULL ? kf : kd;
	if ((v = mget(x, u, "client-key", &kf)) != NULL)
		get_file(x, dir, v, "client-key", where, &kc->key);
	if ((v = mget(x, u, "client-key-data", &kd)) != NULL) {
		if (kf != NULL)
			yerr(x, &kd->start_mark, "'client-key' and "
			    "'client-key-data' are both set %s: keep one", where);
		else
			get_data(x, v, "client-key-data", where, &kc->key);
	}
	kkey = kf != NULL ? kf : kd;
	if (kcert != NULL && kkey == NULL)
		yerr(x, &kcert->start_mark, "a client certificate %s needs "
		    "a key ('client-key' or 'client-key-data')", where);
	if (kkey != NULL && kcert == NULL)
		yerr(x, &kkey->start_mark, "a client key %s needs a "
		    "certificate ('client-certificate' or "
		    "'client-certificate-data')", where);
	if ((v = mget(x, u, "token", NULL)) != NULL &&
	    (s = sval(x, v, "token", where)) != NULL)
		kc->token = dup_or_oom(x, s);
	if ((v = mget(x, u, "tokenFile", NULL)) != NULL &&
	    (s = sval(x, v, "tokenFile", where)) != NULL)
		kc->token_file = resolve(x, dir, s);
}

static size_t
nerrors(const struct conf_errors *errs)
{
	return errs->n + errs->dropped;
}

/* A name in a context: a scalar, quoted in messages (names are public). */
static const char *
name_val(struct yctx *x, const yaml_node_t *v, const char *key)
{
	return yget_scalar(x, v, key, "a name");
}

struct kubeconfig *
kubeconfig_load_buf(const char *name, const char *dir, const void *data,
    size_t len, const char *context, struct conf_errors *errs)
{
	struct yctx		 x = { NULL, name, errs };
	struct kubeconfig	*kc;
	yaml_document_t		 doc;
	yaml_node_t		*root, *ref, *ctx, *v, *c, *u;
	const char		*s;

	memset(errs, 0, sizeof(*errs));
	if ((kc = calloc(1, sizeof(*kc))) == NULL) {
		yerr(&x, NULL, "out of memory");
		return NULL;
	}
	if (yload_doc(&x, data, len, &doc, &root) == -1) {
		free(kc);
		return NULL;
	}
	if (root == NULL) {
		yerr(&x, NULL, "the kubeconfig is empty");
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		yerr(&x, &root->start_mark, "expected a mapping at the top "
		    "level of the kubeconfig");
		goto out;
	}
	/* the context: the caller's, else current-context */
	ref = root;
	if (context != NULL)
		kc->context = dup_or_oom(&x, context);
	else if ((v = mget(&x, root, "current-context", NULL)) == NULL ||
	    yis_null(v) || (v->type == YAML_SCALAR_NODE &&
	    v->data.scalar.length == 0)) {
		yerr(&x, &(v != NULL ? v : root)->start_mark, "no context to "
		    "use: 'current-context' is not set and no 'context' is "
		    "given in 'nodes'");
		goto out;
	} else if ((s = name_val(&x, v, "current-context")) != NULL) {
		kc->context = dup_or_oom(&x, s);
		ref = v;
	}
	if (kc->context == NULL ||
	    (ctx = find_entry(&x, root, "contexts", "context", kc->context,
	    ref)) == NULL)
		goto out;
	if (yis_null(ctx) || (v = mget(&x, ctx, "cluster", NULL)) == NULL) {
		yerr(&x, &ctx->start_mark, "context '%s' has no 'cluster'",
		    kc->context);
		goto out;
	}
	if ((s = name_val(&x, v, "cluster")) == NULL ||
	    (kc->cluster = dup_or_oom(&x, s)) == NULL)
		goto out;
	if ((c = find_entry(&x, root, "clusters", "cluster", kc->cluster,
	    v)) != NULL)
		parse_cluster(&x, dir, c, v, kc);
	/* a context without a user talks to the server anonymously */
	if ((v = mget(&x, ctx, "user", NULL)) != NULL && !yis_null(v) &&
	    (s = name_val(&x, v, "user")) != NULL &&
	    (kc->user = dup_or_oom(&x, s)) != NULL &&
	    (u = find_entry(&x, root, "users", "user", kc->user, v)) != NULL)
		parse_user(&x, dir, u, kc);
out:
	yaml_document_delete(&doc);
	if (nerrors(errs) > 0) {
		yerrors_sort(errs);
		kubeconfig_free(kc);
		return NULL;
	}
	return kc;
}

struct kubeconfig *
kubeconfig_load(const char *path, const char *context,
    struct conf_errors *errs)
{
	struct yctx		 x = { NULL, path, errs };
	struct kubeconfig	*kc;
	const char		*slash;
	char			*data, *dir = NULL;
	size_t			 len;

	memset(errs, 0, sizeof(*errs));
	if (yread_file(&x, path, &data, &len) == -1)
		return NULL;
	if ((slash = strrchr(path, '/')) != NULL) {
		if ((dir = strndup(path, slash == path ? 1 :
		    (size_t)(slash - path))) == NULL) {
			free(data);
			yerr(&x, NULL, "out of memory");
			return NULL;
		}
	}
	kc = kubeconfig_load_buf(path, dir, data, len, context, errs);
	explicit_bzero(data, len);
	free(data);
	free(dir);
	return kc;
}

struct kubeconfig *
kubeconfig_in_cluster(const char *host, const char *port,
    const char *sa_dir, struct conf_errors *errs)
{
	struct yctx		 x = { NULL, "in-cluster configuration", errs };
	struct kubeconfig	*kc;
	const char		*p;
	unsigned long		 n;
	char			*end;
	bool			 v6;

	memset(errs, 0, sizeof(*errs));
	if (host == NULL || *host == '\0' || port == NULL || *port == '\0') {
		yerr(&x, NULL, "KUBERNETES_SERVICE_HOST and "
		    "KUBERNETES_SERVICE_PORT are not set (not in a pod?): "
		    "set 'kubeconfig' in 'nodes'");
		return NULL;
	}
	for (p = host; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr(".-:%", *p) == NULL)
			break;
	if (*p != '\0' || strlen(host) > 255) {
		yerr(&x, NULL, "KUBERNETES_SERVICE_HOST is not a host name or "
		    "an address");
		return NULL;
	}
	n = strtoul(port, &end, 10);
	if (!isdigit((unsigned char)*port) || *end != '\0' || n < 1 ||
	    n > 65535) {
		yerr(&x, NULL, "KUBERNETES_SERVICE_PORT is not a port number");
		return NULL;
	}
	if (sa_dir == NULL)
		sa_dir = KUBE_SA_DIR;
	if ((kc = calloc(1, sizeof(*kc))) == NULL) {
		yerr(&x, NULL, "out of memory");
		return NULL;
	}
	v6 = strchr(host, ':') != NULL;
	/* "https://" "[" host "]" ":" 5 digits, NUL */
	if ((kc->server = malloc(strlen(host) + 18)) != NULL)
		snprintf(kc->server, strlen(host) + 18, "https://%s%s%s:%lu",
		    v6 ? "[" : "", host, v6 ? "]" : "", n);
	kc->ca.file = resolve(&x, sa_dir, "ca.crt");
	kc->token_file = resolve(&x, sa_dir, "token");
	if (kc->server == NULL || kc->ca.file == NULL ||
	    kc->token_file == NULL) {
		if (kc->server == NULL)
			yerr(&x, NULL, "out of memory");
		kubeconfig_free(kc);
		return NULL;
	}
	return kc;
}
