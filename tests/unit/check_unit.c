/*
 * Runs every lib/ suite in one process so Check prints one summary with the
 * total count. CK_RUN_SUITE / CK_RUN_CASE select a part, as usual with Check.
 */
#include <stdio.h>
#include <stdlib.h>

#include "check_unit.h"

int
test_read_file(const char *rel, unsigned char **out, size_t *len)
{
	char		 path[4096];
	FILE		*f;
	long		 n;

	snprintf(path, sizeof(path), "%s/%s", TEST_DATADIR, rel);
	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) == -1 ||
	    (*out = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return -1;
	}
	*len = fread(*out, 1, (size_t)n, f);
	fclose(f);
	return *len == (size_t)n ? 0 : -1;
}

int
main(void)
{
	Suite *(*const suites[])(void) = {
		buf_suite,
		prefix_suite,
		bgp_msg_suite,
		bgp_attr_suite,
		bgp_fsm_suite,
		conf_suite,
		sessions_suite,
		policy_suite,
		rib_suite,
		node_suite,
		nodes_file_suite,
		kube_node_suite,
		ctl_cmd_suite,
		kubeconfig_suite,
	};
	SRunner	*sr;
	size_t	 i;
	int	 failed;

	sr = srunner_create(NULL);
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		srunner_add_suite(sr, suites[i]());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
