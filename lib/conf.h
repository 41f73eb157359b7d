/*
 * conf: the YAML configuration of podbgpd, read with libyaml into one
 * immutable struct conf, with every default applied.
 *
 * Nothing here logs or exits: errors are collected, at most CONF_ERR_MAX of
 * them, as "file:line:column: message" lines for the caller to print. The
 * schema is described in podbgpd.yaml(5); keep the two in step.
 */
#ifndef PODBGP_CONF_H
#define PODBGP_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "prefix.h"

#define CONF_ERR_MAX		20
#define CONF_ERR_LEN		640
/* Longest accepted list (peers, rules, CIDRs, communities). */
#define CONF_LIST_MAX		1024

/* Defaults, also documented in podbgpd.yaml(5). */
#define CONF_DEF_HOLD_TIME	90
#define CONF_DEF_RESTART_TIME	120
#define CONF_DEF_STALE_TIME	360
#define CONF_DEF_FIB_TABLE	254	/* RT_TABLE_MAIN */
#define CONF_DEF_FIB_PROTOCOL	196
#define CONF_DEF_MAX_PATHS	16
#define CONF_DEF_KUBE_PAGE_SIZE	500
#define CONF_DEF_KUBE_WATCH_TIMEOUT	300	/* s */
#define CONF_DEF_STARTUP_TIMEOUT 60	/* s, before READY=1 anyway */
#define CONF_DEF_CTL_MODE	0660
#define CONF_DEF_RO_MODE	0666
#define CONF_DEF_REFLECTOR_LABEL "podbgp.io/route-reflector=true"
#ifndef RUNSTATEDIR
#define RUNSTATEDIR		"/run"
#endif
#define CONF_DEF_CTL_SOCKET	RUNSTATEDIR "/podbgp/podbgpd.ctl"
#define CONF_DEF_RO_SOCKET	RUNSTATEDIR "/podbgp/podbgpd.ro.ctl"

struct conf_error {
	unsigned	line;		/* 1-based; 0: not tied to a place */
	unsigned	column;		/* 1-based */
	char		text[CONF_ERR_LEN];	/* "file:line:col: message" */
};

struct conf_errors {
	size_t			n;		/* entries used in e[] */
	size_t			dropped;	/* further errors not stored */
	struct conf_error	e[CONF_ERR_MAX];
};

enum conf_nodes_source {
	CONF_NODES_KUBERNETES = 0,
	CONF_NODES_FILE,
};

enum conf_mesh_mode {
	CONF_MESH_NONE = 0,
	CONF_MESH_FULL,
	CONF_MESH_RR,		/* route reflectors chosen by label */
};

enum conf_action {
	CONF_ACCEPT = 0,
	CONF_REJECT,
};

enum conf_log_level {
	CONF_LOG_ERROR = 0,
	CONF_LOG_WARNING,
	CONF_LOG_INFO,
	CONF_LOG_DEBUG,
};

enum conf_log_dest {
	CONF_LOG_STDERR = 0,
	CONF_LOG_SYSLOG,
};

/* A route matches when it lies inside prefix with a length in [ge, le]. */
struct conf_rule {
	struct prefix		prefix;
	uint8_t			ge;
	uint8_t			le;
	enum conf_action	action;
};

/*
 * Rules are tried in order, the first match decides. The default route is
 * refused before the rules unless allow_default is set. Routes no rule
 * matches get the built-in policy (see podbgpd.yaml(5)).
 */
struct conf_filter {
	bool			 allow_default;
	struct conf_rule	*rules;
	size_t			 nrules;
};

struct conf_community {
	uint16_t	asn;
	uint16_t	value;
};

struct conf_large_community {
	uint32_t	global;
	uint32_t	local1;
	uint32_t	local2;
};

struct conf_peer {
	struct ipaddr		 addr;
	uint32_t		 asn;
	char			*name;		/* NULL: unnamed */
	char			*description;	/* NULL: none */
	char			*password_file;	/* NULL: no TCP MD5 */
	/*
	 * The TCP MD5 key itself, for peers built at run time (node
	 * annotations); never read from the YAML, never logged, never
	 * written by conf_write. Takes precedence over password_file.
	 */
	char			*password;	/* NULL: none */
	uint32_t		 hold_time;	/* 0 or 3..65535 */
	uint32_t		 keepalive;	/* default hold_time / 3 */
	bool			 ttl_security;	/* GTSM, RFC 5082 */
	uint32_t		 multihop;	/* 0: directly connected */
	struct ipaddr		 local_addr;	/* family 0: unset */
	uint16_t		 port;		/* the peer's; 0: 179 */
	bool			 passive;
	bool			 graceful_restart;
	struct conf_filter	 import;
	struct conf_filter	 export;
	uint32_t		 max_prefixes;	/* 0: no limit */
	uint32_t		 max_prefixes_restart;	/* s; 0: stay down */
	struct conf_community	*communities;
	size_t			 ncommunities;
	struct conf_large_community *large_communities;
	size_t			 nlarge_communities;
};

struct conf {
	char			*node_name;	/* NULL: NODE_NAME, hostname */

	enum conf_nodes_source	 nodes_source;
	char			*kubeconfig;	/* NULL: in-cluster */
	char			*kube_context;	/* NULL: current-context */
	uint32_t		 kube_page_size;	/* nodes per list page */
	uint32_t		 kube_watch_timeout;	/* s */
	char			*nodes_file;	/* with CONF_NODES_FILE */

	struct prefix		*cluster_cidrs;
	size_t			 ncluster_cidrs;

	uint32_t		 asn;
	uint32_t		 router_id;	/* host order; 0: unset */
	enum conf_mesh_mode	 mesh_mode;
	char			*reflector_label;	/* label key */
	char			*reflector_value;	/* NULL: key present */
	uint32_t		 cluster_id;	/* host order; 0: unset */
	uint32_t		 restart_time;
	uint32_t		 stale_time;
	struct conf_peer	*peers;
	size_t			 npeers;

	uint32_t		 fib_table;
	uint32_t		 fib_protocol;
	uint32_t		 max_paths;
	bool			 fib_install;	/* false: kernel untouched */
	bool			 keep_on_exit;
	bool			 blackhole_own_cidr;
	/* recursive next hops may resolve through the default route */
	bool			 resolve_via_default;
	/* a route of ours deleted by someone else is put back */
	bool			 reinstall_deleted;

	char			*ctl_socket;
	uint32_t		 ctl_mode;
	char			*ctl_group;		/* NULL: our group */
	char			*ro_socket;		/* NULL: disabled */
	uint32_t		 ro_mode;

	enum conf_log_level	 log_level;
	enum conf_log_dest	 log_dest;

	/* s the start waits for convergence before READY=1; 0: none */
	uint32_t		 startup_timeout;
};

/*
 * Reads the file at path. Returns a new struct conf (free with conf_free())
 * or NULL, in which case errs holds at least one message (unless memory ran
 * out, then errs may be empty). errs is reset first. path is used as given
 * in the messages.
 */
struct conf	*conf_load(const char *path, struct conf_errors *errs);
/* The same from len bytes at data; name stands for the file in messages. */
struct conf	*conf_load_buf(const char *name, const void *data, size_t len,
		    struct conf_errors *errs);
/* conf_free(NULL) is a no-op. */
void		 conf_free(struct conf *c);

/*
 * Writes c as YAML with every default explicit; conf_load() of the output
 * gives a struct for which conf_equal() holds. Returns 0, or -1 if a write
 * to f failed.
 */
int		 conf_write(FILE *f, const struct conf *c);
bool		 conf_equal(const struct conf *a, const struct conf *b);
/*
 * The graceful-restart state file that goes with the control socket path
 * socket: the same directory and name, with the name's last suffix
 * (".ctl", ".socket") replaced by ".state", or ".state" appended if the
 * name has none or it is ".state" already: "/run/podbgp/podbgpd.ctl"
 * gives "/run/podbgp/podbgpd.state".
 * Writes it to dst (len bytes). Returns 0, -1 if it does not fit or
 * socket is empty or ends in '/'.
 */
int		 conf_state_path(const char *socket, char *dst, size_t len);
/* Prints each stored error on its own line, then a count of dropped ones. */
void		 conf_errors_print(FILE *f, const struct conf_errors *errs);
/* The peer with that address, or NULL. */
const struct conf_peer	*conf_peer_find(const struct conf *c,
			    const struct ipaddr *addr);

/*
 * A deep copy of src into dst (whose old contents are not freed),
 * password included. Returns 0, or -1 out of memory with dst cleared.
 */
int		 conf_peer_copy(struct conf_peer *dst,
		    const struct conf_peer *src);
/* Frees what p owns, wipes the password, zeroes p. NULL: no-op. */
void		 conf_peer_clear(struct conf_peer *p);

enum conf_peer_delta {
	CONF_PEER_SAME = 0,
	CONF_PEER_SOFT,		/* policy or names: a route refresh will do */
	CONF_PEER_RESET,	/* a session parameter: the session restarts */
};

/* How b differs from a, the same peer (address) in two configs. */
enum conf_peer_delta	conf_peer_compare(const struct conf_peer *a,
			    const struct conf_peer *b);

/* What changed between two configs, for reload. */
#define CONF_CH_NODE_NAME	0x0001
#define CONF_CH_NODES		0x0002	/* node source, kubeconfig, file */
#define CONF_CH_CLUSTER_CIDRS	0x0004
#define CONF_CH_ASN		0x0008
#define CONF_CH_ROUTER_ID	0x0010
#define CONF_CH_MESH		0x0020
#define CONF_CH_GR		0x0040	/* graceful-restart timers */
#define CONF_CH_FIB		0x0080
#define CONF_CH_CONTROL		0x0100
#define CONF_CH_LOG		0x0200

struct conf_peer_change {
	const struct conf_peer	*old;
	const struct conf_peer	*new;
	/*
	 * true when a session parameter changed (asn, timers, TTL, addresses,
	 * password, passive, graceful restart): the session must restart.
	 * false when only policy or names changed: a route refresh will do.
	 */
	bool			 reset;
};

struct conf_diff {
	unsigned			  flags;	/* CONF_CH_* */
	const struct conf_peer		**added;	/* in new */
	size_t				  nadded;
	const struct conf_peer		**removed;	/* in old */
	size_t				  nremoved;
	struct conf_peer_change		 *changed;
	size_t				  nchanged;
};

/*
 * Compares old and new; peers are matched by address. The result points
 * into both configs and is valid while they are. Returns NULL when out of
 * memory; free with conf_diff_free(). A change of CONF_CH_ASN or
 * CONF_CH_ROUTER_ID affects every session; the peer lists do not repeat it.
 */
struct conf_diff	*conf_diff(const struct conf *old,
			    const struct conf *new);
void			 conf_diff_free(struct conf_diff *d);
/* True when nothing at all changed. */
bool			 conf_diff_empty(const struct conf_diff *d);

#endif
