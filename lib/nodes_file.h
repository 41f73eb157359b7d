/*
 * nodes_file: the static nodes file (podbgpd.yaml(5), NODES FILE) into a
 * struct node_set, the same records the Kubernetes source produces.
 *
 * Errors are "file:line:column: message" in a struct conf_errors, as the
 * configuration's. A problem with the file as a whole (YAML syntax, the
 * top level, a missing 'nodes' list) refuses the file: NULL is returned.
 * A node with a bad value, an unknown key or a name used before is
 * reported by its name and skipped; the others load, so the daemon keeps
 * serving them. Nothing here logs.
 */
#ifndef PODBGP_NODES_FILE_H
#define PODBGP_NODES_FILE_H

#include <stddef.h>

#include "conf.h"
#include "node.h"

/* Most nodes a file may list. */
#define NODES_FILE_MAX	65536

/*
 * Reads the file at path (named as given in messages). Returns the set
 * (free with node_set_free()) or NULL; errs is reset first. A set with
 * errs->n > 0 (or errs->dropped > 0) means some nodes were skipped. Each
 * node's seq is its position in the file, from 1: earlier is older.
 */
struct node_set	*nodes_file_load(const char *path, struct conf_errors *errs);
/* The same from len bytes at data; name stands for the file in messages. */
struct node_set	*nodes_file_load_buf(const char *name, const void *data,
		    size_t len, struct conf_errors *errs);

#endif
