/*
 * kubeconfig: where the API server is and how to prove who we are, from a
 * kubeconfig file (as kubectl reads it) or from the in-cluster service
 * account.
 *
 * From a kubeconfig: the context named by the caller, or current-context;
 * its cluster's server, certificate-authority (a file) or
 * certificate-authority-data (base64 PEM), insecure-skip-tls-verify; its
 * user's client-certificate/-key (files) or their -data forms, token and
 * tokenFile. Relative file names are taken from the kubeconfig file's
 * directory, as kubectl does. Keys podbgp does not use (preferences,
 * extensions, namespace...) are ignored, as kubectl ignores keys it does
 * not know; credential plugins (exec, auth-provider) and basic auth are
 * refused with a message, never ignored.
 *
 * Errors are "file:line:column: message" in a struct conf_errors, like the
 * configuration's. No message ever quotes a token, a key or any *-data
 * value: only names of clusters, users and contexts, and file names.
 *
 * Files named in the kubeconfig are not opened here (the client reads
 * them when it connects, so a rotated token or certificate is picked up);
 * nothing here logs, reads the environment or touches the network.
 */
#ifndef PODBGP_KUBECONFIG_H
#define PODBGP_KUBECONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

/* Where a pod finds its service account. */
#define KUBE_SA_DIR	"/var/run/secrets/kubernetes.io/serviceaccount"

/* A credential or CA: a file, or the bytes themselves (decoded base64). */
struct kube_blob {
	char		*file;		/* NULL: none or data */
	unsigned char	*data;		/* NULL: none or file */
	size_t		 len;
};

struct kubeconfig {
	char		*context;	/* NULL when in-cluster */
	char		*cluster;
	char		*user;
	char		*server;	/* "https://host[:port]", no '/' at end */
	bool		 insecure;	/* insecure-skip-tls-verify */
	struct kube_blob ca;
	struct kube_blob cert;
	struct kube_blob key;
	char		*token;		/* inline token; NULL: none */
	char		*token_file;	/* read at each connect; wins over token */
};

/*
 * Reads the kubeconfig at path and resolves context (NULL: the file's
 * current-context). Returns a new struct (free with kubeconfig_free()) or
 * NULL with at least one message in errs (reset first), unless memory
 * ran out.
 */
struct kubeconfig	*kubeconfig_load(const char *path, const char *context,
			    struct conf_errors *errs);
/*
 * The same from len bytes at data; name stands for the file in messages
 * and dir is the directory relative file names are taken from (NULL:
 * the current directory).
 */
struct kubeconfig	*kubeconfig_load_buf(const char *name, const char *dir,
			    const void *data, size_t len, const char *context,
			    struct conf_errors *errs);
/*
 * The in-cluster form from the values of KUBERNETES_SERVICE_HOST and
 * KUBERNETES_SERVICE_PORT (the caller reads the environment): server
 * https://HOST:PORT (an IPv6 HOST in brackets), token file DIR/token, CA
 * DIR/ca.crt, with sa_dir NULL meaning KUBE_SA_DIR. NULL with a message in
 * errs when host or port is missing or malformed.
 */
struct kubeconfig	*kubeconfig_in_cluster(const char *host,
			    const char *port, const char *sa_dir,
			    struct conf_errors *errs);
/* kubeconfig_free(NULL) is a no-op. Secrets are zeroed before free. */
void			 kubeconfig_free(struct kubeconfig *kc);

/*
 * Decodes standard base64 (RFC 4648 section 4), padding optional, white
 * space ignored, into a new buffer of *outlen bytes (NUL-terminated for
 * convenience, the NUL not counted). Returns NULL when the text is not
 * base64 or memory ran out (*outlen is then 0).
 */
unsigned char		*kube_base64_decode(const char *s, size_t len,
			    size_t *outlen);

#endif
