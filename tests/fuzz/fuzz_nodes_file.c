/*
 * libFuzzer target for the nodes file loader: any bytes must give a node
 * set or error messages, never a crash, a leak or a hang. Every loaded
 * record must pass node_validate(), a loaded set must equal itself and a
 * copy of itself, and its diff against either must be empty: a reload of
 * an unchanged file must cause no BGP or FIB change.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "nodes_file.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_empty_diff(const struct node_set *a, const struct node_set *b)
{
	struct node_diff	*d;

	if ((d = node_set_diff(a, b)) == NULL)
		return;		/* out of memory is not a finding */
	if (!node_diff_empty(d))
		abort();
	node_diff_free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_errors	 errs;
	struct node_set		*s, *copy;
	struct node_overlap	*ov;
	struct node		*n;
	char			 err[NODE_ERR_LEN];
	size_t			 i, nov;

	if ((s = nodes_file_load_buf("fuzz.yaml", data, size, &errs)) == NULL)
		return 0;
	if ((copy = node_set_new()) == NULL) {
		node_set_free(s);
		return 0;
	}
	for (i = 0; i < s->n; i++) {
		if (node_validate(s->v[i], err, sizeof(err)) == -1)
			abort();	/* the loader let one by */
		if (!node_equal(s->v[i], s->v[i]))
			abort();
		if ((n = node_copy(s->v[i])) != NULL &&
		    node_set_add(copy, n) != 0)
			node_free(n);
	}
	if (!node_set_equal(s, s))
		abort();
	check_empty_diff(s, s);
	if (copy->n == s->n) {
		if (!node_set_equal(s, copy))
			abort();
		check_empty_diff(s, copy);
		check_empty_diff(copy, s);
	}
	if (node_set_overlaps(s, &ov, &nov) == 0) {
		for (i = 0; i < nov; i++)
			if (ov[i].winner == ov[i].loser ||
			    !prefix_overlaps(&ov[i].winner_cidr,
			    &ov[i].loser_cidr))
				abort();
		free(ov);
	}
	node_set_free(copy);
	node_set_free(s);
	return 0;
}
