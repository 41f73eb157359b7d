/*
 * ctl_cmd: the control protocol's grammar; see ctl_cmd.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ctl_cmd.h"

#define CTL_WORDS_MAX	16

struct words {
	char	*w[CTL_WORDS_MAX];
	size_t	 n;
	size_t	 i;		/* next to read */
	char	 buf[CTL_LINE_MAX + 1];
};

static int
split(const char *line, struct words *ws, char *err, size_t errlen)
{
	char	*p;

	if (strlen(line) > CTL_LINE_MAX) {
		snprintf(err, errlen, "request longer than %d bytes",
		    CTL_LINE_MAX);
		return -1;
	}
	strcpy(ws->buf, line);
	ws->n = ws->i = 0;
	p = ws->buf;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (ws->n == CTL_WORDS_MAX) {
			snprintf(err, errlen, "more than %d words",
			    CTL_WORDS_MAX);
			return -1;
		}
		ws->w[ws->n++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r') {
			if (!isprint((unsigned char)*p)) {
				snprintf(err, errlen, "a control character "
				    "in the request");
				return -1;
			}
			p++;
		}
	}
	return 0;
}

/* Comma-separated list of the keywords, for error texts. */
static void
list_words(const char *const *kw, size_t n, char *dst, size_t len)
{
	size_t	i, off = 0;
	int	r;

	dst[0] = '\0';
	for (i = 0; i < n && off < len; i++) {
		r = snprintf(dst + off, len - off, "%s%s", i > 0 ? ", " : "",
		    kw[i]);
		if (r < 0)
			break;
		off += (size_t)r;
	}
}

/*
 * The keyword of kw[] that w names: an exact match, else the only one w
 * is a prefix of. Returns its index, -1 if none, -2 if ambiguous (the
 * candidates then in amb).
 */
static int
match(const char *w, const char *const *kw, size_t n, char *amb,
    size_t amblen)
{
	const char	*cand[CTL_WORDS_MAX];
	size_t		 i, nc = 0, wl = strlen(w);
	int		 found = -1;

	for (i = 0; i < n; i++) {
		if (strcmp(w, kw[i]) == 0)
			return (int)i;
		if (strncmp(w, kw[i], wl) == 0) {
			if (nc < CTL_WORDS_MAX)
				cand[nc++] = kw[i];
			found = (int)i;
		}
	}
	if (nc > 1) {
		list_words(cand, nc, amb, amblen);
		return -2;
	}
	return found;
}

/*
 * Matches the next word against kw[]; on failure the error says where
 * (after what) and which keywords would do.
 */
static int
next_kw(struct words *ws, const char *after, const char *const *kw,
    size_t n, char *err, size_t errlen)
{
	char		 list[160];
	const char	*w;
	int		 k;

	if (ws->i == ws->n) {
		list_words(kw, n, list, sizeof(list));
		snprintf(err, errlen, "incomplete command: %s what? one of: "
		    "%s", after, list);
		return -1;
	}
	w = ws->w[ws->i];
	k = match(w, kw, n, list, sizeof(list));
	if (k == -2) {
		snprintf(err, errlen, "ambiguous word '%.32s' after '%s': it "
		    "may be %s", w, after, list);
		return -1;
	}
	if (k == -1) {
		list_words(kw, n, list, sizeof(list));
		snprintf(err, errlen, "unknown word '%.32s' after '%s': "
		    "expected one of: %s", w, after, list);
		return -1;
	}
	ws->i++;
	return k;
}

static int
take_name(struct words *ws, const char *after, char *dst, char *err,
    size_t errlen)
{
	const char	*w;

	if (ws->i == ws->n) {
		snprintf(err, errlen, "incomplete command: a protocol name "
		    "must follow '%s'", after);
		return -1;
	}
	w = ws->w[ws->i++];
	if (strlen(w) > CTL_NAME_MAX) {
		snprintf(err, errlen, "protocol name '%.32s...' longer than "
		    "%d bytes", w, CTL_NAME_MAX);
		return -1;
	}
	strcpy(dst, w);
	return 0;
}

static int
no_more(struct words *ws, const char *after, char *err, size_t errlen)
{
	if (ws->i == ws->n)
		return 0;
	snprintf(err, errlen, "unexpected word '%.32s' after '%s'",
	    ws->w[ws->i], after);
	return -1;
}

static int
parse_protocols(struct words *ws, struct ctl_cmd *c, char *err,
    size_t errlen)
{
	static const char *const	kw[] = { "all" };
	char				amb[8];

	if (ws->i < ws->n && match(ws->w[ws->i], kw, 1, amb,
	    sizeof(amb)) == 0) {
		c->all = true;
		ws->i++;
	}
	if (ws->i < ws->n && take_name(ws, "show protocols", c->name, err,
	    errlen) == -1)
		return -1;
	return no_more(ws, "show protocols", err, errlen);
}

/*
 * The arguments of show route (fib false) and show fib (fib true): the
 * keywords in any order, at most one PREFIX or for ADDRESS.
 */
static int
parse_route(struct words *ws, struct ctl_cmd *c, bool fib, char *err,
    size_t errlen)
{
	static const char *const	kw[] = { "all", "count", "explain",
					    "for", "protocol", "table" };
	static const char *const	fkw[] = { "count", "for" };
	static const char *const	tables[] = { "kernel" };
	enum { K_ALL, K_COUNT, K_EXPLAIN, K_FOR, K_PROTOCOL, K_TABLE };
	const char *const		*kws = fib ? fkw : kw;
	size_t				 nkw = fib ? 2 : 6;
	const char			*after = fib ? "show fib" :
					    "show route";
	char				 amb[64];
	const char			*w;
	enum prefix_status		 ps;
	int				 k;

	while (ws->i < ws->n) {
		w = ws->w[ws->i];
		k = match(w, kws, nkw, amb, sizeof(amb));
		if (k == -2) {
			snprintf(err, errlen, "ambiguous word '%.32s' after "
			    "'%s': it may be %s", w, after, amb);
			return -1;
		}
		if (k == -1) {
			/* not a keyword: a prefix */
			if (c->match != CTL_MATCH_ANY) {
				snprintf(err, errlen, "only one prefix or "
				    "'for ADDRESS' per request: '%.32s'", w);
				return -1;
			}
			ps = prefix_parse(w, &c->prefix);
			if (ps == PREFIX_HOSTBITS) {
				char	s[PREFIX_STRLEN];

				snprintf(err, errlen, "'%.64s' has host bits "
				    "set: did you mean %s?", w,
				    prefix_fmt(&c->prefix, s, sizeof(s)));
				return -1;
			}
			if (ps != PREFIX_OK) {
				snprintf(err, errlen, "unknown word '%.32s' "
				    "after '%s': expected %s", w, after, fib ?
				    "count, for or a prefix" : "all, count, "
				    "explain, for, protocol, table or a "
				    "prefix");
				return -1;
			}
			c->match = CTL_MATCH_PREFIX;
			ws->i++;
			continue;
		}
		ws->i++;
		if (fib)
			k = k == 0 ? K_COUNT : K_FOR;
		switch (k) {
		case K_ALL:
			c->all = true;
			break;
		case K_COUNT:
			c->count = true;
			break;
		case K_EXPLAIN:
			c->explain = true;
			break;
		case K_FOR:
			if (c->match != CTL_MATCH_ANY) {
				snprintf(err, errlen, "only one prefix or "
				    "'for ADDRESS' per request");
				return -1;
			}
			if (ws->i == ws->n) {
				snprintf(err, errlen, "incomplete command: "
				    "an address must follow 'for'");
				return -1;
			}
			w = ws->w[ws->i++];
			if (ipaddr_parse(w, &c->addr) == -1) {
				snprintf(err, errlen, "'%.64s' is not an IPv4 "
				    "or IPv6 address", w);
				return -1;
			}
			c->match = CTL_MATCH_FOR;
			break;
		case K_PROTOCOL:
			if (c->proto[0] != '\0') {
				snprintf(err, errlen, "only one 'protocol' "
				    "per request");
				return -1;
			}
			if (take_name(ws, "protocol", c->proto, err,
			    errlen) == -1)
				return -1;
			break;
		case K_TABLE:
			if (next_kw(ws, "table", tables, 1, err,
			    errlen) == -1)
				return -1;
			c->kernel = true;
			break;
		}
	}
	if (c->explain && c->match == CTL_MATCH_ANY) {
		snprintf(err, errlen, "'explain' needs a PREFIX or 'for "
		    "ADDRESS'");
		return -1;
	}
	if (c->explain && (c->count || c->kernel)) {
		snprintf(err, errlen, "'explain' goes with neither 'count' "
		    "nor 'table kernel'");
		return -1;
	}
	if (c->kernel && c->proto[0] != '\0') {
		snprintf(err, errlen, "the kernel table has no 'protocol': "
		    "its routes are podbgp's");
		return -1;
	}
	return 0;
}

int
ctl_cmd_parse(const char *line, struct ctl_cmd *c, char *err, size_t errlen)
{
	static const char *const	top[] = { "show", "help", "enable",
					    "disable", "restart", "configure",
					    "down" };
	static const char *const	show[] = { "status", "protocols",
					    "route", "nodes", "memory", "fib" };
	static const char *const	conf_kw[] = { "check" };
	static const char *const	json_kw[] = { "json" };
	static const enum ctl_cmd_id	show_ids[] = { CTL_CMD_SHOW_STATUS,
					    CTL_CMD_SHOW_PROTOCOLS,
					    CTL_CMD_SHOW_ROUTE,
					    CTL_CMD_SHOW_NODES,
					    CTL_CMD_SHOW_MEMORY,
					    CTL_CMD_SHOW_FIB };
	struct words	ws;
	char		amb[8];
	int		k;

	memset(c, 0, sizeof(*c));
	if (split(line, &ws, err, errlen) == -1)
		return -1;
	if (ws.n == 0) {
		snprintf(err, errlen, "empty request: try 'help'");
		return -1;
	}
	/* "json" is spelt in full or shortened, as any keyword */
	if (match(ws.w[0], json_kw, 1, amb, sizeof(amb)) == 0) {
		c->json = true;
		ws.i++;
	}
	if ((k = next_kw(&ws, c->json ? "json" : "the start", top, 7, err,
	    errlen)) == -1)
		return -1;
	switch (k) {
	case 0:		/* show */
		if ((k = next_kw(&ws, "show", show, 6, err, errlen)) == -1)
			return -1;
		c->id = show_ids[k];
		if (c->id == CTL_CMD_SHOW_PROTOCOLS)
			return parse_protocols(&ws, c, err, errlen);
		if (c->id == CTL_CMD_SHOW_ROUTE ||
		    c->id == CTL_CMD_SHOW_FIB)
			return parse_route(&ws, c, c->id == CTL_CMD_SHOW_FIB,
			    err, errlen);
		return no_more(&ws, ctl_cmd_name(c->id), err, errlen);
	case 1:
		c->id = CTL_CMD_HELP;
		return no_more(&ws, "help", err, errlen);
	case 2:
	case 3:
	case 4:
		c->id = k == 2 ? CTL_CMD_ENABLE : k == 3 ? CTL_CMD_DISABLE :
		    CTL_CMD_RESTART;
		if (take_name(&ws, ctl_cmd_name(c->id), c->name, err,
		    errlen) == -1)
			return -1;
		return no_more(&ws, ctl_cmd_name(c->id), err, errlen);
	case 5:
		c->id = CTL_CMD_CONFIGURE;
		/* a word that is not (a prefix of) check is the file */
		if (ws.i < ws.n && match(ws.w[ws.i], conf_kw, 1, amb,
		    sizeof(amb)) == 0) {
			c->check = true;
			ws.i++;
		}
		if (ws.i < ws.n)
			strcpy(c->file, ws.w[ws.i++]);
		return no_more(&ws, c->check ? "configure check" :
		    "configure", err, errlen);
	default:
		c->id = CTL_CMD_DOWN;
		if (ws.i < ws.n && strcmp(ws.w[ws.i], "--flush") == 0) {
			c->flush = true;
			ws.i++;
		}
		return no_more(&ws, "down", err, errlen);
	}
}

bool
ctl_cmd_readonly(enum ctl_cmd_id id)
{
	switch (id) {
	case CTL_CMD_HELP:
	case CTL_CMD_SHOW_STATUS:
	case CTL_CMD_SHOW_PROTOCOLS:
	case CTL_CMD_SHOW_ROUTE:
	case CTL_CMD_SHOW_NODES:
	case CTL_CMD_SHOW_MEMORY:
	case CTL_CMD_SHOW_FIB:
		return true;
	default:
		return false;
	}
}

const char *
ctl_cmd_name(enum ctl_cmd_id id)
{
	static const char *const	names[CTL_CMD_MAX] = {
		[CTL_CMD_HELP] = "help",
		[CTL_CMD_SHOW_STATUS] = "show status",
		[CTL_CMD_SHOW_PROTOCOLS] = "show protocols",
		[CTL_CMD_SHOW_ROUTE] = "show route",
		[CTL_CMD_SHOW_NODES] = "show nodes",
		[CTL_CMD_SHOW_MEMORY] = "show memory",
		[CTL_CMD_ENABLE] = "enable",
		[CTL_CMD_DISABLE] = "disable",
		[CTL_CMD_RESTART] = "restart",
		[CTL_CMD_CONFIGURE] = "configure",
		[CTL_CMD_DOWN] = "down",
		[CTL_CMD_SHOW_FIB] = "show fib",
	};

	return (unsigned)id < CTL_CMD_MAX ? names[id] : "?";
}

const char *const *
ctl_help_lines(void)
{
	static const char *const	lines[] = {
		"show status                      version, node, router ID, "
		    "AS, uptime",
		"show protocols [all] [NAME]      BGP sessions; all: details",
		"show route [all] [count] [PREFIX | for ADDRESS] "
		    "[protocol NAME]",
		"                                 Loc-RIB routes; all: "
		    "attributes",
		"show route [all] PREFIX | for ADDRESS explain",
		"                                 why it is (not) selected "
		    "and in the kernel",
		"show route [count] [PREFIX | for ADDRESS] table kernel",
		"                                 podbgp's routes in the "
		    "kernel instead",
		"show fib [count] [PREFIX | for ADDRESS]",
		"                                 the kernel's routes of "
		    "podbgp, and what",
		"                                 differs from the Loc-RIB",
		"show nodes                       nodes from the node source",
		"show memory                      memory of the RIB and "
		    "attributes",
		"enable | disable | restart NAME  start, stop (stays down), "
		    "restart a session",
		"                                 NAME: peer or node name, "
		    "or address",
		"configure [check] [FILE]         load FILE (default: the "
		    "running file) and",
		"                                 apply the changes; check: "
		    "only validate",
		"down [--flush]                   stop podbgpd; --flush: "
		    "remove its routes",
		"                                 from the kernel too",
		"help                             this text",
		"json COMMAND                     the reply as JSON",
		"Keywords may be shortened to a unique prefix: sh pro, sh ro.",
		NULL,
	};

	return lines;
}

int
ctl_reply_parse(const char *line, unsigned *code, bool *last,
    const char **text)
{
	unsigned	v = 0;
	int		i;

	for (i = 0; i < 4; i++) {
		if (line[i] < '0' || line[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(line[i] - '0');
	}
	if (line[4] != '-' && line[4] != ' ')
		return -1;
	*code = v;
	*last = line[4] == ' ';
	*text = line + 5;
	return 0;
}
