/*
 * kubeconfig suite: what podbgpd makes of the kubeconfig an operator gives
 * it (the context kubectl would use, files found where kubectl finds
 * them, the -data forms decoded), the in-cluster form, and the messages
 * for what it cannot use, placed at file:line:column and never quoting a
 * secret.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_unit.h"
#include "kubeconfig.h"

static struct conf_errors	errs;

static struct kubeconfig *
load(const char *yaml, const char *context)
{
	return kubeconfig_load_buf("k.yaml", "/etc/kube", yaml, strlen(yaml),
	    context, &errs);
}

/* "PEM" and "KEY" in base64: UEVN, S0VZ */
static const char full[] =
    "apiVersion: v1\n"
    "kind: Config\n"
    "preferences: {}\n"
    "current-context: prod\n"
    "clusters:\n"
    "- name: lab\n"
    "  cluster:\n"
    "    server: http://lab.example:8080/\n"
    "    insecure-skip-tls-verify: true\n"
    "- name: prod\n"
    "  cluster:\n"
    "    server: https://10.0.0.1:6443\n"
    "    certificate-authority: pki/ca.crt\n"
    "    extensions: []\n"
    "users:\n"
    "- name: admin\n"
    "  user:\n"
    "    client-certificate-data: UEVN\n"
    "    client-key-data: S0VZ\n"
    "- name: bot\n"
    "  user:\n"
    "    token: abc.def\n"
    "    tokenFile: /var/run/token\n"
    "- name: plugin\n"
    "  user:\n"
    "    exec: {command: kubelogin}\n"
    "contexts:\n"
    "- name: prod\n"
    "  context: {cluster: prod, user: bot, namespace: kube-system}\n"
    "- name: lab\n"
    "  context:\n"
    "    cluster: lab\n"
    "    user: admin\n"
    "- name: anon\n"
    "  context: {cluster: lab}\n";

START_TEST(current_context)
{
	struct kubeconfig	*kc;

	kc = load(full, NULL);
	ck_assert_ptr_nonnull(kc);
	ck_assert_uint_eq(errs.n, 0);
	ck_assert_str_eq(kc->context, "prod");
	ck_assert_str_eq(kc->cluster, "prod");
	ck_assert_str_eq(kc->user, "bot");
	ck_assert_str_eq(kc->server, "https://10.0.0.1:6443");
	/* relative to the kubeconfig's directory, as kubectl does */
	ck_assert_str_eq(kc->ca.file, "/etc/kube/pki/ca.crt");
	ck_assert_ptr_null(kc->ca.data);
	ck_assert(!kc->insecure);
	ck_assert_str_eq(kc->token, "abc.def");
	ck_assert_str_eq(kc->token_file, "/var/run/token");
	ck_assert_ptr_null(kc->cert.file);
	ck_assert_ptr_null(kc->cert.data);
	kubeconfig_free(kc);
}
END_TEST

START_TEST(named_context)
{
	struct kubeconfig	*kc;

	kc = load(full, "lab");
	ck_assert_ptr_nonnull(kc);
	ck_assert_str_eq(kc->context, "lab");
	/* the trailing slash goes: paths are appended to it */
	ck_assert_str_eq(kc->server, "http://lab.example:8080");
	ck_assert(kc->insecure);
	ck_assert_uint_eq(kc->cert.len, 3);
	ck_assert_mem_eq(kc->cert.data, "PEM", 3);
	ck_assert_uint_eq(kc->key.len, 3);
	ck_assert_mem_eq(kc->key.data, "KEY", 3);
	ck_assert_ptr_null(kc->token);
	ck_assert_ptr_null(kc->token_file);
	kubeconfig_free(kc);

	/* no user: anonymous */
	kc = load(full, "anon");
	ck_assert_ptr_nonnull(kc);
	ck_assert_ptr_null(kc->user);
	ck_assert_ptr_null(kc->token);
	kubeconfig_free(kc);
}
END_TEST

START_TEST(ca_data)
{
	static const char y[] =
	    "current-context: c\n"
	    "clusters: [{name: c, cluster: {server: 'https://[fd00::1]:443',"
	    " certificate-authority-data: \"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0t"
	    "\\nLS0tCg==\"}}]\n"
	    "users: [{name: u, user: {tokenFile: tok, client-certificate: "
	    "c.pem, client-key: /k.pem}}]\n"
	    "contexts: [{name: c, context: {cluster: c, user: u}}]\n";
	struct kubeconfig	*kc;

	kc = load(y, NULL);
	ck_assert_ptr_nonnull(kc);
	ck_assert_str_eq(kc->server, "https://[fd00::1]:443");
	ck_assert_ptr_null(kc->ca.file);
	ck_assert_uint_eq(kc->ca.len, strlen("-----BEGIN CERTIFICATE-----\n"));
	ck_assert_str_eq((char *)kc->ca.data,
	    "-----BEGIN CERTIFICATE-----\n");
	ck_assert_str_eq(kc->token_file, "/etc/kube/tok");
	ck_assert_str_eq(kc->cert.file, "/etc/kube/c.pem");
	ck_assert_str_eq(kc->key.file, "/k.pem");
	kubeconfig_free(kc);
}
END_TEST

START_TEST(from_file)
{
	char			 dir[] = "/tmp/check_kubeconfig.XXXXXX", path[64];
	struct kubeconfig	*kc;
	FILE			*f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/config", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(full, f);
	fclose(f);
	kc = kubeconfig_load(path, NULL, &errs);
	ck_assert_ptr_nonnull(kc);
	snprintf(path, sizeof(path), "%s/pki/ca.crt", dir);
	ck_assert_str_eq(kc->ca.file, path);
	kubeconfig_free(kc);
	snprintf(path, sizeof(path), "%s/config", dir);
	unlink(path);
	rmdir(dir);

	ck_assert_ptr_null(kubeconfig_load("/nonexistent/kubeconfig", NULL,
	    &errs));
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_str_eq(errs.e[0].text, "/nonexistent/kubeconfig: cannot "
	    "open: No such file or directory");
}
END_TEST

#define CTX(c, u) \
	"contexts: [{name: x, context: {cluster: " c ", user: " u "}}]\n"
#define CLUSTER(body) "clusters: [{name: c, cluster: {" body "}}]\n"
#define USER(body) "users: [{name: u, user: {" body "}}]\n"
#define SRV "server: https://h"

static const struct {
	const char	*yaml;
	const char	*context;
	const char	*first;
	size_t		 nerrs;
} bad_cases[] = {
	{ "", NULL, "k.yaml: the kubeconfig is empty", 1 },
	{ "- a\n", NULL, "k.yaml:1:1: expected a mapping at the top level of "
	  "the kubeconfig", 1 },
	{ "clusters: [\n", NULL, "k.yaml:2:1: YAML syntax error: did not find "
	  "expected node content (while parsing a flow node at line 2)", 1 },
	{ "kind: Config\n" CTX("c", "u"), NULL, "k.yaml:1:1: no context to "
	  "use: 'current-context' is not set and no 'context' is given in "
	  "'nodes'", 1 },
	{ "current-context: \"\"\n", NULL, "k.yaml:1:18: no context to use: "
	  "'current-context' is not set and no 'context' is given in 'nodes'",
	  1 },
	{ "current-context: y\n" CTX("c", "u"), NULL, "k.yaml:1:18: context "
	  "'y' not found in 'contexts'", 1 },
	{ "current-context: x\n", "z", "k.yaml:1:1: context 'z' not found: "
	  "the kubeconfig has no 'contexts'", 1 },
	{ "current-context: x\n" CTX("c", "u") CLUSTER(SRV) USER("")
	  "contexts: []\n", NULL, "k.yaml:5:1: duplicate key 'contexts' "
	  "(first at line 2)", 1 },
	{ "current-context: x\n"
	  "contexts: [{name: x, context: {cluster: c}},\n"
	  "  {name: x, context: {cluster: d}}]\n", NULL,
	  "k.yaml:3:3: context 'x' is defined twice in 'contexts' (first at "
	  "line 2)", 1 },
	{ "current-context: x\ncontexts: [{name: x}]\n", NULL, "k.yaml:2:12: "
	  "context 'x' has no 'context' mapping", 1 },
	{ "current-context: x\ncontexts: [{name: x, context: {user: u}}]\n",
	  NULL, "k.yaml:2:31: context 'x' has no 'cluster'", 1 },
	{ "current-context: x\n" CTX("c", "u") "clusters: []\n" USER(""),
	  NULL, "k.yaml:2:41: cluster 'c' not found in 'clusters'", 1 },
	{ "current-context: x\n" CTX("c", "v") CLUSTER(SRV) USER(""), NULL,
	  "k.yaml:2:50: user 'v' not found in 'users'", 1 },
	{ "current-context: x\n" CTX("c", "u") CLUSTER("proxy-url: p") USER(""), NULL,
	  "k.yaml:3:31: cluster 'c' has no 'server'", 1 },
	{ "current-context: x\n" CTX("c", "u") CLUSTER("server: h:6443") USER(""),
	  NULL, "k.yaml:3:40: 'server' in cluster 'c' must start with "
	  "https:// (or http://)", 1 },
	{ "current-context: x\n" CTX("c", "u") CLUSTER("server: https://") USER(""),
	  NULL, "k.yaml:3:40: 'server' in cluster 'c' is not a URL of the "
	  "form https://HOST[:PORT][/PATH]", 1 },
	{ "current-context: x\n" CTX("c", "u") CLUSTER(SRV ", "
	  "certificate-authority-data: UEVN, certificate-authority: f") USER(""), NULL,
	  "k.yaml:3:85: 'certificate-authority' and "
	  "'certificate-authority-data' are both set in cluster 'c': keep one",
	  1 },
	{ "current-context: x\n" CTX("c", "u") CLUSTER(SRV ", "
	  "certificate-authority: f, insecure-skip-tls-verify: true") USER(""), NULL,
	  "k.yaml:3:77: 'insecure-skip-tls-verify' in cluster 'c' cannot be "
	  "used with a certificate authority", 1 },
	{ "current-context: x\n" CTX("c", "u") CLUSTER(SRV ", "
	  "insecure-skip-tls-verify: maybe") USER(""), NULL, "k.yaml:3:77: expected "
	  "true or false for 'insecure-skip-tls-verify', got \"maybe\"", 1 },
	{ "current-context: x\n" CTX("c", "u") CLUSTER(SRV ", "
	  "certificate-authority: [a]") USER(""), NULL, "k.yaml:3:74: expected a "
	  "non-empty text value for 'certificate-authority' in cluster 'c'",
	  1 },
	{ "current-context: x\n" CTX("c", "u") CLUSTER(SRV)
	  USER("exec: {command: x}"), NULL, "k.yaml:4:26: credential plugins "
	  "('exec') in user 'u': not supported by podbgpd (use a token, a "
	  "token file or a client certificate)", 1 },
	{ "current-context: x\n" CTX("c", "u") CLUSTER(SRV)
	  USER("username: a, password: s3cr3t"), NULL, "k.yaml:4:26: basic "
	  "authentication in user 'u': not supported by podbgpd (use a "
	  "token, a token file or a client certificate)", 1 },
	{ "current-context: x\n" CTX("c", "u") CLUSTER(SRV)
	  USER("client-certificate: c.pem"), NULL, "k.yaml:4:26: a client "
	  "certificate in user 'u' needs a key ('client-key' or "
	  "'client-key-data')", 1 },
	{ "current-context: x\n" CTX("c", "u") CLUSTER(SRV)
	  USER("client-key-data: UEVN"), NULL, "k.yaml:4:26: a client key in "
	  "user 'u' needs a certificate ('client-certificate' or "
	  "'client-certificate-data')", 1 },
	{ "current-context: x\n" CTX("c", "u") CLUSTER(SRV)
	  USER("client-certificate: c, client-key: k, client-key-data: "
	  "UEVN"), NULL, "k.yaml:4:64: 'client-key' and 'client-key-data' "
	  "are both set in user 'u': keep one", 1 },
	/* secrets are named by their key, never quoted */
	{ "current-context: x\n" CTX("c", "u") CLUSTER(SRV)
	  USER("client-certificate: c, client-key-data: s3cr3t!"), NULL,
	  "k.yaml:4:66: 'client-key-data' in user 'u' is not valid base64",
	  1 },
	{ "current-context: x\n" CTX("c", "u") CLUSTER(SRV)
	  USER("token: [s3cr3t]"), NULL, "k.yaml:4:33: expected a non-empty "
	  "text value for 'token' in user 'u'", 1 },
	{ "current-context: x\n" CTX("c", "u") CLUSTER(SRV)
	  USER("token: s3cr3t, token: s3cr3t2"), NULL, "k.yaml:4:41: "
	  "duplicate key 'token' (first at line 4)", 1 },
};

START_TEST(bad)
{
	struct kubeconfig	*kc;
	size_t			 j;

	kc = load(bad_cases[_i].yaml, bad_cases[_i].context);
	if (kc != NULL || errs.n == 0 ||
	    strcmp(errs.e[0].text, bad_cases[_i].first) != 0 ||
	    errs.n != bad_cases[_i].nerrs)
		ck_abort_msg("case %d: got %s (%zu errors), want %s", _i,
		    errs.n > 0 ? errs.e[0].text : "(none)", errs.n,
		    bad_cases[_i].first);
	for (j = 0; j < errs.n; j++)
		ck_assert_msg(strstr(errs.e[j].text, "s3cr3t") == NULL,
		    "a secret in: %s", errs.e[j].text);
	kubeconfig_free(kc);
}
END_TEST

START_TEST(in_cluster)
{
	struct kubeconfig	*kc;

	kc = kubeconfig_in_cluster("10.96.0.1", "443", NULL, &errs);
	ck_assert_ptr_nonnull(kc);
	ck_assert_str_eq(kc->server, "https://10.96.0.1:443");
	ck_assert_str_eq(kc->ca.file, KUBE_SA_DIR "/ca.crt");
	ck_assert_str_eq(kc->token_file, KUBE_SA_DIR "/token");
	ck_assert_ptr_null(kc->token);
	ck_assert_ptr_null(kc->context);
	kubeconfig_free(kc);

	kc = kubeconfig_in_cluster("fd00:10:96::1", "6443", "/tmp/sa/",
	    &errs);
	ck_assert_ptr_nonnull(kc);
	ck_assert_str_eq(kc->server, "https://[fd00:10:96::1]:6443");
	ck_assert_str_eq(kc->ca.file, "/tmp/sa/ca.crt");
	ck_assert_str_eq(kc->token_file, "/tmp/sa/token");
	kubeconfig_free(kc);

	ck_assert_ptr_null(kubeconfig_in_cluster(NULL, "443", NULL, &errs));
	ck_assert_str_eq(errs.e[0].text, "in-cluster configuration: "
	    "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set "
	    "(not in a pod?): set 'kubeconfig' in 'nodes'");
	ck_assert_ptr_null(kubeconfig_in_cluster("h", "", NULL, &errs));
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_ptr_null(kubeconfig_in_cluster("h/x", "443", NULL, &errs));
	ck_assert_str_eq(errs.e[0].text, "in-cluster configuration: "
	    "KUBERNETES_SERVICE_HOST is not a host name or an address");
	ck_assert_ptr_null(kubeconfig_in_cluster("h", "65536", NULL, &errs));
	ck_assert_str_eq(errs.e[0].text, "in-cluster configuration: "
	    "KUBERNETES_SERVICE_PORT is not a port number");
	ck_assert_ptr_null(kubeconfig_in_cluster("h", "-1", NULL, &errs));
	ck_assert_uint_eq(errs.n, 1);
}
END_TEST

/* RFC 4648 section 10, unpadded forms, spaces; then what is refused. */
static const struct {
	const char	*in;
	const char	*out;	/* NULL: refused */
} b64_cases[] = {
	{ "", "" },
	{ "Zg==", "f" },
	{ "Zm8=", "fo" },
	{ "Zm9v", "foo" },
	{ "Zm9vYg==", "foob" },
	{ "Zm9vYmE=", "fooba" },
	{ "Zm9vYmFy", "foobar" },
	{ "Zm9vYg", "foob" },
	{ "Zm9v\nYmFy\n", "foobar" },
	{ " Zm 9v ", "foo" },
	{ "Zm9v!", NULL },
	{ "Z", NULL },
	{ "Zg=", NULL },
	{ "Zg===", NULL },
	{ "Zg==Zg==", NULL },
	{ "Zh==", NULL },		/* bits left over */
	{ "Zm9v-_", NULL },		/* the URL alphabet */
};

START_TEST(base64)
{
	unsigned char	*out;
	size_t		 len;

	out = kube_base64_decode(b64_cases[_i].in, strlen(b64_cases[_i].in),
	    &len);
	if (b64_cases[_i].out == NULL) {
		ck_assert_msg(out == NULL, "case %d accepted", _i);
		ck_assert_uint_eq(len, 0);
		return;
	}
	ck_assert_msg(out != NULL, "case %d refused", _i);
	ck_assert_uint_eq(len, strlen(b64_cases[_i].out));
	ck_assert_str_eq((char *)out, b64_cases[_i].out);
	free(out);
}
END_TEST

Suite *
kubeconfig_suite(void)
{
	Suite	*s = suite_create("kubeconfig");
	TCase	*tc = tcase_create("kubeconfig");

	tcase_add_test(tc, current_context);
	tcase_add_test(tc, named_context);
	tcase_add_test(tc, ca_data);
	tcase_add_test(tc, from_file);
	tcase_add_loop_test(tc, bad, 0,
	    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, in_cluster);
	tcase_add_loop_test(tc, base64, 0,
	    (int)(sizeof(b64_cases) / sizeof(b64_cases[0])));
	suite_add_tcase(s, tc);
	return s;
}
