/*
 * kube: list + watch of Nodes over libcurl's multi socket API, driven by
 * the daemon's libevent loop (see kube.h for the behaviour).
 *
 * One transfer at a time: a list page, or the watch. libcurl tells us
 * which sockets to poll (on_socket) and when to call it back (on_timer);
 * we tell it what happened (curl_multi_socket_action) and then collect
 * finished transfers (collect). No callback of the caller runs inside a
 * libcurl callback: node changes are applied to our set as the watch
 * lines arrive, and the caller hears of them from a zero-delay event, so
 * a burst of events costs one callback.
 *
 * Invariants: k->nodes is always the last complete view (a failed or
 * partial list never replaces it); k->rv is the resourceVersion k->nodes
 * is at; a watch line that cannot be read makes us list again, since an
 * event may have been lost with it.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "kube.h"
#include "kube_node.h"
#include "kubeconfig.h"
#include "log.h"
#include "xmalloc.h"

#define KUBE_LIST_MAX		(64u * 1024 * 1024)	/* one page */
#define KUBE_LINE_MAX		(8u * 1024 * 1024)	/* one watch event */
#define KUBE_ERRBODY_MAX	(64u * 1024)	/* body of an error reply */
#define KUBE_TOKEN_MAX		(64u * 1024)
#define KUBE_RETRY_AFTER_MAX	300	/* s: a longer Retry-After is capped */
/* A watch that ends this soon without an event is treated as a failure. */
#define KUBE_WATCH_MIN_MS	1000
/* A watch that lasted this long was healthy: the back-off starts over. */
#define KUBE_WATCH_OK_MS	10000

enum req {
	REQ_NONE,
	REQ_LIST,
	REQ_WATCH,
};

/* Why a transfer was cut short from inside the write callback. */
enum cut {
	CUT_NONE,
	CUT_RELIST,	/* 410 in the stream, a lost line: list again */
	CUT_ERROR,	/* an ERROR event: back off, watch again */
};

struct ksock {
	struct kube		*k;
	curl_socket_t		 fd;
	struct event		*ev;
	LIST_ENTRY(ksock)	 entry;
};

struct kube {
	struct event_base	*base;
	struct kube_opts	 o;
	struct kubeconfig	*kc;
	kube_nodes_cb		 nodes_cb;
	kube_state_cb		 state_cb;
	void			*arg;

	CURLM			*multi;
	LIST_HEAD(, ksock)	 socks;
	struct event		*ev_timer;	/* libcurl's timeout */
	struct event		*ev_retry;	/* the next request */
	struct event		*ev_notify;	/* coalesced nodes_cb */

	/* the transfer in progress */
	CURL			*easy;
	enum req		 req;
	struct curl_slist	*hdrs;
	char			 errbuf[CURL_ERROR_SIZE];
	long			 http;		/* 0 until the first byte */
	unsigned		 retry_after;	/* s; 0: none given */
	char			*buf;		/* body, or partial line */
	size_t			 len, cap;
	enum cut		 cut;
	char			 cut_why[256];
	bool			 got_event;
	uint64_t		 started_ms;

	/* a list being read: the pages so far and the next page's token */
	struct node_set		*pending;
	char			*cont;
	bool			 need_list;

	/* what we know */
	struct node_set		*nodes;
	char			*rv;
	bool			 dirty;		/* nodes_cb owed */

	/* the bearer token and the token file it came from */
	char			*token;
	struct stat		 token_st;
	bool			 token_stat_ok;
	bool			 auth_retried;

	unsigned		 backoff_ms;
	bool			 announced;	/* state_cb called once */
	uint64_t		 rnd;
	struct kube_status	 st;
	struct log_rl		 rl;
};

static void	start(struct kube *);
static void	collect(struct kube *);

const char *
kube_state_name(enum kube_state s)
{
	switch (s) {
	case KUBE_LISTING:
		return "listing";
	case KUBE_WATCHING:
		return "watching";
	case KUBE_BACKOFF:
		return "backing off";
	}
	return "?";
}

void
kube_opts_from_conf(struct kube_opts *o, const struct conf *c)
{
	memset(o, 0, sizeof(*o));
	o->kubeconfig = c->kubeconfig;
	o->context = c->kube_context;
	o->page_size = c->kube_page_size;
	o->watch_timeout = c->kube_watch_timeout;
}

/* xorshift64*: jitter only, no need for more. */
static uint64_t
rnd(struct kube *k)
{
	k->rnd ^= k->rnd >> 12;
	k->rnd ^= k->rnd << 25;
	k->rnd ^= k->rnd >> 27;
	return k->rnd * 2685821657736338717ULL;
}

static void
notify_state(struct kube *k)
{
	struct kube_status	st;

	if (k->state_cb != NULL) {
		kube_status(k, &st);
		k->state_cb(&st, k->arg);
	}
}

static void
set_state(struct kube *k, enum kube_state s)
{
	/* the first state is news too */
	if (k->st.state == s && k->announced)
		return;
	k->announced = true;
	k->st.state = s;
	notify_state(k);
}

/* A message of ours, or the API server's, kept for `show status`. */
static void
set_error(struct kube *k, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
set_error(struct kube *k, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	vsnprintf(k->st.last_error, sizeof(k->st.last_error), fmt, ap);
	va_end(ap);
	/* it may quote the server: keep the log line a line */
	for (p = k->st.last_error; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

static void
schedule_notify(struct kube *k)
{
	k->dirty = true;
	if (!event_pending(k->ev_notify, EV_TIMEOUT, NULL))
		event_active(k->ev_notify, EV_TIMEOUT, 0);
}

static struct node_set *
set_copy(const struct node_set *s)
{
	struct node_set	*c;
	struct node	*n;
	size_t		 i;

	if ((c = node_set_new()) == NULL)
		fatalx("kube: out of memory");
	for (i = 0; i < s->n; i++)
		if ((n = node_copy(s->v[i])) == NULL ||
		    node_set_add(c, n) != 0)
			fatalx("kube: out of memory");
	return c;
}

static void
on_notify(evutil_socket_t fd, short what, void *arg)
{
	struct kube	*k = arg;

	(void)fd;
	(void)what;
	if (!k->dirty)
		return;
	k->dirty = false;
	k->nodes_cb(set_copy(k->nodes), k->arg);
}

/*
 * The token: the file's content when there is a token file (read again
 * when it changed, or always with force), else the kubeconfig's.
 */
static void
load_token(struct kube *k, bool force)
{
	const char	*path = k->kc->token_file;
	struct stat	 sb;
	char		*t;
	ssize_t		 r;
	size_t		 len = 0;
	int		 fd;

	if (path == NULL) {
		if (k->token == NULL && k->kc->token != NULL)
			k->token = xstrdup(k->kc->token);
		return;
	}
	if (stat(path, &sb) == -1) {
		log_rl_warnx(&k->rl, "kube: token file %s: %s", path,
		    strerror(errno));
		return;
	}
	/* a rotated token comes as a new file (kubelet swaps a symlink) */
	if (!force && k->token != NULL && k->token_stat_ok &&
	    sb.st_dev == k->token_st.st_dev &&
	    sb.st_ino == k->token_st.st_ino &&
	    sb.st_size == k->token_st.st_size &&
	    sb.st_mtim.tv_sec == k->token_st.st_mtim.tv_sec &&
	    sb.st_mtim.tv_nsec == k->token_st.st_mtim.tv_nsec)
		return;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_rl_warnx(&k->rl, "kube: token file %s: %s", path,
		    strerror(errno));
		return;
	}
	t = xmalloc(KUBE_TOKEN_MAX + 1);
	while (len < KUBE_TOKEN_MAX &&
	    (r = read(fd, t + len, KUBE_TOKEN_MAX - len)) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			log_rl_warnx(&k->rl, "kube: token file %s: %s", path,
			    strerror(errno));
			close(fd);
			explicit_bzero(t, KUBE_TOKEN_MAX + 1);
			free(t);
			return;
		}
		len += (size_t)r;
	}
	close(fd);
	while (len > 0 && strchr(" \t\r\n", t[len - 1]) != NULL)
		len--;
	t[len] = '\0';
	if (len == 0 || strpbrk(t, "\r\n") != NULL) {
		log_rl_warnx(&k->rl, "kube: token file %s is %s; keeping the "
		    "token read before", path, len == 0 ? "empty" :
		    "more than one line");
		explicit_bzero(t, KUBE_TOKEN_MAX + 1);
		free(t);
		return;
	}
	if (k->token != NULL) {
		explicit_bzero(k->token, strlen(k->token));
		free(k->token);
	}
	k->token = xstrdup(t);
	explicit_bzero(t, KUBE_TOKEN_MAX + 1);
	free(t);
	k->token_st = sb;
	k->token_stat_ok = true;
	log_debugc(LOG_CAT_KUBE, "kube: token read from %s", path);
}

static void
free_hdrs(struct kube *k)
{
	struct curl_slist	*l;

	/* one of them holds the token */
	for (l = k->hdrs; l != NULL; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(k->hdrs);
	k->hdrs = NULL;
}

static void
end_transfer(struct kube *k)
{
	if (k->easy != NULL) {
		curl_multi_remove_handle(k->multi, k->easy);
		curl_easy_cleanup(k->easy);
		k->easy = NULL;
	}
	free_hdrs(k);
	k->req = REQ_NONE;
	k->len = 0;
}

/* Appends to the buffer; false when max would be passed. */
static bool
buf_add(struct kube *k, const char *p, size_t n, size_t max)
{
	size_t	cap;

	if (n > max || k->len > max - n)
		return false;
	if (k->len + n > k->cap) {
		cap = k->cap == 0 ? 16384 : k->cap;
		while (cap < k->len + n)
			cap *= 2;
		k->buf = xrealloc(k->buf, cap);
		k->cap = cap;
	}
	memcpy(k->buf + k->len, p, n);
	k->len += n;
	return true;
}

/* Gives the buffer back after a large list, so an idle client is small. */
static void
buf_shrink(struct kube *k)
{
	if (k->cap > 1024 * 1024) {
		free(k->buf);
		k->buf = NULL;
		k->cap = 0;
	}
	k->len = 0;
}

static void
set_rv(struct kube *k, const char *rv)
{
	free(k->rv);
	k->rv = xstrdup(rv);
	snprintf(k->st.resource_version, sizeof(k->st.resource_version),
	    "%s", rv);
}

static void
cut(struct kube *k, enum cut c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
cut(struct kube *k, enum cut c, const char *fmt, ...)
{
	va_list	ap;

	k->cut = c;
	va_start(ap, fmt);
	vsnprintf(k->cut_why, sizeof(k->cut_why), fmt, ap);
	va_end(ap);
}

/* One watch event into the set. Returns false to end the transfer. */
static bool
apply_event(struct kube *k, const char *line, size_t len)
{
	struct kube_event	 ev;
	struct node		*old;
	const char		*name;
	char			 err[KUBE_ERR_LEN];

	if (kube_parse_event(line, len, &ev, err, sizeof(err)) == -1) {
		/* an event may be lost with it: only a list is safe now */
		cut(k, CUT_RELIST, "unreadable watch event: %s", err);
		return false;
	}
	k->got_event = true;
	switch (ev.type) {
	case KUBE_EV_ADDED:
	case KUBE_EV_MODIFIED:
		if (ev.node == NULL) {
			/* nothing it already had is lost: keep the old record */
			log_rl_warnx(&k->rl, "node %s: %s; %s",
			    ev.name != NULL ? ev.name : "(no name)",
			    ev.why != NULL ? ev.why : "bad value",
			    ev.name != NULL && node_set_find(k->nodes,
			    ev.name) != NULL ? "keeping its last good record" :
			    "ignored");
			break;
		}
		old = node_set_find(k->nodes, ev.node->name);
		if (old != NULL && node_equal(old, ev.node) &&
		    old->seq == ev.node->seq)
			break;
		if (old != NULL)
			node_free(node_set_take(k->nodes, ev.node->name));
		if (node_set_add(k->nodes, ev.node) != 0)
			fatalx("kube: out of memory");
		ev.node = NULL;		/* the set's now */
		schedule_notify(k);
		break;
	case KUBE_EV_DELETED:
		name = ev.node != NULL ? ev.node->name : ev.name;
		if (name != NULL && (old = node_set_take(k->nodes, name)) !=
		    NULL) {
			node_free(old);
			schedule_notify(k);
		}
		break;
	case KUBE_EV_BOOKMARK:
		break;
	case KUBE_EV_ERROR:
		if (ev.code == 410)
			cut(k, CUT_RELIST, "watch: resourceVersion expired "
			    "(410): %s", ev.message != NULL ? ev.message : "");
		else
			cut(k, CUT_ERROR, "watch: error %d: %s", ev.code,
			    ev.message != NULL ? ev.message : "");
		kube_event_clear(&ev);
		return false;
	}
	if (ev.resource_version != NULL && *ev.resource_version != '\0')
		set_rv(k, ev.resource_version);
	k->st.events++;
	kube_event_clear(&ev);
	return true;
}

/* Complete lines of the watch stream, the rest kept for the next call. */
static bool
watch_lines(struct kube *k)
{
	char	*p = k->buf, *end = k->buf + k->len, *nl;
	bool	 ok = true;

	while (ok && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (nl > p && !(nl == p + 1 && *p == '\r'))
			ok = apply_event(k, p, (size_t)(nl - p));
		p = nl + 1;
	}
	if (!ok)
		return false;
	k->len = (size_t)(end - p);
	memmove(k->buf, p, k->len);
	return true;
}

static size_t
on_data(char *p, size_t size, size_t nmemb, void *arg)
{
	struct kube	*k = arg;
	size_t		 n = size * nmemb;

	if (k->http == 0)
		curl_easy_getinfo(k->easy, CURLINFO_RESPONSE_CODE, &k->http);
	if (k->http != 200) {
		/* an error's Status: what fits is enough */
		if (k->len < KUBE_ERRBODY_MAX)
			buf_add(k, p, n < KUBE_ERRBODY_MAX - k->len ? n :
			    KUBE_ERRBODY_MAX - k->len, KUBE_ERRBODY_MAX);
		return n;
	}
	if (k->req == REQ_LIST) {
		if (!buf_add(k, p, n, KUBE_LIST_MAX)) {
			cut(k, CUT_ERROR, "list page larger than %u bytes",
			    KUBE_LIST_MAX);
			return 0;
		}
		return n;
	}
	/* the rest of a line (at most KUBE_LINE_MAX) and this chunk */
	if (!buf_add(k, p, n, 2 * KUBE_LINE_MAX)) {
		cut(k, CUT_RELIST, "watch event longer than %u bytes",
		    KUBE_LINE_MAX);
		return 0;
	}
	if (!watch_lines(k))
		return 0;
	if (k->len > KUBE_LINE_MAX) {
		cut(k, CUT_RELIST, "watch event longer than %u bytes",
		    KUBE_LINE_MAX);
		return 0;
	}
	return n;
}

static size_t
on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	struct kube	*k = arg;
	size_t		 n = size * nmemb;
	static const char ra[] = "retry-after:";
	char		 v[16];
	size_t		 i, j;

	/* each response (a 100 Continue, a redirect) starts afresh */
	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0)
		k->retry_after = 0;
	if (n > sizeof(ra) - 1 && strncasecmp(p, ra, sizeof(ra) - 1) == 0) {
		i = sizeof(ra) - 1;
		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
		for (j = 0; i < n && j < sizeof(v) - 1 && p[i] >= '0' &&
		    p[i] <= '9'; i++)
			v[j++] = p[i];
		v[j] = '\0';
		/* seconds only; an HTTP-date is rare here: back-off decides */
		if (j > 0 && j < 8)
			k->retry_after = (unsigned)strtoul(v, NULL, 10);
	}
	return n;
}

/* The "message" of a Status reply, printable, or "". */
static void
status_message(const struct kube *k, char *dst, size_t len)
{
	static const char	key[] = "\"message\"";
	const char		*p, *end = k->buf + k->len;
	size_t			 o = 0;

	dst[0] = '\0';
	if (k->len == 0 || (p = memmem(k->buf, k->len, key,
	    sizeof(key) - 1)) == NULL)
		return;
	p += sizeof(key) - 1;
	while (p < end && (*p == ' ' || *p == ':'))
		p++;
	if (p >= end || *p++ != '"')
		return;
	while (p < end && *p != '"' && o + 1 < len) {
		if (*p == '\\' && p + 1 < end)
			p++;
		dst[o++] = (unsigned char)*p < 0x20 ? '?' : *p;
		p++;
	}
	dst[o] = '\0';
}

static void
on_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	start(arg);
}

static unsigned
jitter(struct kube *k, unsigned ms)
{
	/* +-20% */
	return ms - ms / 5 + (unsigned)(rnd(k) % (ms / 5 * 2 + 1));
}

static void
retry_in(struct kube *k, unsigned ms)
{
	struct timeval	tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(k->ev_retry, &tv);
}

/* A failed request: back off, keeping everything we know. */
static void
fail(struct kube *k, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
fail(struct kube *k, const char *fmt, ...)
{
	va_list		 ap;
	char		 why[256];
	unsigned	 ms;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	set_error(k, "%s", why);
	k->st.errors++;
	ms = jitter(k, k->backoff_ms);
	if (k->retry_after > 0) {
		if (k->retry_after > KUBE_RETRY_AFTER_MAX)
			k->retry_after = KUBE_RETRY_AFTER_MAX;
		if (ms < k->retry_after * 1000)
			ms = k->retry_after * 1000;
	}
	k->backoff_ms = k->backoff_ms > k->o.backoff_max_ms / 2 ?
	    k->o.backoff_max_ms : k->backoff_ms * 2;
	log_rl_warnx(&k->rl, "kube: %s; keeping the %zu nodes known, "
	    "retrying in %u.%01u s", k->st.last_error, k->nodes->n,
	    ms / 1000, ms % 1000 / 100);
	k->st.backoff_until_ms = log_now_ms() + ms;
	retry_in(k, ms);
	set_state(k, KUBE_BACKOFF);
}

static void
relist(struct kube *k, const char *why)
{
	log_info("kube: %s; listing again", why);
	set_error(k, "%s", why);
	k->need_list = true;
	retry_in(k, 0);
}

static void
list_reset(struct kube *k)
{
	node_set_free(k->pending);
	k->pending = NULL;
	free(k->cont);
	k->cont = NULL;
}

static void
list_done(struct kube *k)
{
	k->st.lists++;
	if (k->st.synced)
		k->st.relists++;
	if (!k->st.synced || !node_set_equal(k->pending, k->nodes)) {
		/* ages as the API gives them: creationTimestamp */
		node_set_free(k->nodes);
		k->nodes = k->pending;
		schedule_notify(k);
	} else
		node_set_free(k->pending);
	k->pending = NULL;
	k->st.synced = true;
	k->need_list = false;
	k->backoff_ms = k->o.backoff_min_ms;
	log_debugc(LOG_CAT_KUBE, "kube: %zu nodes at resourceVersion %s",
	    k->nodes->n, k->rv);
	retry_in(k, 0);
}

static void
list_page(struct kube *k)
{
	struct kube_page	 page;
	struct node		*n;
	char			 err[KUBE_ERR_LEN];
	size_t			 i;

	if (kube_parse_node_list(k->buf, k->len, &page, err,
	    sizeof(err)) == -1) {
		buf_shrink(k);
		list_reset(k);
		fail(k, "list: %s", err);
		return;
	}
	buf_shrink(k);
	if (k->pending == NULL && (k->pending = node_set_new()) == NULL)
		fatalx("kube: out of memory");
	for (i = 0; i < page.nskipped; i++) {
		n = page.skipped[i].name != NULL ?
		    node_set_find(k->nodes, page.skipped[i].name) : NULL;
		log_rl_warnx(&k->rl, "node %s: %s; %s",
		    page.skipped[i].name != NULL ? page.skipped[i].name :
		    "(no name)", page.skipped[i].why, n != NULL ?
		    "keeping its last good record" : "ignored");
		if (n != NULL && node_set_find(k->pending, n->name) == NULL) {
			if ((n = node_copy(n)) == NULL ||
			    node_set_add(k->pending, n) != 0)
				fatalx("kube: out of memory");
		}
	}
	for (i = 0; i < page.nodes->n; i++) {
		n = page.nodes->v[i];
		/* pages of one list cannot repeat a name; be safe anyway */
		if (node_set_add(k->pending, n) != 0)
			node_free(n);
		page.nodes->v[i] = NULL;
	}
	page.nodes->n = 0;
	free(k->cont);
	k->cont = NULL;
	if (page.cont != NULL && *page.cont != '\0') {
		k->cont = xstrdup(page.cont);
		kube_page_clear(&page);
		retry_in(k, 0);
		return;
	}
	if (page.resource_version == NULL || *page.resource_version == '\0') {
		kube_page_clear(&page);
		list_reset(k);
		fail(k, "list: no resourceVersion in the NodeList");
		return;
	}
	set_rv(k, page.resource_version);
	kube_page_clear(&page);
	list_done(k);
}

/* A transfer ended with result rc: what next. */
static void
finished(struct kube *k, CURLcode rc)
{
	enum req	 req = k->req;
	enum cut	 c = k->cut;
	long		 http = k->http;
	uint64_t	 ms = log_now_ms() - k->started_ms;
	char		 msg[200];

	if (http == 0)
		curl_easy_getinfo(k->easy, CURLINFO_RESPONSE_CODE, &http);
	curl_multi_remove_handle(k->multi, k->easy);
	curl_easy_cleanup(k->easy);
	k->easy = NULL;
	free_hdrs(k);
	k->req = REQ_NONE;
	k->cut = CUT_NONE;
	if (req == REQ_WATCH && (k->got_event || ms >= KUBE_WATCH_OK_MS))
		k->backoff_ms = k->o.backoff_min_ms;

	if (c == CUT_RELIST) {
		k->len = 0;
		relist(k, k->cut_why);
		return;
	}
	if (c == CUT_ERROR) {
		k->len = 0;
		if (req == REQ_LIST)
			list_reset(k);
		fail(k, "%s", k->cut_why);
		return;
	}
	if (rc != CURLE_OK) {
		k->len = 0;
		if (req == REQ_LIST)
			list_reset(k);
		fail(k, "%s: %s", req == REQ_LIST ? "list" : "watch",
		    k->errbuf[0] != '\0' ? k->errbuf : curl_easy_strerror(rc));
		return;
	}
	if (http == 200) {
		k->auth_retried = false;
		if (req == REQ_LIST) {
			list_page(k);
			return;
		}
		k->len = 0;
		if (!k->got_event && ms < KUBE_WATCH_MIN_MS) {
			fail(k, "watch: closed by the server at once");
			return;
		}
		/* timeoutSeconds ran out: go on from where we are */
		log_debugc(LOG_CAT_KUBE, "kube: watch ended at "
		    "resourceVersion %s", k->rv);
		retry_in(k, 0);
		return;
	}
	status_message(k, msg, sizeof(msg));
	k->len = 0;
	if (http == 410) {
		/* a continue token or a resourceVersion too old */
		list_reset(k);
		relist(k, req == REQ_LIST ? "list: continue token expired "
		    "(410)" : "watch: resourceVersion expired (410)");
		return;
	}
	if (req == REQ_LIST)
		list_reset(k);
	if (http == 401 && !k->auth_retried && k->kc->token_file != NULL) {
		/* a rotated token: read it again and retry once at once */
		k->auth_retried = true;
		load_token(k, true);
		set_error(k, "HTTP 401 Unauthorized: token file read again");
		log_info("kube: HTTP 401 Unauthorized; reading the token file "
		    "again");
		retry_in(k, 0);
		return;
	}
	fail(k, "%s: HTTP %ld%s%s", req == REQ_LIST ? "list" : "watch", http,
	    msg[0] != '\0' ? ": " : "", msg);
}

static void
collect(struct kube *k)
{
	CURLMsg	*m;
	int	 left;

	while ((m = curl_multi_info_read(k->multi, &left)) != NULL)
		if (m->msg == CURLMSG_DONE && m->easy_handle == k->easy) {
			finished(k, m->data.result);
			/* finished() may start another: read again */
		}
}

static void
on_timer_ev(evutil_socket_t fd, short what, void *arg)
{
	struct kube	*k = arg;
	int		 running;

	(void)fd;
	(void)what;
	curl_multi_socket_action(k->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	collect(k);
}

static int
on_timer(CURLM *multi, long ms, void *arg)
{
	struct kube	*k = arg;
	struct timeval	 tv;

	(void)multi;
	if (ms < 0) {
		evtimer_del(k->ev_timer);
		return 0;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(k->ev_timer, &tv);
	return 0;
}

static void
on_sock_ev(evutil_socket_t fd, short what, void *arg)
{
	struct kube	*k = ((struct ksock *)arg)->k;
	int		 running, flags = 0;

	/* arg may be freed inside: libcurl may close the socket */
	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(k->multi, fd, flags, &running);
	collect(k);
}

static void
sock_free(struct ksock *s)
{
	LIST_REMOVE(s, entry);
	event_free(s->ev);
	free(s);
}

static int
on_socket(CURL *easy, curl_socket_t fd, int what, void *arg, void *sockp)
{
	struct kube	*k = arg;
	struct ksock	*s = sockp;
	short		 ev = EV_PERSIST;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			curl_multi_assign(k->multi, fd, NULL);
			sock_free(s);
		}
		return 0;
	}
	if (s == NULL) {
		s = xcalloc(1, sizeof(*s));
		s->k = k;
		s->fd = fd;
		LIST_INSERT_HEAD(&k->socks, s, entry);
		curl_multi_assign(k->multi, fd, s);
	} else
		event_free(s->ev);
	if (what & CURL_POLL_IN)
		ev |= EV_READ;
	if (what & CURL_POLL_OUT)
		ev |= EV_WRITE;
	if ((s->ev = event_new(k->base, fd, ev, on_sock_ev, s)) == NULL)
		fatalx("kube: event_new");
	event_add(s->ev, NULL);
	return 0;
}

static void
set_blob(CURL *e, CURLoption file_opt, CURLoption blob_opt,
    const struct kube_blob *b)
{
	struct curl_blob	blob;

	if (b->file != NULL)
		curl_easy_setopt(e, file_opt, b->file);
	else if (b->data != NULL) {
		blob.data = b->data;
		blob.len = b->len;
		blob.flags = CURL_BLOB_COPY;
		curl_easy_setopt(e, blob_opt, &blob);
	}
}

static void
request(struct kube *k, enum req req, const char *url)
{
	struct kubeconfig	*kc = k->kc;
	CURL			*e;
	char			*auth;

	if ((e = curl_easy_init()) == NULL)
		fatalx("kube: curl_easy_init");
	k->easy = e;
	k->req = req;
	k->http = 0;
	k->retry_after = 0;
	k->len = 0;
	k->cut = CUT_NONE;
	k->got_event = false;
	k->errbuf[0] = '\0';
	k->started_ms = log_now_ms();

	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(e, CURLOPT_PRIVATE, k);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, k);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, k);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, k->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	/* never: it would print the Authorization header */
	curl_easy_setopt(e, CURLOPT_VERBOSE, 0L);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "podbgpd/" PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT,
	    (long)k->o.connect_timeout_s);
	/* a server that stops sending: no byte for stall_s seconds */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (long)k->o.stall_s);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 30L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 10L);

	if (kc->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	} else
		set_blob(e, CURLOPT_CAINFO, CURLOPT_CAINFO_BLOB, &kc->ca);
	set_blob(e, CURLOPT_SSLCERT, CURLOPT_SSLCERT_BLOB, &kc->cert);
	set_blob(e, CURLOPT_SSLKEY, CURLOPT_SSLKEY_BLOB, &kc->key);

	k->hdrs = curl_slist_append(NULL, "Accept: application/json");
	load_token(k, false);
	if (k->token != NULL) {
		xasprintf(&auth, "Authorization: Bearer %s", k->token);
		k->hdrs = curl_slist_append(k->hdrs, auth);
		explicit_bzero(auth, strlen(auth));
		free(auth);
	}
	if (k->hdrs == NULL)
		fatalx("kube: out of memory");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, k->hdrs);
	log_debugc(LOG_CAT_KUBE, "kube: GET %s", url);
	if (curl_multi_add_handle(k->multi, e) != CURLM_OK)
		fatalx("kube: curl_multi_add_handle");
}

/* The next request: a list page or the watch. */
static void
start(struct kube *k)
{
	char		*url, *esc;
	unsigned	 t;

	if (k->easy != NULL)
		return;
	if (k->need_list) {
		if (k->cont != NULL) {
			if ((esc = curl_easy_escape(NULL, k->cont, 0)) == NULL)
				fatalx("kube: out of memory");
			xasprintf(&url, "%s/api/v1/nodes?limit=%u&continue=%s",
			    k->kc->server, k->o.page_size, esc);
			curl_free(esc);
		} else
			xasprintf(&url, "%s/api/v1/nodes?limit=%u",
			    k->kc->server, k->o.page_size);
		request(k, REQ_LIST, url);
		free(url);
		set_state(k, KUBE_LISTING);
		return;
	}
	if ((esc = curl_easy_escape(NULL, k->rv, 0)) == NULL)
		fatalx("kube: out of memory");
	t = k->o.watch_timeout;
	t += (unsigned)(rnd(k) % (t / 5 + 1));
	xasprintf(&url, "%s/api/v1/nodes?watch=1&resourceVersion=%s&"
	    "allowWatchBookmarks=true&timeoutSeconds=%u", k->kc->server, esc,
	    t);
	curl_free(esc);
	request(k, REQ_WATCH, url);
	free(url);
	k->st.watches++;
	set_state(k, KUBE_WATCHING);
}

static struct kubeconfig *
load_config(const struct kube_opts *o)
{
	struct conf_errors	 errs;
	struct kubeconfig	*kc;
	size_t			 i;

	if (o->kubeconfig != NULL)
		kc = kubeconfig_load(o->kubeconfig, o->context, &errs);
	else
		kc = kubeconfig_in_cluster(getenv("KUBERNETES_SERVICE_HOST"),
		    getenv("KUBERNETES_SERVICE_PORT"),
		    getenv(KUBE_ENV_SA_DIR), &errs);
	if (kc == NULL) {
		for (i = 0; i < errs.n; i++)
			log_warnx("%s", errs.e[i].text);
		if (errs.dropped > 0)
			log_warnx("%zu more errors", errs.dropped);
		if (errs.n == 0)
			log_warnx("kube: out of memory");
	}
	return kc;
}

struct kube *
kube_new(struct event_base *base, const struct kube_opts *o,
    kube_nodes_cb nodes_cb, kube_state_cb state_cb, void *arg)
{
	struct kube	*k;
	struct timespec	 ts;

	k = xcalloc(1, sizeof(*k));
	if ((k->kc = load_config(o)) == NULL) {
		free(k);
		return NULL;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_warnx("kube: libcurl cannot be initialised");
		kubeconfig_free(k->kc);
		free(k);
		return NULL;
	}
	k->base = base;
	k->o = *o;
	k->o.kubeconfig = NULL;		/* not kept: used above */
	k->o.context = NULL;
	if (k->o.page_size == 0)
		k->o.page_size = KUBE_DEF_PAGE_SIZE;
	if (k->o.watch_timeout == 0)
		k->o.watch_timeout = KUBE_DEF_WATCH_TIMEOUT;
	if (k->o.backoff_min_ms == 0)
		k->o.backoff_min_ms = 500;
	if (k->o.backoff_max_ms < k->o.backoff_min_ms)
		k->o.backoff_max_ms = k->o.backoff_min_ms < 30000 ? 30000 :
		    k->o.backoff_min_ms;
	if (k->o.stall_s == 0)
		k->o.stall_s = 120;
	if (k->o.connect_timeout_s == 0)
		k->o.connect_timeout_s = 10;
	k->nodes_cb = nodes_cb;
	k->state_cb = state_cb;
	k->arg = arg;
	k->backoff_ms = k->o.backoff_min_ms;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	k->rnd = ((uint64_t)ts.tv_nsec << 20 ^ (uint64_t)getpid() ^
	    (uint64_t)ts.tv_sec) | 1;
	log_rl_init(&k->rl, 10, 60000);
	LIST_INIT(&k->socks);
	if ((k->nodes = node_set_new()) == NULL)
		fatalx("kube: out of memory");
	k->need_list = true;
	k->st.state = KUBE_LISTING;
	snprintf(k->st.server, sizeof(k->st.server), "%s", k->kc->server);

	if ((k->multi = curl_multi_init()) == NULL)
		fatalx("kube: curl_multi_init");
	curl_multi_setopt(k->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(k->multi, CURLMOPT_SOCKETDATA, k);
	curl_multi_setopt(k->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(k->multi, CURLMOPT_TIMERDATA, k);
	if ((k->ev_timer = evtimer_new(base, on_timer_ev, k)) == NULL ||
	    (k->ev_retry = evtimer_new(base, on_retry, k)) == NULL ||
	    (k->ev_notify = evtimer_new(base, on_notify, k)) == NULL)
		fatalx("kube: evtimer_new");
	log_info("kube: listing nodes from %s%s%s", k->kc->server,
	    k->kc->context != NULL ? ", context " : " (in-cluster)",
	    k->kc->context != NULL ? k->kc->context : "");
	/* nothing is called back before the caller has k */
	retry_in(k, 0);
	return k;
}

void
kube_free(struct kube *k)
{
	struct ksock	*s;

	if (k == NULL)
		return;
	end_transfer(k);
	curl_multi_cleanup(k->multi);
	while ((s = LIST_FIRST(&k->socks)) != NULL)
		sock_free(s);
	event_free(k->ev_timer);
	event_free(k->ev_retry);
	event_free(k->ev_notify);
	curl_global_cleanup();
	list_reset(k);
	node_set_free(k->nodes);
	free(k->rv);
	free(k->buf);
	if (k->token != NULL) {
		explicit_bzero(k->token, strlen(k->token));
		free(k->token);
	}
	kubeconfig_free(k->kc);
	free(k);
}

void
kube_status(const struct kube *k, struct kube_status *st)
{
	*st = k->st;
	st->nodes = k->nodes->n;
}
