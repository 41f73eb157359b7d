/*
 * session_driver: the session layer alone on its own event loop, for the
 * integration tests against real BGP speakers.
 *
 *	session_driver -f CONF [-p PORT] [-c PORT] [-o PREFIX]... [-w PREFIX]
 *
 * Loads CONF, announces each -o PREFIX as this node's pod CIDR and logs
 * at debug level to stderr. SIGUSR1 replaces the own prefixes with the
 * -w ones (a withdrawal test), SIGUSR2 prints every session as one line,
 * SIGTERM stops the sessions with an administrative shutdown and exits.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgp_attr.h"
#include "conf.h"
#include "log.h"
#include "policy.h"
#include "prefix.h"
#include "rib.h"
#include "session.h"

#define MAXPFX	16

static struct prefix	own[MAXPFX], alt[MAXPFX];
static size_t		nown, nalt;

static void
print_session(const struct session_info *si, void *arg)
{
	char	a[IPADDR_STRLEN];

	printf("%s %s AS%u %s rx=%llu accepted=%u families=%#x capa=%#x "
	    "hold=%u\n", si->name ? si->name : "-",
	    ipaddr_fmt(&si->addr, a, sizeof(a)), si->asn,
	    bgp_fsm_state_name(si->state),
	    (unsigned long long)si->prefixes_rx, si->prefixes_accepted,
	    si->families, si->capa, si->hold_time);
	fflush(stdout);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct event_base	*base = arg;

	switch (sig) {
	case SIGTERM:
	case SIGINT:
		log_info("stopping");
		session_stop_all("podbgpd shutting down");
		event_base_loopexit(base, NULL);
		break;
	case SIGUSR1:
		log_info("own prefixes replaced");
		session_set_own_prefixes(alt, nalt);
		break;
	case SIGUSR2:
		session_foreach(print_session, NULL);
		break;
	}
}

static int
add_prefix(struct prefix *set, size_t *n, const char *s)
{
	if (*n == MAXPFX || prefix_parse(s, &set[*n]) != PREFIX_OK) {
		fprintf(stderr, "session_driver: bad prefix %s\n", s);
		return -1;
	}
	(*n)++;
	return 0;
}

int
main(int argc, char *argv[])
{
	static const int	 sigs[] = { SIGTERM, SIGINT, SIGUSR1, SIGUSR2 };
	struct event		*sev[4];
	struct session_opts	 opts;
	struct conf_errors	 errs;
	struct event_base	*base;
	struct conf		*conf;
	struct rib		*rib;
	struct policy_ctx	*pol;
	struct bgp_attr_table	*attrs;
	const char		*path = NULL;
	size_t			 i;
	int			 ch;

	session_opts_default(&opts);
	while ((ch = getopt(argc, argv, "c:f:o:p:w:")) != -1) {
		switch (ch) {
		case 'c':
			opts.connect_port = (uint16_t)atoi(optarg);
			break;
		case 'f':
			path = optarg;
			break;
		case 'o':
			if (add_prefix(own, &nown, optarg) == -1)
				return 2;
			break;
		case 'p':
			opts.listen_port = (uint16_t)atoi(optarg);
			break;
		case 'w':
			if (add_prefix(alt, &nalt, optarg) == -1)
				return 2;
			break;
		default:
			return 2;
		}
	}
	if (path == NULL) {
		fprintf(stderr, "usage: session_driver -f CONF [-p PORT] "
		    "[-c PORT] [-o PREFIX]... [-w PREFIX]...\n");
		return 2;
	}
	log_init("session_driver", LOG_TO_STDERR, LOG_LVL_DEBUG);
	if ((conf = conf_load(path, &errs)) == NULL) {
		conf_errors_print(stderr, &errs);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((base = event_base_new()) == NULL ||
	    (rib = rib_new(NULL)) == NULL ||
	    (pol = policy_ctx_new(conf)) == NULL ||
	    (attrs = bgp_attr_table_new()) == NULL)
		fatalx("out of memory");
	for (i = 0; i < 4; i++) {
		sev[i] = evsignal_new(base, sigs[i], on_signal, base);
		if (sev[i] == NULL || evsignal_add(sev[i], NULL) == -1)
			fatalx("signal events");
	}
	if (session_init(base, conf, rib, pol, attrs) == -1)
		return 1;
	session_set_opts(&opts);
	if (session_set_own_prefixes(own, nown) == -1 ||
	    session_start_all() == -1)
		return 1;
	log_info("started, %zu peers", conf->npeers);
	event_base_dispatch(base);
	session_free_all();
	for (i = 0; i < 4; i++)
		event_free(sev[i]);
	rib_free(rib);
	bgp_attr_table_free(attrs);
	policy_ctx_free(pol);
	conf_free(conf);
	event_base_free(base);
	return 0;
}
