/*
 * sdnotify: the service manager notification protocol of systemd, written
 * from its documentation (sd_notify(3)) so that podbgpd needs no
 * libsystemd: one datagram of "KEY=VALUE" lines to the unix socket named by
 * $NOTIFY_SOCKET, a path or, with a leading '@', an abstract name.
 */
#ifndef PODBGPD_SDNOTIFY_H
#define PODBGPD_SDNOTIFY_H

#include <stdint.h>

/*
 * Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID. Returns 1 when
 * notifications will be sent, 0 when NOTIFY_SOCKET is unset, -1 when it is
 * set but unusable (logged; notifications are then off).
 */
int		 sdnotify_init(void);
/* Sends msg; a no-op returning 0 when off. -1 on a failed send (logged). */
int		 sdnotify_send(const char *msg);
/* printf-style front end of sdnotify_send(). */
int		 sdnotify_sendf(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));
/*
 * The watchdog interval in microseconds asked for by the service manager,
 * 0 when none (unset, unparsable, or WATCHDOG_PID names another process).
 */
uint64_t	 sdnotify_watchdog_usec(void);
/* CLOCK_MONOTONIC in microseconds, as MONOTONIC_USEC wants it. */
uint64_t	 sdnotify_monotonic_usec(void);

#endif
