/*
 * yaml_util: what the YAML loaders (conf, nodes_file) share: errors as
 * "file:line:column: message" into struct conf_errors, reading scalars,
 * walking a mapping against its known keys, lists, and loading one
 * document with libyaml's errors and pathologies turned into messages.
 *
 * Nothing here logs or keeps state between calls.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "yaml_util.h"

void
yerr(struct yctx *x, const yaml_mark_t *m, const char *fmt, ...)
{
	struct conf_errors	*errs = x->errs;
	struct conf_error	*e;
	va_list			 ap;
	int			 o;

	if (errs->n >= CONF_ERR_MAX) {
		errs->dropped++;
		return;
	}
	e = &errs->e[errs->n++];
	if (m == NULL) {
		e->line = e->column = 0;
		o = snprintf(e->text, sizeof(e->text), "%s: ", x->file);
	} else {
		/* libyaml counts from 0, editors from 1 */
		e->line = (unsigned)m->line + 1;
		e->column = (unsigned)m->column + 1;
		o = snprintf(e->text, sizeof(e->text), "%s:%u:%u: ", x->file,
		    e->line, e->column);
	}
	if (o < 0 || (size_t)o >= sizeof(e->text))
		return;		/* an absurd file name: keep what fits */
	va_start(ap, fmt);
	vsnprintf(e->text + o, sizeof(e->text) - (size_t)o, fmt, ap);
	va_end(ap);
}

unsigned
yline(const yaml_node_t *n)
{
	return (unsigned)n->start_mark.line + 1;
}

yaml_node_t *
ynode(struct yctx *x, int id)
{
	return yaml_document_get_node(x->doc, id);
}

const char *
ysval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* An empty plain scalar, "~" or "null": the key is there, the value not. */
bool
yis_null(const yaml_node_t *n)
{
	const char	*s;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	s = ysval(n);
	return *s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* What the user wrote, short and printable, for "got ..." */
const char *
ygot(const yaml_node_t *n, char *buf, size_t len)
{
	const unsigned char	*s;
	size_t			 i, o;

	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (yis_null(n))
		return "nothing";
	s = n->data.scalar.value;
	o = 0;
	buf[o++] = '"';
	for (i = 0; i < n->data.scalar.length && o + 5 < len; i++) {
		if (i == 40) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		buf[o++] = s[i] < 0x20 || s[i] == 0x7f ? '?' : (char)s[i];
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

void
yexpected(struct yctx *x, const yaml_node_t *v, const char *key,
    const char *what)
{
	char	g[64];

	yerr(x, &v->start_mark, "expected %s for '%s', got %s", what, key,
	    ygot(v, g, sizeof(g)));
}

void
ymissing(struct yctx *x, const yaml_node_t *at, const char *key,
    const char *sect)
{
	yerr(x, &at->start_mark, "missing required key '%s' in '%s'", key,
	    sect);
}

/* A non-null scalar without embedded NULs, or NULL after an error. */
const char *
yget_scalar(struct yctx *x, const yaml_node_t *v, const char *key,
    const char *what)
{
	if (v->type != YAML_SCALAR_NODE || yis_null(v) ||
	    v->data.scalar.length == 0 ||
	    strlen(ysval(v)) != v->data.scalar.length) {
		yexpected(x, v, key, what);
		return NULL;
	}
	return ysval(v);
}


bool
ymap_init(struct yctx *x, struct ymap *it, yaml_node_t *n,
    const char *sect, const char *const *keys, yaml_node_t **seen)
{
	size_t	i;

	for (i = 0; keys[i] != NULL; i++)
		seen[i] = NULL;
	it->p = it->end = NULL;
	it->sect = sect;
	it->keys = keys;
	it->seen = seen;
	if (sect == NULL)
		snprintf(it->where, sizeof(it->where), "at the top level");
	else
		snprintf(it->where, sizeof(it->where), "in '%s'", sect);
	if (n->type != YAML_MAPPING_NODE) {
		if (sect != NULL)
			yexpected(x, n, sect, "a mapping");
		else
			yerr(x, &n->start_mark, "expected a mapping at the top "
			    "level, got %s", ygot(n, it->where,
			    sizeof(it->where)));
		return false;
	}
	it->p = n->data.mapping.pairs.start;
	it->end = n->data.mapping.pairs.top;
	return true;
}

static void
yunknown_key(struct yctx *x, struct ymap *it, const yaml_node_t *k)
{
	char		 list[400], alt[64];
	const char	*name = ysval(k);
	size_t		 i, o;

	/* snake_case for kebab-case is the likeliest slip: say so */
	if (strlen(name) < sizeof(alt)) {
		for (i = 0; name[i] != '\0'; i++)
			alt[i] = name[i] == '_' ? '-' : name[i];
		alt[i] = '\0';
		for (i = 0; it->keys[i] != NULL; i++)
			if (strcmp(alt, it->keys[i]) == 0) {
				yerr(x, &k->start_mark, "unknown key '%s' %s "
				    "(did you mean '%s'?)", name, it->where,
				    alt);
				return;
			}
	}
	o = 0;
	list[0] = '\0';
	for (i = 0; it->keys[i] != NULL && o < sizeof(list); i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
		    i == 0 ? "" : ", ", it->keys[i]);
	yerr(x, &k->start_mark, "unknown key '%.64s' %s (expected one of: "
	    "%s)", name, it->where, list);
}

/* Index of the next known key with its value in *v, or -1 at the end. */
int
ymap_next(struct yctx *x, struct ymap *it, yaml_node_t **v)
{
	yaml_node_t	*k;
	size_t		 i;

	while (it->p < it->end) {
		k = ynode(x, it->p->key);
		*v = ynode(x, it->p->value);
		it->p++;
		if (k == NULL || *v == NULL)
			continue;
		if (k->type != YAML_SCALAR_NODE ||
		    strlen(ysval(k)) != k->data.scalar.length) {
			yerr(x, &k->start_mark, "expected a key name %s",
			    it->where);
			continue;
		}
		for (i = 0; it->keys[i] != NULL; i++)
			if (strcmp(ysval(k), it->keys[i]) == 0)
				break;
		if (it->keys[i] == NULL) {
			yunknown_key(x, it, k);
			continue;
		}
		if (it->seen[i] != NULL) {
			yerr(x, &k->start_mark, "duplicate key '%s' %s "
			    "(first at line %u)", it->keys[i], it->where,
			    yline(it->seen[i]));
			continue;
		}
		it->seen[i] = k;
		return (int)i;
	}
	return -1;
}

/* The items of a list, or NULL (and *n = 0) after an error. */
yaml_node_item_t *
yget_list(struct yctx *x, const yaml_node_t *v, const char *key,
    size_t *n)
{
	*n = 0;
	if (v->type != YAML_SEQUENCE_NODE) {
		yexpected(x, v, key, "a list");
		return NULL;
	}
	*n = (size_t)(v->data.sequence.items.top -
	    v->data.sequence.items.start);
	if (*n > CONF_LIST_MAX) {
		yerr(x, &v->start_mark, "too many entries in '%s' (at most %d)",
		    key, CONF_LIST_MAX);
		*n = 0;
		return NULL;
	}
	return v->data.sequence.items.start;
}

/* libyaml marks of reader errors are not set: count lines to the offset. */
static void
yoffset_mark(const unsigned char *data, size_t len, size_t off,
    yaml_mark_t *m)
{
	size_t	i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < off && i < len; i++) {
		if (data[i] == '\n') {
			m->line++;
			m->column = 0;
		} else
			m->column++;
	}
}

void
yproblem(struct yctx *x, yaml_parser_t *yp, const void *data, size_t len)
{
	yaml_mark_t	m;

	switch (yp->error) {
	case YAML_MEMORY_ERROR:
		yerr(x, NULL, "out of memory");
		break;
	case YAML_READER_ERROR:
		yoffset_mark(data, len, yp->problem_offset, &m);
		yerr(x, &m, "cannot read YAML: %s",
		    yp->problem != NULL ? yp->problem : "unknown error");
		break;
	default:
		if (yp->context != NULL)
			yerr(x, &yp->problem_mark, "YAML syntax error: %s "
			    "(%s at line %zu)", yp->problem != NULL ?
			    yp->problem : "unknown error", yp->context,
			    yp->context_mark.line + 1);
		else
			yerr(x, &yp->problem_mark, "YAML syntax error: %s",
			    yp->problem != NULL ? yp->problem :
			    "unknown error");
		break;
	}
}

/*
 * libyaml's scanner revisits every open flow collection on each token, so
 * "[[[[..." costs time quadratic in the depth (minutes for 200k levels).
 * No file of ours nests flow collections deeply: refuse that up front.
 * Quoted scalars and comments are skipped; brackets inside plain scalars
 * may count, which only matters if more than YU_FLOW_DEPTH pile up.
 */
bool
yflow_depth_ok(const unsigned char *d, size_t len, yaml_mark_t *m)
{
	size_t		i, depth = 0;
	unsigned char	ch, prev = '\n', q = 0;	/* q: open quote */

	memset(m, 0, sizeof(*m));
	for (i = 0; i < len; prev = ch, i++) {
		ch = d[i];
		if (ch == '\n') {
			m->line++;
			m->column = 0;
			continue;
		}
		m->column++;
		if (q != 0) {
			if (q == '"' && ch == '\\' && i + 1 < len &&
			    d[i + 1] != '\n') {
				i++;
				m->column++;
			} else if (ch == q)
				q = 0;	/* '' in quotes reopens at once */
			continue;
		}
		switch (ch) {
		case '#':
			if (strchr(" \t\n", prev) != NULL)
				while (i + 1 < len && d[i + 1] != '\n')
					i++;
			break;
		case '"':
		case '\'':
			/* only where a scalar can start: not "don't" */
			if (strchr(" \t\n[{,:", prev) != NULL)
				q = ch;
			break;
		case '[':
		case '{':
			if (++depth > YU_FLOW_DEPTH) {
				m->column--;
				return false;
			}
			break;
		case ']':
		case '}':
			if (depth > 0)
				depth--;
			break;
		}
	}
	return true;
}

/* In file order, as a reader goes through them; stable for equal places. */
void
yerrors_sort(struct conf_errors *errs)
{
	struct conf_error	tmp;
	size_t			i, j;

	for (i = 1; i < errs->n; i++) {
		for (j = i; j > 0; j--) {
			if (errs->e[j - 1].line < errs->e[j].line ||
			    (errs->e[j - 1].line == errs->e[j].line &&
			    errs->e[j - 1].column <= errs->e[j].column))
				break;
			tmp = errs->e[j - 1];
			errs->e[j - 1] = errs->e[j];
			errs->e[j] = tmp;
		}
	}
}

int
yload_doc(struct yctx *x, const void *data, size_t len, yaml_document_t *doc,
    yaml_node_t **root)
{
	yaml_parser_t	 yp;
	yaml_document_t	 doc2;
	yaml_node_t	*r2;
	yaml_mark_t	 at;

	*root = NULL;
	if (!yaml_parser_initialize(&yp)) {
		yerr(x, NULL, "out of memory");
		return -1;
	}
	if (!yflow_depth_ok(data, len, &at)) {
		yerr(x, &at, "lists and mappings nested deeper than %d "
		    "levels", YU_FLOW_DEPTH);
		yaml_parser_delete(&yp);
		return -1;
	}
	yaml_parser_set_input_string(&yp, data, len);
	if (!yaml_parser_load(&yp, doc)) {
		yproblem(x, &yp, data, len);
		yaml_parser_delete(&yp);
		return -1;
	}
	x->doc = doc;
	if ((*root = yaml_document_get_root_node(doc)) != NULL) {
		/* a second document would be silently ignored: refuse it */
		if (!yaml_parser_load(&yp, &doc2))
			yproblem(x, &yp, data, len);
		else {
			if ((r2 = yaml_document_get_root_node(&doc2)) != NULL)
				yerr(x, &r2->start_mark, "only one YAML "
				    "document is allowed");
			yaml_document_delete(&doc2);
		}
	}
	yaml_parser_delete(&yp);
	return 0;
}

int
yread_file(struct yctx *x, const char *path, char **datap, size_t *lenp)
{
	FILE	*f;
	char	*data = NULL, *nd;
	size_t	 len = 0, cap = 0, n;

	*datap = NULL;
	*lenp = 0;
	if ((f = fopen(path, "r")) == NULL) {
		yerr(x, NULL, "cannot open: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			/* 16 MB is far beyond any sane file of ours */
			if (cap >= YU_FILE_MAX) {
				yerr(x, NULL, "file too large");
				goto fail;
			}
			cap = cap == 0 ? 8192 : cap * 2;
			if ((nd = realloc(data, cap)) == NULL) {
				yerr(x, NULL, "out of memory");
				goto fail;
			}
			data = nd;
		}
		n = fread(data + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		yerr(x, NULL, "cannot read: %s", strerror(errno));
		goto fail;
	}
	fclose(f);
	*datap = data;
	*lenp = len;
	return 0;
fail:
	fclose(f);
	free(data);
	return -1;
}
