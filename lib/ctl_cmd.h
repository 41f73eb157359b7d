/*
 * ctl_cmd: the grammar of the control protocol (podbgpctl(8)), shared by
 * podbgpd and podbgpctl.
 *
 * A request is one line of words separated by blanks. Every keyword may be
 * shortened to any prefix that matches it alone at its place, as in birdc
 * ("sh pro" is "show protocols"); a word that matches several keywords, or
 * none, is an error whose text lists the candidates. A leading "json" asks
 * for the JSON form of the reply.
 *
 * A reply is a series of lines "CCCC-text" ending with one line
 * "CCCC text": four digits, then '-' while more lines follow or ' ' on the
 * last line. Code 0000 ends a successful reply, 1000-1999 carry data,
 * 8000-8999 are errors at run time, 9000-9999 errors in the request.
 *
 * Pure: nothing here logs, allocates or keeps state.
 */
#ifndef PODBGP_CTL_CMD_H
#define PODBGP_CTL_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "prefix.h"

/* Longest request line, newline excluded. */
#define CTL_LINE_MAX		1024
/* Longest protocol (peer) name. */
#define CTL_NAME_MAX		63
/* Room for any error text of ctl_cmd_parse. */
#define CTL_ERR_LEN		256

/* Reply codes; see podbgpctl(8). */
#define CTL_OK			0	/* end of a successful reply */
#define CTL_HELLO		1	/* greeting on connect */
#define CTL_R_STATUS		1000
#define CTL_R_PROTOCOLS		1002
#define CTL_R_PROTO_DETAIL	1006
#define CTL_R_ROUTE		1007
#define CTL_R_ROUTE_DETAIL	1008
#define CTL_R_ROUTE_COUNT	1009
#define CTL_R_MEMORY		1011
#define CTL_R_NODES		1013
#define CTL_R_HELP		1014
#define CTL_R_CONFIG		1015	/* what configure did or found */
#define CTL_R_ACTION		1016	/* what enable/disable/... did */
#define CTL_R_FIB		1017	/* show fib: a route of ours */
#define CTL_R_FIB_DIFF		1018	/* show fib: kernel and RIB differ */
#define CTL_R_FIB_SUMMARY	1019
#define CTL_R_EXPLAIN		1020	/* show route ... explain */
#define CTL_R_JSON		1100	/* a line of a JSON document */
#define CTL_E_NO_PROTOCOL	8001	/* no protocol of that name */
#define CTL_E_NOT_IMPL		8002	/* command not implemented yet */
#define CTL_E_DENIED		8003	/* read-only socket */
#define CTL_E_BUSY		8004	/* too many clients */
#define CTL_E_INTERNAL		8005	/* out of memory and the like */
#define CTL_E_CONFIG		8006	/* configuration errors, refused */
#define CTL_E_NO_FIB		8007	/* fib.install off, or not running */
#define CTL_E_SYNTAX		9001	/* unknown, ambiguous, malformed */
#define CTL_E_TOO_LONG		9002	/* request line too long */

enum ctl_cmd_id {
	CTL_CMD_HELP = 0,
	CTL_CMD_SHOW_STATUS,
	CTL_CMD_SHOW_PROTOCOLS,
	CTL_CMD_SHOW_ROUTE,
	CTL_CMD_SHOW_NODES,
	CTL_CMD_SHOW_MEMORY,
	CTL_CMD_ENABLE,
	CTL_CMD_DISABLE,
	CTL_CMD_RESTART,
	CTL_CMD_CONFIGURE,
	CTL_CMD_DOWN,
	CTL_CMD_SHOW_FIB,
	CTL_CMD_MAX
};

enum ctl_route_match {
	CTL_MATCH_ANY = 0,	/* every prefix */
	CTL_MATCH_PREFIX,	/* exactly this prefix */
	CTL_MATCH_FOR,		/* the most specific route to an address */
};

struct ctl_cmd {
	enum ctl_cmd_id		id;
	bool			json;
	bool			all;		/* show protocols/route all */
	bool			count;		/* show route/fib count */
	bool			explain;	/* show route ... explain */
	bool			kernel;		/* show route ... table kernel */
	bool			check;		/* configure check */
	bool			flush;		/* down --flush */
	/* configure [check] FILE; "" if none */
	char			file[CTL_LINE_MAX + 1];
	/* show protocols NAME, enable/disable/restart NAME; "" if none */
	char			name[CTL_NAME_MAX + 1];
	/* show route protocol NAME; "" if none */
	char			proto[CTL_NAME_MAX + 1];
	enum ctl_route_match	match;
	struct prefix		prefix;		/* CTL_MATCH_PREFIX */
	struct ipaddr		addr;		/* CTL_MATCH_FOR */
};

/*
 * Parses one request line (no newline). Returns 0 and fills *cmd, or -1
 * with a message in err (errlen bytes; CTL_ERR_LEN is enough) that names
 * the offending word and what was expected there; after a failure
 * cmd->json still tells whether the request began with "json", so that
 * the error can be answered in JSON.
 */
int	ctl_cmd_parse(const char *line, struct ctl_cmd *cmd, char *err,
	    size_t errlen);
/* Whether the read-only socket serves the command (show and help). */
bool	ctl_cmd_readonly(enum ctl_cmd_id id);
/* The full command name ("show protocols"); never NULL. */
const char	*ctl_cmd_name(enum ctl_cmd_id id);

/*
 * The help text, one line per entry, NULL-terminated: "SYNTAX  what".
 */
const char *const	*ctl_help_lines(void);

/*
 * Splits a reply line (no newline) into its code, whether it is the last
 * line of the reply, and its text. Returns 0, or -1 if the line does not
 * start with four digits and '-' or ' '.
 */
int	ctl_reply_parse(const char *line, unsigned *code, bool *last,
	    const char **text);

#endif
