/*
 * kube_drive: kube.c without the rest of the daemon, for tests. Runs the
 * API client against the server of a kubeconfig and prints, on stdout,
 * one line per node change and per state change:
 *
 *   add NAME CIDRS ADDRS LABELS     a node appeared
 *   change NAME CIDRS ADDRS LABELS  a node's record changed
 *   del NAME                        a node went away
 *   nodes N                         end of one callback: N nodes now
 *   state STATE synced=yes|no lists=L relists=R watches=W errors=E
 *         events=V nodes=N rv=RV error=TEXT   (one line)
 *
 * CIDRS, ADDRS and LABELS are comma-separated ("-" when empty).
 * SIGUSR1 prints a state line; SIGTERM and SIGINT free everything and
 * exit 0 (so that leaks show under ASan).
 *
 * Usage: kube_drive [-v] [-c CONTEXT] [-p PAGE] [-w WATCH_S]
 *            [-b MIN_MS] [-B MAX_MS] [-s STALL_S] KUBECONFIG | -
 * "-" uses the in-cluster form (KUBERNETES_SERVICE_HOST...).
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "kube.h"
#include "log.h"
#include "node.h"

static struct node_set	*known;
static struct kube	*kube;

static void
print_node(const char *what, const struct node *n)
{
	char	t[PREFIX_STRLEN];
	size_t	i;

	printf("%s %s ", what, n->name);
	for (i = 0; i < n->ncidrs; i++)
		printf("%s%s", i > 0 ? "," : "", prefix_fmt(&n->cidrs[i], t,
		    sizeof(t)));
	printf("%s ", n->ncidrs == 0 ? "-" : "");
	for (i = 0; i < n->naddrs; i++)
		printf("%s%s", i > 0 ? "," : "", ipaddr_fmt(&n->addrs[i], t,
		    sizeof(t)));
	printf("%s ", n->naddrs == 0 ? "-" : "");
	for (i = 0; i < n->nlabels; i++)
		printf("%s%s=%s", i > 0 ? "," : "", n->labels[i].key,
		    n->labels[i].value);
	printf("%s\n", n->nlabels == 0 ? "-" : "");
}

static void
on_nodes(struct node_set *cur, void *arg)
{
	struct node_diff	*d;
	size_t			 i;

	(void)arg;
	if ((d = node_set_diff(known, cur)) == NULL)
		fatalx("out of memory");
	for (i = 0; i < d->nremoved; i++)
		printf("del %s\n", d->removed[i]->name);
	for (i = 0; i < d->nadded; i++)
		print_node("add", d->added[i]);
	for (i = 0; i < d->nchanged; i++)
		print_node("change", d->changed[i].new);
	node_diff_free(d);
	printf("nodes %zu\n", cur->n);
	fflush(stdout);
	node_set_free(known);
	known = cur;
}

static void
print_state(const struct kube_status *st)
{
	const char	*s = kube_state_name(st->state);

	printf("state %s synced=%s lists=%ju relists=%ju watches=%ju "
	    "errors=%ju events=%ju nodes=%zu rv=%s error=%s\n",
	    strcmp(s, "backing off") == 0 ? "backoff" : s,
	    st->synced ? "yes" : "no", (uintmax_t)st->lists,
	    (uintmax_t)st->relists, (uintmax_t)st->watches,
	    (uintmax_t)st->errors, (uintmax_t)st->events, st->nodes,
	    st->resource_version[0] != '\0' ? st->resource_version : "-",
	    st->last_error[0] != '\0' ? st->last_error : "-");
	fflush(stdout);
}

static void
on_state(const struct kube_status *st, void *arg)
{
	(void)arg;
	print_state(st);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct kube_status	st;

	(void)what;
	if (sig == SIGUSR1) {
		kube_status(kube, &st);
		print_state(&st);
		return;
	}
	event_base_loopbreak(arg);
}

static void
usage(void)
{
	fprintf(stderr, "usage: kube_drive [-v] [-c context] [-p page-size] "
	    "[-w watch-timeout] [-b min-ms] [-B max-ms] [-s stall-s] "
	    "kubeconfig|-\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct event_base	*base;
	struct event		*ev[3];
	struct kube_opts	 o;
	int			 ch, i;
	const int		 sigs[] = { SIGTERM, SIGINT, SIGUSR1 };

	memset(&o, 0, sizeof(o));
	log_init("kube_drive", LOG_TO_STDERR, LOG_LVL_INFO);
	while ((ch = getopt(argc, argv, "B:b:c:p:s:vw:")) != -1) {
		switch (ch) {
		case 'B':
			o.backoff_max_ms = (unsigned)atoi(optarg);
			break;
		case 'b':
			o.backoff_min_ms = (unsigned)atoi(optarg);
			break;
		case 'c':
			o.context = optarg;
			break;
		case 'p':
			o.page_size = (unsigned)atoi(optarg);
			break;
		case 's':
			o.stall_s = (unsigned)atoi(optarg);
			break;
		case 'v':
			log_set_level(LOG_LVL_DEBUG);
			break;
		case 'w':
			o.watch_timeout = (unsigned)atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	if (strcmp(argv[optind], "-") != 0)
		o.kubeconfig = argv[optind];
	signal(SIGPIPE, SIG_IGN);
	if ((base = event_base_new()) == NULL ||
	    (known = node_set_new()) == NULL)
		fatalx("out of memory");
	for (i = 0; i < 3; i++) {
		ev[i] = evsignal_new(base, sigs[i], on_signal, base);
		event_add(ev[i], NULL);
	}
	if ((kube = kube_new(base, &o, on_nodes, on_state, NULL)) == NULL)
		return 1;
	event_base_dispatch(base);
	kube_free(kube);
	node_set_free(known);
	for (i = 0; i < 3; i++)
		event_free(ev[i]);
	event_base_free(base);
	printf("stopped\n");
	return 0;
}
