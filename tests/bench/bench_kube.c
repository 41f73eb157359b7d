/*
 * kube_node throughput on one NodeList page of N realistic Nodes (about
 * 5 KB each, as the API server sends them: managedFields, conditions,
 * images and nodeInfo around the few fields podbgp reads). Prints MB/s and
 * ms per page; never passes or fails.
 *
 *   bench_kube [nodes] [rounds]
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kube_node.h"

struct out {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

static void	put(struct out *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			abort();
		if ((size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		o->cap = o->cap * 2 + (size_t)n + 1;
		if ((o->p = realloc(o->p, o->cap)) == NULL)
			abort();
	}
}

static const char *const conds[] = { "MemoryPressure", "DiskPressure",
    "PIDPressure", "NetworkUnavailable", "Ready" };

static void
make_node(struct out *o, unsigned i)
{
	unsigned	k;

	put(o, "{\"metadata\":{\"name\":\"worker-%u.k8s.example.com\","
	    "\"uid\":\"%08x-1d2e-4f5a-8b9c-%012x\",\"resourceVersion\":\"%u\","
	    "\"creationTimestamp\":\"2024-%02u-%02uT%02u:%02u:%02uZ\","
	    "\"labels\":{\"beta.kubernetes.io/arch\":\"amd64\","
	    "\"beta.kubernetes.io/os\":\"linux\",\"kubernetes.io/arch\":"
	    "\"amd64\",\"kubernetes.io/hostname\":\"worker-%u\","
	    "\"kubernetes.io/os\":\"linux\",\"node.kubernetes.io/instance-type\":"
	    "\"m5.xlarge\",\"topology.kubernetes.io/region\":\"eu-west-1\","
	    "\"topology.kubernetes.io/zone\":\"eu-west-1%c\",\"rack\":\"r%u\"},"
	    "\"annotations\":{\"node.alpha.kubernetes.io/ttl\":\"0\","
	    "\"kubeadm.alpha.kubernetes.io/cri-socket\":"
	    "\"unix:///var/run/containerd/containerd.sock\","
	    "\"volumes.kubernetes.io/controller-managed-attach-detach\":"
	    "\"true\",\"podbgp.io/asn\":\"%u\"},", i, i, i, 100000 + i,
	    1 + i % 12, 1 + i % 28, i % 24, i % 60, i / 60 % 60, i,
	    'a' + (char)(i % 3), i % 40, 64512 + i % 1000);
	put(o, "\"managedFields\":[");
	for (k = 0; k < 3; k++)
		put(o, "%s{\"manager\":\"%s\",\"operation\":\"Update\","
		    "\"apiVersion\":\"v1\",\"time\":\"2024-05-01T10:00:00Z\","
		    "\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:metadata\":"
		    "{\"f:annotations\":{\".\":{},\"f:node.alpha.kubernetes.io/"
		    "ttl\":{}},\"f:labels\":{\".\":{},\"f:kubernetes.io/arch\":"
		    "{},\"f:kubernetes.io/os\":{}}},\"f:spec\":{\"f:podCIDR\":{},"
		    "\"f:podCIDRs\":{\".\":{},\"v:\\\"10.%u.%u.0/24\\\"\":{}}},"
		    "\"f:status\":{\"f:conditions\":{\"k:{\\\"type\\\":"
		    "\\\"Ready\\\"}\":{\".\":{},\"f:lastHeartbeatTime\":{},"
		    "\"f:status\":{}}}}}}", k ? "," : "", k == 0 ? "kubelet" :
		    k == 1 ? "kube-controller-manager" : "kubeadm",
		    i >> 8 & 0xff, i & 0xff);
	put(o, "]},\"spec\":{\"podCIDR\":\"10.%u.%u.0/24\",\"podCIDRs\":"
	    "[\"10.%u.%u.0/24\",\"fd00:10:%x::/64\"],\"providerID\":"
	    "\"aws:///eu-west-1a/i-0%015x\",\"taints\":[{\"key\":"
	    "\"node.example.com/dedicated\",\"value\":\"infra\",\"effect\":"
	    "\"NoSchedule\"}]},", i >> 8 & 0xff, i & 0xff, i >> 8 & 0xff,
	    i & 0xff, i, i);
	put(o, "\"status\":{\"capacity\":{\"cpu\":\"4\",\"ephemeral-storage\":"
	    "\"101430960Ki\",\"hugepages-1Gi\":\"0\",\"hugepages-2Mi\":\"0\","
	    "\"memory\":\"16078412Ki\",\"pods\":\"110\"},\"allocatable\":"
	    "{\"cpu\":\"4\",\"ephemeral-storage\":\"93478772582\","
	    "\"hugepages-1Gi\":\"0\",\"hugepages-2Mi\":\"0\",\"memory\":"
	    "\"15976012Ki\",\"pods\":\"110\"},\"conditions\":[");
	for (k = 0; k < 5; k++)
		put(o, "%s{\"type\":\"%s\",\"status\":\"%s\","
		    "\"lastHeartbeatTime\":\"2024-05-01T10:%02u:00Z\","
		    "\"lastTransitionTime\":\"2024-05-01T10:00:00Z\",\"reason\":"
		    "\"Kubelet%s\",\"message\":\"kubelet has sufficient %s "
		    "available\"}", k ? "," : "", conds[k], k == 4 ? "True" :
		    "False", k, conds[k], conds[k]);
	put(o, "],\"addresses\":[{\"type\":\"InternalIP\",\"address\":"
	    "\"10.0.%u.%u\"},{\"type\":\"InternalIP\",\"address\":"
	    "\"2001:db8::%x\"},{\"type\":\"Hostname\",\"address\":"
	    "\"worker-%u\"}],\"daemonEndpoints\":{\"kubeletEndpoint\":"
	    "{\"Port\":10250}},\"nodeInfo\":{\"machineID\":\"ec2%029x\","
	    "\"systemUUID\":\"ec2%029x\",\"bootID\":\"%032x\","
	    "\"kernelVersion\":\"6.1.0-18-amd64\",\"osImage\":\"Debian GNU/"
	    "Linux 12 (bookworm)\",\"containerRuntimeVersion\":"
	    "\"containerd://1.7.13\",\"kubeletVersion\":\"v1.29.2\","
	    "\"kubeProxyVersion\":\"v1.29.2\",\"operatingSystem\":\"linux\","
	    "\"architecture\":\"amd64\"},\"images\":[", i >> 8 & 0xff,
	    i & 0xff, i + 1, i, i, i, i);
	for (k = 0; k < 8; k++)
		put(o, "%s{\"names\":[\"registry.k8s.io/image-%u@sha256:"
		    "%064x\",\"registry.k8s.io/image-%u:v1.%u.0\"],"
		    "\"sizeBytes\":%u}", k ? "," : "", k, k * 7919 + i, k, k,
		    1000000 + k * 4099);
	put(o, "]}}");
}

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct out		 o = { NULL, 0, 0 };
	struct kube_page	 pg;
	char			 err[KUBE_ERR_LEN];
	unsigned		 nodes = 5000, rounds = 5, i;
	double			 t0, best = 1e9, t;

	if (argc > 1)
		nodes = (unsigned)strtoul(argv[1], NULL, 10);
	if (argc > 2)
		rounds = (unsigned)strtoul(argv[2], NULL, 10);
	put(&o, "{\"kind\":\"NodeList\",\"apiVersion\":\"v1\",\"metadata\":"
	    "{\"resourceVersion\":\"987654\"},\"items\":[");
	for (i = 0; i < nodes; i++) {
		if (i > 0)
			put(&o, ",");
		make_node(&o, i);
	}
	put(&o, "]}\n");
	for (i = 0; i < rounds; i++) {
		t0 = now();
		if (kube_parse_node_list(o.p, o.len, &pg, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "bench_kube: %s\n", err);
			return 1;
		}
		t = now() - t0;
		if (t < best)
			best = t;
		if (pg.nodes->n != nodes || pg.nskipped != 0) {
			fprintf(stderr, "bench_kube: %zu nodes, %zu skipped%s%s\n",
			    pg.nodes->n, pg.nskipped, pg.nskipped ? ": " : "",
			    pg.nskipped ? pg.skipped[0].why : "");
			return 1;
		}
		kube_page_clear(&pg);
	}
	printf("kube_node: %u nodes, %.1f MB (%.0f bytes/node): best of %u "
	    "%.1f ms, %.1f MB/s\n", nodes, o.len / 1e6,
	    (double)o.len / (nodes ? nodes : 1), rounds, best * 1e3,
	    o.len / 1e6 / best);
	free(o.p);
	return 0;
}
