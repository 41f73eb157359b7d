/*
 * control: podbgpd's control sockets, served on the event loop.
 *
 * The admin socket (control.socket) and the optional read-only one
 * (control.read-only-socket) speak the line protocol of ctl_cmd.h, which
 * podbgpctl(8) documents. Replies are produced in chunks only while the
 * client's output buffer is below a mark, so a client that stops reading
 * holds a bounded buffer and never delays the loop; `show route` walks the
 * Loc-RIB with a resumable cursor.
 *
 * Call order: control_init (after session_init), control_free at exit.
 */
#ifndef PODBGPD_CONTROL_H
#define PODBGPD_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp_attr.h"
#include "conf.h"
#include "node.h"
#include "rib.h"

struct event_base;
struct fib;
struct kube;

/* Most clients served at once, over both sockets. */
#define CONTROL_CLIENTS_MAX	64

/*
 * What the commands that change things ask main.c to do.
 * configure: load file (NULL: the running file) and, unless check, apply
 * it. Returns 0 with a one-line summary in msg, or -1 with the file's
 * errors in errs (errs->n may be 0: then msg says why).
 * down: stop the daemon once the reply is out; flush: take podbgp's
 * routes out of the kernel and announce no graceful restart.
 */
struct control_ops {
	int	(*configure)(void *arg, const char *file, bool check,
		    struct conf_errors *errs, char *msg, size_t msglen);
	void	(*down)(void *arg, bool flush);
	void	*arg;
};

/*
 * What the show commands read. Owned by the caller, who keeps the fields
 * current (a reload replaces conf and nodes); read at every request.
 */
struct control_state {
	const struct conf		*conf;	/* running configuration */
	struct rib			*rib;
	/* the kernel's view (show fib, explain); NULL: fib.install off */
	const struct fib		*fib;
	const struct bgp_attr_table	*attrs;
	const struct node_set		*nodes;	/* NULL: none loaded */
	/* overlapping pod CIDR claims among nodes; the losers' are unused */
	const struct node_overlap	*overlaps;
	size_t				 noverlaps;
	const char			*node_name;
	/* the API client with source: kubernetes; NULL: none running */
	const struct kube		*kube;
	uint64_t			 start_ms;	/* monotonic */
	int64_t				 start_time;	/* wall clock, s */
	const struct control_ops	*ops;	/* NULL: no changes served */
};

/*
 * Creates the sockets named in st->conf: a stale socket file is removed,
 * a live one (another daemon answers), a file of another kind or a group
 * that does not exist is refused. Returns 0, or -1 with the reason
 * logged. st is borrowed until control_free.
 */
int	control_init(struct event_base *base, const struct control_state *st);
/* Closes every client and both sockets, and removes the socket files. */
void	control_free(void);

#endif
