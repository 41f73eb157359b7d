/*
 * log: podbgpd's only way to report anything at run time.
 *
 * Messages go to stderr, one line each, "LEVEL: text", or to syslog(3).
 * stderr lines carry a timestamp only when stderr is a terminal: under
 * systemd (journald) or a container runtime the collector stamps each line
 * itself, and a second stamp would only be noise.
 *
 * Levels, most to least severe: error, warning, info, debug. A message is
 * written when its level is at or above the configured one. Debug messages
 * of a category (fsm, update, fib, kube, ctl) are written when that
 * category is enabled, whatever the level; setting the level to debug
 * enables every category.
 *
 * Anything a remote (a peer, the API server) can trigger goes through a
 * struct log_rl rate limiter.
 */
#ifndef PODBGPD_LOG_H
#define PODBGPD_LOG_H

#include <stdbool.h>
#include <stdint.h>

#define LOG_FMT(a, b)	__attribute__((format(printf, a, b)))

enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARNING,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

enum log_dest {
	LOG_TO_STDERR = 0,
	LOG_TO_SYSLOG,
};

/* Debug categories, a bitmask. */
#define LOG_CAT_FSM	0x01
#define LOG_CAT_UPDATE	0x02
#define LOG_CAT_FIB	0x04
#define LOG_CAT_KUBE	0x08
#define LOG_CAT_CTL	0x10
#define LOG_CAT_ALL	0x1f

/*
 * Sets the program name (used as the syslog ident and in fatal messages),
 * the destination and the level. May be called again at any time, for
 * instance after a reload; switching away from syslog closes it.
 */
void	log_init(const char *progname, enum log_dest dest,
	    enum log_level level);
void	log_set_level(enum log_level level);
enum log_level	log_get_level(void);
void	log_set_dest(enum log_dest dest);
enum log_dest	log_get_dest(void);

/* Parses "error", "warning", "info", "debug". Returns 0 or -1. */
int	log_level_parse(const char *s, enum log_level *level);
const char	*log_level_name(enum log_level level);

/* Debug categories: set the whole mask, or one category on or off. */
void	 log_debug_set(unsigned mask);
unsigned log_debug_get(void);
void	 log_debug_enable(unsigned cat, bool on);
/* A category name ("fsm", ...) to its bit; 0 when unknown. */
unsigned log_debug_cat_parse(const char *name);
const char	*log_debug_cat_name(unsigned cat);

static inline bool
log_debug_on(unsigned cat)
{
	return (log_debug_get() & cat) != 0;
}

/* log_warn and fatal append ": strerror(errno)". */
void	log_warn(const char *fmt, ...) LOG_FMT(1, 2);
void	log_warnx(const char *fmt, ...) LOG_FMT(1, 2);
void	log_error(const char *fmt, ...) LOG_FMT(1, 2);
void	log_info(const char *fmt, ...) LOG_FMT(1, 2);
void	log_debug(const char *fmt, ...) LOG_FMT(1, 2);
/* Written when cat is enabled (see above). */
void	log_debugc(unsigned cat, const char *fmt, ...) LOG_FMT(2, 3);
/* For broken invariants and out of memory only, never for bad input. */
#define LOG_DEAD	__attribute__((noreturn))
void	fatal(const char *fmt, ...) LOG_FMT(1, 2) LOG_DEAD;
void	fatalx(const char *fmt, ...) LOG_FMT(1, 2) LOG_DEAD;

/*
 * "neighbor ADDR (NAME): text" and "node NAME: text"; name may be NULL
 * (then the parentheses are left out).
 */
void	log_peer_warnx(const char *addr, const char *name, const char *fmt,
	    ...) LOG_FMT(3, 4);
void	log_peer_info(const char *addr, const char *name, const char *fmt,
	    ...) LOG_FMT(3, 4);
void	log_node_warnx(const char *node, const char *fmt, ...)
	    LOG_FMT(2, 3);

/*
 * Token bucket: up to burst messages at once, refilled at burst per
 * interval_ms. A message arriving with the bucket empty is counted, not
 * written; the next one let through is preceded by one line saying how
 * many were suppressed.
 */
struct log_rl {
	uint64_t	burst;
	uint64_t	interval_ms;
	uint64_t	tokens;		/* 1/interval_ms of a message */
	uint64_t	last_ms;
	uint64_t	suppressed;
	bool		started;
};

/* burst and interval_ms are at least 1 (0 is taken as 1). */
void	log_rl_init(struct log_rl *rl, unsigned burst,
	    unsigned interval_ms);
/*
 * The decision alone: true when a message may be written at now_ms (a
 * monotonic clock in milliseconds), false when it was counted as
 * suppressed. *suppressed (if not NULL) receives the count to report
 * before the message, and the count is reset.
 */
bool	log_rl_allow(struct log_rl *rl, uint64_t now_ms,
	    uint64_t *suppressed);
/* Reports and resets the suppressed count, if any, without a message. */
void	log_rl_flush(struct log_rl *rl);
/* log_warnx/log_info through rl, at now_ms or at the monotonic clock. */
void	log_rl_warnx_at(struct log_rl *rl, uint64_t now_ms, const char *fmt,
	    ...) LOG_FMT(3, 4);
void	log_rl_warnx(struct log_rl *rl, const char *fmt, ...) LOG_FMT(2, 3);
void	log_rl_info(struct log_rl *rl, const char *fmt, ...) LOG_FMT(2, 3);

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t	log_now_ms(void);

#endif
