/*
 * log: formatting and delivery of podbgpd's messages (see log.h).
 *
 * Each stderr message is written with a single write(2), so lines from
 * this process never interleave mid-line. Logging never changes errno:
 * callers may log and then still test it.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX	1024

static struct {
	const char	*prog;
	enum log_dest	 dest;
	enum log_level	 level;
	unsigned	 debug;		/* LOG_CAT_* */
	bool		 syslog_open;
	int		 tty;		/* -1: not yet known */
} L = { "podbgpd", LOG_TO_STDERR, LOG_LVL_INFO, 0, false, -1 };

static const char *const level_names[] = {
	[LOG_LVL_ERROR] = "error",
	[LOG_LVL_WARNING] = "warning",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
};

static const struct {
	unsigned	 bit;
	const char	*name;
} cats[] = {
	{ LOG_CAT_FSM, "fsm" },
	{ LOG_CAT_UPDATE, "update" },
	{ LOG_CAT_FIB, "fib" },
	{ LOG_CAT_KUBE, "kube" },
	{ LOG_CAT_CTL, "ctl" },
};

void
log_init(const char *progname, enum log_dest dest, enum log_level level)
{
	if (progname != NULL)
		L.prog = progname;
	log_set_dest(dest);
	log_set_level(level);
}

void
log_set_level(enum log_level level)
{
	if (level > LOG_LVL_DEBUG)
		level = LOG_LVL_DEBUG;
	/* Leaving debug turns the categories off that it had turned on. */
	if (level == LOG_LVL_DEBUG)
		L.debug = LOG_CAT_ALL;
	else if (L.level == LOG_LVL_DEBUG)
		L.debug = 0;
	L.level = level;
}

enum log_level
log_get_level(void)
{
	return L.level;
}

void
log_set_dest(enum log_dest dest)
{
	if (dest == LOG_TO_SYSLOG && !L.syslog_open) {
		openlog(L.prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		L.syslog_open = true;
	} else if (dest != LOG_TO_SYSLOG && L.syslog_open) {
		closelog();
		L.syslog_open = false;
	}
	L.dest = dest;
}

enum log_dest
log_get_dest(void)
{
	return L.dest;
}

int
log_level_parse(const char *s, enum log_level *level)
{
	size_t	i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

const char *
log_level_name(enum log_level level)
{
	if (level > LOG_LVL_DEBUG)
		return "?";
	return level_names[level];
}

void
log_debug_set(unsigned mask)
{
	L.debug = mask & LOG_CAT_ALL;
}

unsigned
log_debug_get(void)
{
	return L.debug;
}

void
log_debug_enable(unsigned cat, bool on)
{
	if (on)
		L.debug |= cat & LOG_CAT_ALL;
	else
		L.debug &= ~cat;
}

unsigned
log_debug_cat_parse(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(cats) / sizeof(cats[0]); i++)
		if (strcmp(name, cats[i].name) == 0)
			return cats[i].bit;
	return 0;
}

const char *
log_debug_cat_name(unsigned cat)
{
	size_t	i;

	for (i = 0; i < sizeof(cats) / sizeof(cats[0]); i++)
		if (cat == cats[i].bit)
			return cats[i].name;
	return NULL;
}

static int
syslog_prio(enum log_level level)
{
	switch (level) {
	case LOG_LVL_ERROR:
		return LOG_ERR;
	case LOG_LVL_WARNING:
		return LOG_WARNING;
	case LOG_LVL_INFO:
		return LOG_INFO;
	default:
		return LOG_DEBUG;
	}
}

/* Appends to buf at *off, keeping *off within size - 1 on truncation. */
static void
append(char *buf, size_t size, size_t *off, const char *fmt, ...)
    LOG_FMT(4, 5);

static void
append(char *buf, size_t size, size_t *off, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (*off >= size - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, size - *off, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= size - *off)
		*off = size - 1;
	else
		*off += (size_t)n;
}

static void
vappend(char *buf, size_t size, size_t *off, const char *fmt, va_list ap)
    LOG_FMT(4, 0);

static void
vappend(char *buf, size_t size, size_t *off, const char *fmt, va_list ap)
{
	int	n;

	if (*off >= size - 1)
		return;
	n = vsnprintf(buf + *off, size - *off, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= size - *off)
		*off = size - 1;
	else
		*off += (size_t)n;
}

static void
emit(enum log_level level, const char *msg)
{
	char		 line[LOG_LINE_MAX + 64];
	size_t		 off = 0;
	struct timespec	 ts;
	struct tm	 tm;
	ssize_t		 w;
	size_t		 done;

	if (L.dest == LOG_TO_SYSLOG) {
		syslog(syslog_prio(level), "%s", msg);
		return;
	}
	if (L.tty == -1)
		L.tty = isatty(STDERR_FILENO);
	if (L.tty && clock_gettime(CLOCK_REALTIME, &ts) == 0 &&
	    localtime_r(&ts.tv_sec, &tm) != NULL) {
		off = strftime(line, sizeof(line), "%Y-%m-%d %H:%M:%S", &tm);
		append(line, sizeof(line), &off, ".%03ld ",
		    ts.tv_nsec / 1000000);
	}
	append(line, sizeof(line), &off, "%s: %s\n", level_names[level], msg);
	if (line[off - 1] != '\n')
		line[off - 1] = '\n';	/* truncated: still end the line */
	for (done = 0; done < off; done += (size_t)w) {
		w = write(STDERR_FILENO, line + done, off - done);
		if (w == -1 && errno == EINTR) {
			w = 0;
			continue;
		}
		if (w <= 0)
			break;	/* nowhere left to complain */
	}
}

/*
 * The one formatter: optional prefix, the message, and ": strerror(errnum)"
 * when errnum is not 0.
 */
static void
vlog(enum log_level level, const char *prefix, int errnum, const char *fmt,
    va_list ap) LOG_FMT(4, 0);

static void
vlog(enum log_level level, const char *prefix, int errnum, const char *fmt,
    va_list ap)
{
	char	msg[LOG_LINE_MAX];
	size_t	off = 0;
	int	saved = errno;

	if (prefix != NULL)
		append(msg, sizeof(msg), &off, "%s", prefix);
	vappend(msg, sizeof(msg), &off, fmt, ap);
	if (errnum != 0)
		append(msg, sizeof(msg), &off, ": %s", strerror(errnum));
	msg[off] = '\0';
	emit(level, msg);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	e = errno;

	if (L.level < LOG_LVL_WARNING)
		return;
	va_start(ap, fmt);
	vlog(LOG_LVL_WARNING, NULL, e, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	if (L.level < LOG_LVL_WARNING)
		return;
	va_start(ap, fmt);
	vlog(LOG_LVL_WARNING, NULL, 0, fmt, ap);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERROR, NULL, 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	if (L.level < LOG_LVL_INFO)
		return;
	va_start(ap, fmt);
	vlog(LOG_LVL_INFO, NULL, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (L.level < LOG_LVL_DEBUG)
		return;
	va_start(ap, fmt);
	vlog(LOG_LVL_DEBUG, NULL, 0, fmt, ap);
	va_end(ap);
}

void
log_debugc(unsigned cat, const char *fmt, ...)
{
	va_list		 ap;
	char		 prefix[32];
	const char	*name;

	if ((L.debug & cat) == 0)
		return;
	name = log_debug_cat_name(cat);
	snprintf(prefix, sizeof(prefix), "%s: ", name != NULL ? name : "?");
	va_start(ap, fmt);
	vlog(LOG_LVL_DEBUG, prefix, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	e = errno;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERROR, "fatal: ", e, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERROR, "fatal: ", 0, fmt, ap);
	va_end(ap);
	exit(1);
}

static void
peer_prefix(char *dst, size_t len, const char *addr, const char *name)
{
	if (name != NULL)
		snprintf(dst, len, "neighbor %s (%s): ", addr, name);
	else
		snprintf(dst, len, "neighbor %s: ", addr);
}

void
log_peer_warnx(const char *addr, const char *name, const char *fmt, ...)
{
	va_list	ap;
	char	prefix[256];

	if (L.level < LOG_LVL_WARNING)
		return;
	peer_prefix(prefix, sizeof(prefix), addr, name);
	va_start(ap, fmt);
	vlog(LOG_LVL_WARNING, prefix, 0, fmt, ap);
	va_end(ap);
}

void
log_peer_info(const char *addr, const char *name, const char *fmt, ...)
{
	va_list	ap;
	char	prefix[256];

	if (L.level < LOG_LVL_INFO)
		return;
	peer_prefix(prefix, sizeof(prefix), addr, name);
	va_start(ap, fmt);
	vlog(LOG_LVL_INFO, prefix, 0, fmt, ap);
	va_end(ap);
}

void
log_node_warnx(const char *node, const char *fmt, ...)
{
	va_list	ap;
	char	prefix[300];

	if (L.level < LOG_LVL_WARNING)
		return;
	snprintf(prefix, sizeof(prefix), "node %s: ", node);
	va_start(ap, fmt);
	vlog(LOG_LVL_WARNING, prefix, 0, fmt, ap);
	va_end(ap);
}

uint64_t
log_now_ms(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime(CLOCK_MONOTONIC)");
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
log_rl_init(struct log_rl *rl, unsigned burst, unsigned interval_ms)
{
	memset(rl, 0, sizeof(*rl));
	rl->burst = burst > 0 ? burst : 1;
	rl->interval_ms = interval_ms > 0 ? interval_ms : 1;
}

bool
log_rl_allow(struct log_rl *rl, uint64_t now_ms, uint64_t *suppressed)
{
	/*
	 * Fixed point: a message costs interval_ms units and each
	 * millisecond adds burst units, so the bucket refills at exactly
	 * burst messages per interval without division or rounding.
	 */
	uint64_t	cap = rl->burst * rl->interval_ms;
	uint64_t	elapsed;

	if (suppressed != NULL)
		*suppressed = 0;
	if (!rl->started) {
		rl->started = true;
		rl->tokens = cap;
		rl->last_ms = now_ms;
	} else if (now_ms > rl->last_ms) {
		elapsed = now_ms - rl->last_ms;
		if (elapsed >= rl->interval_ms)
			rl->tokens = cap;	/* also avoids overflow */
		else {
			rl->tokens += elapsed * rl->burst;
			if (rl->tokens > cap)
				rl->tokens = cap;
		}
		rl->last_ms = now_ms;
	}
	if (rl->tokens < rl->interval_ms) {
		rl->suppressed++;
		return false;
	}
	rl->tokens -= rl->interval_ms;
	if (suppressed != NULL)
		*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}

void
log_rl_flush(struct log_rl *rl)
{
	if (rl->suppressed == 0)
		return;
	log_warnx("%" PRIu64 " similar messages suppressed", rl->suppressed);
	rl->suppressed = 0;
}

static void
vlog_rl(struct log_rl *rl, uint64_t now_ms, enum log_level level,
    const char *fmt, va_list ap) LOG_FMT(4, 0);

static void
vlog_rl(struct log_rl *rl, uint64_t now_ms, enum log_level level,
    const char *fmt, va_list ap)
{
	uint64_t	n;

	if (L.level < level)
		return;
	if (!log_rl_allow(rl, now_ms, &n))
		return;
	if (n > 0)
		log_warnx("%" PRIu64 " similar messages suppressed", n);
	vlog(level, NULL, 0, fmt, ap);
}

void
log_rl_warnx_at(struct log_rl *rl, uint64_t now_ms, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog_rl(rl, now_ms, LOG_LVL_WARNING, fmt, ap);
	va_end(ap);
}

void
log_rl_warnx(struct log_rl *rl, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog_rl(rl, log_now_ms(), LOG_LVL_WARNING, fmt, ap);
	va_end(ap);
}

void
log_rl_info(struct log_rl *rl, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog_rl(rl, log_now_ms(), LOG_LVL_INFO, fmt, ap);
	va_end(ap);
}
