/* One constructor per lib/ module's Check suite. */
#ifndef PODBGP_CHECK_UNIT_H
#define PODBGP_CHECK_UNIT_H

#include <check.h>

Suite	*buf_suite(void);
Suite	*prefix_suite(void);
Suite	*bgp_msg_suite(void);
Suite	*bgp_attr_suite(void);
Suite	*bgp_fsm_suite(void);
Suite	*conf_suite(void);
Suite	*sessions_suite(void);
Suite	*policy_suite(void);
Suite	*rib_suite(void);
Suite	*node_suite(void);
Suite	*nodes_file_suite(void);
Suite	*kube_node_suite(void);
Suite	*ctl_cmd_suite(void);
Suite	*kubeconfig_suite(void);

/* Reads a test data file under tests/data; the caller frees *out. */
int	test_read_file(const char *rel, unsigned char **out, size_t *len);

#endif
