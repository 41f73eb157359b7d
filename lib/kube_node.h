/*
 * kube_node: the Kubernetes API's JSON for Nodes into node records.
 *
 * Two documents are read, both with libyaml's event parser (JSON is
 * YAML's flow subset; no second JSON library):
 *
 *  - one page of a list (GET /api/v1/nodes?limit=N[&continue=T]): a
 *    NodeList, whose metadata carries the resourceVersion to watch from
 *    and the continue token of the next page;
 *  - one watch event (GET ...?watch=1), a line of its own in the stream:
 *    {"type": ADDED|MODIFIED|DELETED|BOOKMARK|ERROR, "object": {...}}.
 *
 * A Node gives its name, metadata.creationTimestamp (as node->seq, in
 * seconds since the epoch: older claims win overlaps),
 * spec.podCIDR and spec.podCIDRs, the status.addresses of type InternalIP,
 * the labels, and the annotations node.h keeps. Everything else in the
 * object (status.images, conditions, managedFields...) is skipped without
 * being stored.
 *
 * A node with a bad value, or without a usable name, is reported (by name
 * when it has one) and left out; the rest of the document still loads. A
 * document that is not the JSON expected (syntax, wrong kind, a list
 * without items, an event without type or object) is refused as a whole,
 * with the byte offset (and line:column) in the message when there is a
 * place to point at. Nothing here logs, keeps state between calls, or
 * touches the network.
 */
#ifndef PODBGP_KUBE_NODE_H
#define PODBGP_KUBE_NODE_H

#include <stddef.h>

#include "node.h"

/* Room for any message of this module. */
#define KUBE_ERR_LEN	(NODE_ERR_LEN + 64)

/* Nodes left out of a list page, with why. */
struct kube_skip {
	char	*name;		/* NULL when the node had no usable name */
	char	*why;
};

struct kube_page {
	struct node_set	*nodes;		/* the good nodes of this page */
	char		*resource_version;
	char		*cont;		/* NULL or "": this was the last page */
	struct kube_skip *skipped;
	size_t		 nskipped;
};

/*
 * Parses one page of a NodeList from len bytes at data. Returns 0 and
 * fills page (free with kube_page_clear()), or -1 with the reason in err
 * (errlen bytes) and page left empty.
 */
int	kube_parse_node_list(const void *data, size_t len,
	    struct kube_page *page, char *err, size_t errlen);
void	kube_page_clear(struct kube_page *page);

enum kube_event_type {
	KUBE_EV_ADDED,
	KUBE_EV_MODIFIED,
	KUBE_EV_DELETED,
	KUBE_EV_BOOKMARK,
	KUBE_EV_ERROR,
};

struct kube_event {
	enum kube_event_type	 type;
	/*
	 * ADDED, MODIFIED, DELETED: the node, or NULL when it had a bad
	 * value (then name and why say which and what; name is NULL when
	 * the node had no usable name). name is set for a good node too,
	 * so a DELETED event names the node to forget even when its last
	 * state had a bad value.
	 */
	struct node		*node;
	char			*name;
	char			*why;
	/* the object's metadata.resourceVersion; NULL if it had none */
	char			*resource_version;
	/* ERROR: the Status object's code (410 when expired) and message */
	int			 code;
	char			*message;
};

/*
 * Parses one watch event from len bytes at data (one line of the stream,
 * without or with its newline). Returns 0 and fills ev (free with
 * kube_event_clear()), or -1 with the reason in err.
 */
int	kube_parse_event(const void *data, size_t len, struct kube_event *ev,
	    char *err, size_t errlen);
void	kube_event_clear(struct kube_event *ev);

#endif
