/*
 * kube: podbgpd's Kubernetes API client. Lists the Nodes (in pages), then
 * watches them from the list's resourceVersion, and hands the caller the
 * whole current set each time it changed.
 *
 * Everything runs on the caller's libevent loop through libcurl's multi
 * socket API: no blocking call, no thread. An API server that is slow,
 * down, refusing (429, 5xx) or hanging makes the client back off and
 * retry (0.5 s doubling to 30 s, +-20%), keeping the last known nodes: an
 * outage of any length withdraws nothing. A 410 Gone (the watch's
 * resourceVersion was compacted) starts a new list; a watch that ends
 * normally is resumed from the last resourceVersion without a list.
 *
 * Credentials come from the kubeconfig (or the in-cluster service
 * account). A token file is read again whenever it changed and after a
 * 401, so rotated service-account tokens are followed. No token or key is
 * ever logged.
 */
#ifndef PODBGPD_KUBE_H
#define PODBGPD_KUBE_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>

#include "conf.h"
#include "node.h"

/* Defaults, also in podbgpd.yaml(5). */
#define KUBE_DEF_PAGE_SIZE	500
#define KUBE_DEF_WATCH_TIMEOUT	300	/* s, a random 0-20% added */

/* Environment: where the in-cluster service account is (tests). */
#define KUBE_ENV_SA_DIR		"PODBGP_SERVICEACCOUNT_DIR"

struct kube_opts {
	/* NULL: in-cluster (KUBERNETES_SERVICE_HOST/PORT, service account) */
	const char	*kubeconfig;
	const char	*context;	/* NULL: the current-context */
	unsigned	 page_size;	/* 0: KUBE_DEF_PAGE_SIZE */
	unsigned	 watch_timeout;	/* s; 0: KUBE_DEF_WATCH_TIMEOUT */
	/* For tests; 0 for each takes the default. */
	unsigned	 backoff_min_ms;	/* 500 */
	unsigned	 backoff_max_ms;	/* 30000 */
	unsigned	 stall_s;	/* no byte for this long: 120 */
	unsigned	 connect_timeout_s;	/* 10 */
};

enum kube_state {
	KUBE_LISTING,		/* a list in progress (first or relist) */
	KUBE_WATCHING,
	KUBE_BACKOFF,		/* waiting before the next try */
};

struct kube_status {
	enum kube_state	 state;
	bool		 synced;	/* a whole list was read at least once */
	uint64_t	 backoff_until_ms;	/* log_now_ms() clock; BACKOFF */
	char		 server[256];
	char		 resource_version[64];
	char		 last_error[256];	/* "" when none yet */
	uint64_t	 lists;		/* complete lists */
	uint64_t	 relists;	/* lists after the first */
	uint64_t	 watches;	/* watch requests made */
	uint64_t	 events;	/* watch events applied */
	uint64_t	 errors;	/* failed requests */
	size_t		 nodes;		/* in the current set */
};

struct kube;

/*
 * Called at most once per loop turn after the set changed (and once
 * after the first complete list, even if it is empty). cur is a new set
 * the callee owns: free it with node_set_free(). A relist that finds
 * what is known already does not call it.
 */
typedef void	(*kube_nodes_cb)(struct node_set *cur, void *arg);
/* Called on every change of state; st is valid for the call only. */
typedef void	(*kube_state_cb)(const struct kube_status *st, void *arg);

/*
 * Reads the kubeconfig (or the in-cluster settings) and starts listing
 * at once. Returns NULL after logging why (each message
 * "file:line:column: ...") when the configuration cannot be used. The
 * callbacks must not call kube_free(); state_cb may be NULL.
 */
struct kube	*kube_new(struct event_base *base, const struct kube_opts *o,
		    kube_nodes_cb nodes_cb, kube_state_cb state_cb,
		    void *arg);
/* Stops every transfer and frees everything; NULL is a no-op. */
void		 kube_free(struct kube *k);
/* The state now, for `show status`. */
void		 kube_status(const struct kube *k, struct kube_status *st);
const char	*kube_state_name(enum kube_state s);
/* kube_opts from the configuration (pointers into c). */
void		 kube_opts_from_conf(struct kube_opts *o,
		    const struct conf *c);

#endif
