/*
 * sdnotify: see sdnotify.h. Failures to notify are logged and otherwise
 * ignored: the daemon works the same whether anyone listens or not.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sdnotify.h"

static struct sockaddr_un	notify_sa;
static socklen_t		notify_salen;	/* 0: notifications off */
static uint64_t			watchdog_usec;

/* Parses a decimal unsigned number with nothing after it. */
static int
parse_u64(const char *s, uint64_t *v)
{
	char			*end;
	unsigned long long	 n;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*v = n;
	return 0;
}

int
sdnotify_init(void)
{
	const char	*path, *s;
	size_t		 len;
	uint64_t	 pid;

	notify_salen = 0;
	watchdog_usec = 0;
	if ((path = getenv("NOTIFY_SOCKET")) == NULL || *path == '\0')
		return 0;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') ||
	    len >= sizeof(notify_sa.sun_path)) {
		log_warnx("NOTIFY_SOCKET=%s: not an absolute path or "
		    "@abstract name that fits a unix socket address; "
		    "not notifying the service manager", path);
		return -1;
	}
	memset(&notify_sa, 0, sizeof(notify_sa));
	notify_sa.sun_family = AF_UNIX;
	memcpy(notify_sa.sun_path, path, len);
	if (path[0] == '@')
		notify_sa.sun_path[0] = '\0';	/* abstract name */
	notify_salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    len + (path[0] == '@' ? 0 : 1));

	if (parse_u64(getenv("WATCHDOG_USEC"), &watchdog_usec) == -1)
		watchdog_usec = 0;
	/* sd_watchdog_enabled(3): the interval is for WATCHDOG_PID only. */
	if ((s = getenv("WATCHDOG_PID")) != NULL &&
	    (parse_u64(s, &pid) == -1 || pid != (uint64_t)getpid()))
		watchdog_usec = 0;
	return 1;
}

int
sdnotify_send(const char *msg)
{
	int	fd;
	ssize_t	n;

	if (notify_salen == 0)
		return 0;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("sd_notify: socket");
		return -1;
	}
	do {
		n = sendto(fd, msg, strlen(msg), MSG_NOSIGNAL,
		    (struct sockaddr *)&notify_sa, notify_salen);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		log_warn("sd_notify: sending \"%s\"", msg);
	close(fd);
	return n == -1 ? -1 : 0;
}

int
sdnotify_sendf(const char *fmt, ...)
{
	char	buf[512];
	va_list	ap;
	int	n;

	if (notify_salen == 0)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		log_warnx("sd_notify: message too long");
		return -1;
	}
	return sdnotify_send(buf);
}

uint64_t
sdnotify_watchdog_usec(void)
{
	return watchdog_usec;
}

uint64_t
sdnotify_monotonic_usec(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime(CLOCK_MONOTONIC)");
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}
