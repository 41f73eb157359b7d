/*
 * yaml_util: helpers shared by the YAML loaders (conf, nodes_file).
 *
 * A loader builds a libyaml document, then walks it with a struct yctx
 * that knows the file name (for messages) and collects errors, each with
 * the mark of the node it is about, into a struct conf_errors.
 */
#ifndef PODBGP_YAML_UTIL_H
#define PODBGP_YAML_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

#include "conf.h"

/* Deeper flow nesting is refused before libyaml sees it (see .c). */
#define YU_FLOW_DEPTH	64
/* Largest file yread_file() reads. */
#define YU_FILE_MAX	(16 * 1024 * 1024)

struct yctx {
	yaml_document_t		*doc;
	const char		*file;
	struct conf_errors	*errs;
};

/*
 * Records "file:line:column: message" (m NULL: "file: message"); past
 * CONF_ERR_MAX errors only counts them.
 */
void	yerr(struct yctx *x, const yaml_mark_t *m, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* 1-based line of a node, for "(first at line N)". */
unsigned	 yline(const yaml_node_t *n);
yaml_node_t	*ynode(struct yctx *x, int id);
const char	*ysval(const yaml_node_t *n);
/* An empty plain scalar, "~" or "null": the key is there, the value not. */
bool		 yis_null(const yaml_node_t *n);
/* What the user wrote, short and printable, for "got ..." */
const char	*ygot(const yaml_node_t *n, char *buf, size_t len);
/* "expected WHAT for 'KEY', got ..." at v. */
void		 yexpected(struct yctx *x, const yaml_node_t *v,
		    const char *key, const char *what);
void		 ymissing(struct yctx *x, const yaml_node_t *at,
		    const char *key, const char *sect);
/* A non-null scalar without embedded NULs, or NULL after an error. */
const char	*yget_scalar(struct yctx *x, const yaml_node_t *v,
		    const char *key, const char *what);

/*
 * Walking a mapping against a list of known keys. Unknown and duplicate
 * keys are reported here; the caller sees each known key once, and seen[]
 * keeps the key nodes for checks that involve several keys. where is the
 * place named in messages ("in 'bgp'"); a caller may rewrite it after
 * ymap_init().
 */
struct ymap {
	yaml_node_pair_t	*p;
	yaml_node_pair_t	*end;
	const char		*sect;
	const char *const	*keys;
	yaml_node_t		**seen;
	char			 where[320];
};

/* seen[] for a NULL-terminated key array declared in the same scope. */
#define YMAP_NSEEN(keys)	(sizeof(keys) / sizeof((keys)[0]))

/* False (after an error) if n is not a mapping. sect NULL: top level. */
bool	ymap_init(struct yctx *x, struct ymap *it, yaml_node_t *n,
	    const char *sect, const char *const *keys, yaml_node_t **seen);
/* Index of the next known key with its value in *v, or -1 at the end. */
int	ymap_next(struct yctx *x, struct ymap *it, yaml_node_t **v);
/* The items of a list of at most CONF_LIST_MAX, or NULL after an error. */
yaml_node_item_t	*yget_list(struct yctx *x, const yaml_node_t *v,
			    const char *key, size_t *n);

/* Reports libyaml's own error (syntax, reader, memory). */
void	yproblem(struct yctx *x, yaml_parser_t *yp, const void *data,
	    size_t len);
bool	yflow_depth_ok(const unsigned char *d, size_t len, yaml_mark_t *m);
/* Sorts errors into file order, stable for equal places. */
void	yerrors_sort(struct conf_errors *errs);

/*
 * Parses the first YAML document of data into *doc and sets x->doc; a
 * second document is an error (recorded, 0 still returned). *root is NULL
 * for an empty document. Returns -1 (errors recorded, nothing to free) if
 * no document could be loaded; otherwise the caller deletes *doc.
 */
int	yload_doc(struct yctx *x, const void *data, size_t len,
	    yaml_document_t *doc, yaml_node_t **root);
/* Reads a whole file (at most YU_FILE_MAX); the caller frees *data. */
int	yread_file(struct yctx *x, const char *path, char **data,
	    size_t *len);

#endif
