/*
 * libFuzzer target for the Kubernetes JSON reader: any bytes, read both as
 * a list page and as a watch event, must give a result or a message, never
 * a crash, a leak or a hang. Every node returned must pass node_validate()
 * and equal its copy; every skipped node must say why.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kube_node.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_node(const struct node *n)
{
	struct node	*c;
	char		 err[NODE_ERR_LEN];

	if (node_validate(n, err, sizeof(err)) == -1)
		abort();	/* the reader let one by */
	if ((c = node_copy(n)) == NULL)
		return;		/* out of memory is not a finding */
	if (!node_equal(n, c) || node_validate(c, err, sizeof(err)) == -1)
		abort();
	node_free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kube_page	pg;
	struct kube_event	ev;
	char			err[KUBE_ERR_LEN];
	size_t			i;

	if (kube_parse_node_list(data, size, &pg, err, sizeof(err)) == 0) {
		for (i = 0; i < pg.nodes->n; i++)
			check_node(pg.nodes->v[i]);
		for (i = 0; i < pg.nskipped; i++)
			if (pg.skipped[i].why == NULL ||
			    pg.skipped[i].why[0] == '\0')
				abort();
		kube_page_clear(&pg);
	} else if (err[0] == '\0' || pg.nodes != NULL)
		abort();
	if (kube_parse_event(data, size, &ev, err, sizeof(err)) == 0) {
		if (ev.node != NULL)
			check_node(ev.node);
		if (ev.node == NULL && ev.type <= KUBE_EV_DELETED &&
		    (ev.why == NULL || ev.why[0] == '\0'))
			abort();
		kube_event_clear(&ev);
	} else if (err[0] == '\0' || ev.node != NULL)
		abort();
	return 0;
}
