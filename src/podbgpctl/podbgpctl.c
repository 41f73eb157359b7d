/*
 * podbgpctl: podbgpd's control client, in the manner of birdc.
 *
 * With a command on the command line it sends that one request, prints
 * the reply and exits with a status scripts can test (podbgpctl(8)):
 * 0 success, 1 an error reply, 2 bad usage, 3 no connection (or lost, or
 * refused because the daemon serves too many clients). Without one it
 * reads commands from a prompt (libedit when built with it, else plain
 * lines from stdin) until EOF, "quit" or "exit".
 *
 * The daemon formats the text and the JSON; this client strips the reply
 * codes: data to stdout, errors to stderr.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_LIBEDIT
#include <editline/readline.h>
#endif

#include "conf.h"
#include "ctl_cmd.h"

#define EXIT_ERR_REPLY	1
#define EXIT_USAGE	2
#define EXIT_NOCONN	3

#define USAGE	"usage: podbgpctl [-j] [-s socket] [command ...]\n"

static const struct option longopts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "socket", required_argument, NULL, 's' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct conn {
	int	 fd;
	FILE	*in;
	char	*line;
	size_t	 cap;
};

static int
usage(void)
{
	fputs(USAGE, stderr);
	return EXIT_USAGE;
}

static void
help(void)
{
	printf(USAGE
	    "  -j, --json           ask for the JSON form of the reply\n"
	    "  -s, --socket PATH    control socket (default %s)\n"
	    "      --version        print the version and exit\n"
	    "      --help           print this help and exit\n"
	    "Without a command, commands are read from a prompt; 'help' "
	    "lists them.\n"
	    "Exit status: 0 ok, 1 error reply, 2 usage, 3 cannot connect.\n",
	    CONF_DEF_CTL_SOCKET);
}

/* Reads one reply line without its newline; -1 at EOF or error. */
static int
read_line(struct conn *c)
{
	ssize_t	n;

	if ((n = getline(&c->line, &c->cap, c->in)) <= 0)
		return -1;
	if (c->line[n - 1] == '\n')
		c->line[--n] = '\0';
	return 0;
}

/* -j: error replies go to stdout as JSON objects */
static bool	json_out;

/*
 * An error reply. podbgpd sends a JSON request's errors as JSON already;
 * the others (too many clients, a line too long to parse) are wrapped
 * here, so that with -j every error is {"error": {"code", "message"}}.
 */
static void
error_out(unsigned code, const char *text)
{
	const unsigned char	*p;

	if (!json_out) {
		fprintf(stderr, "podbgpctl: %s\n", text);
		return;
	}
	if (text[0] == '{') {
		printf("%s\n", text);
		fflush(stdout);
		return;
	}
	printf("{\"error\": {\"code\": %u, \"message\": \"", code);
	for (p = (const unsigned char *)text; *p != '\0'; p++)
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	printf("\"}}\n");
	fflush(stdout);
}

static int
connect_to(const char *path, struct conn *c)
{
	struct sockaddr_un	 sa;
	unsigned		 code;
	bool			 last;
	const char		*text;

	memset(c, 0, sizeof(*c));
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "podbgpctl: %s: path too long\n", path);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		fprintf(stderr, "podbgpctl: cannot connect to %s: %s\n", path,
		    strerror(errno));
		if (c->fd != -1)
			close(c->fd);
		return -1;
	}
	if ((c->in = fdopen(c->fd, "r")) == NULL) {
		fprintf(stderr, "podbgpctl: fdopen: %s\n", strerror(errno));
		close(c->fd);
		return -1;
	}
	/* the greeting, or a refusal (too many clients) */
	if (read_line(c) == -1 ||
	    ctl_reply_parse(c->line, &code, &last, &text) == -1) {
		fprintf(stderr, "podbgpctl: %s: no greeting from podbgpd\n",
		    path);
		return -1;
	}
	if (code != CTL_HELLO) {
		error_out(code, text);
		return -1;
	}
	return 0;
}

/*
 * Sends one request and prints its reply. Returns 0 for a successful
 * reply, EXIT_ERR_REPLY for an error reply, EXIT_NOCONN if the connection
 * broke.
 */
/*
 * `configure [check] FILE` with a relative FILE: the daemon runs in
 * another directory, so the file is sent as an absolute path. Returns a
 * new request, or NULL to send req as it is.
 */
static char *
absolute_file(const char *req)
{
	struct ctl_cmd	*cmd;
	char		 err[CTL_ERR_LEN], cwd[4096], *out = NULL;

	if ((cmd = calloc(1, sizeof(*cmd))) == NULL)
		return NULL;
	if (ctl_cmd_parse(req, cmd, err, sizeof(err)) == 0 &&
	    cmd->id == CTL_CMD_CONFIGURE && cmd->file[0] != '\0' &&
	    cmd->file[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL &&
	    asprintf(&out, "%sconfigure %s%s/%s", cmd->json ? "json " : "",
	    cmd->check ? "check " : "", cwd, cmd->file) == -1)
		out = NULL;
	free(cmd);
	return out;
}

static int
run_cmd(struct conn *c, const char *req0, bool json)
{
	const char	*text, *req = req0;
	unsigned	 code;
	bool		 last;
	char		*buf, *abs;
	size_t		 len, off;
	ssize_t		 w;

	if ((abs = absolute_file(req0)) != NULL)
		req = abs;
	len = strlen(req) + 7;
	if ((buf = malloc(len)) == NULL) {
		fprintf(stderr, "podbgpctl: out of memory\n");
		free(abs);
		return EXIT_NOCONN;
	}
	snprintf(buf, len, "%s%s\n", json ? "json " : "", req);
	free(abs);
	len = strlen(buf);
	for (off = 0; off < len; off += (size_t)w)
		if ((w = write(c->fd, buf + off, len - off)) == -1) {
			if (errno == EINTR) {
				w = 0;
				continue;
			}
			fprintf(stderr, "podbgpctl: write: %s\n",
			    strerror(errno));
			free(buf);
			return EXIT_NOCONN;
		}
	free(buf);
	for (;;) {
		if (read_line(c) == -1) {
			fprintf(stderr, "podbgpctl: connection closed in the "
			    "middle of a reply\n");
			return EXIT_NOCONN;
		}
		if (ctl_reply_parse(c->line, &code, &last, &text) == -1) {
			fprintf(stderr, "podbgpctl: malformed reply line: "
			    "%.80s\n", c->line);
			return EXIT_NOCONN;
		}
		if (code >= 8000) {
			error_out(code, text);
			if (last)
				return EXIT_ERR_REPLY;
			continue;
		}
		if (code >= 1000)
			printf("%s\n", text);
		if (last)
			break;
	}
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "podbgpctl: stdout: %s\n", strerror(errno));
		return EXIT_ERR_REPLY;
	}
	return 0;
}

#ifdef HAVE_LIBEDIT
/*
 * Tab completion: the keywords that may follow the words before the
 * cursor, and for the arguments that name a session the names the daemon
 * reports (asked for at each completion: sessions come and go).
 */
#define COMP_MAX	256

static struct conn	*comp_conn;
static const char	*comp_cand[COMP_MAX];
static char		*comp_names[COMP_MAX];
static size_t		 comp_n;

/* w is a prefix of kw (a keyword spelt short, as the daemon takes it). */
static bool
is_kw(const char *w, const char *kw)
{
	return *w != '\0' && strncmp(w, kw, strlen(w)) == 0;
}

static void
comp_add(const char *w)
{
	if (comp_n < COMP_MAX)
		comp_cand[comp_n++] = w;
}

/* The first column of `show protocols`, the header left out. */
static void
comp_add_names(void)
{
	static const char	 req[] = "show protocols\n";
	struct conn		*c = comp_conn;
	const char		*text;
	unsigned		 code;
	bool			 last, header = true;
	size_t			 i, k = 0;

	for (i = 0; i < COMP_MAX; i++) {
		free(comp_names[i]);
		comp_names[i] = NULL;
	}
	if (write(c->fd, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1)
		return;
	while (read_line(c) == 0 &&
	    ctl_reply_parse(c->line, &code, &last, &text) == 0) {
		if (code == CTL_R_PROTOCOLS && !header && k < COMP_MAX &&
		    (comp_names[k] = strndup(text, strcspn(text, " "))) !=
		    NULL)
			comp_add(comp_names[k++]);
		if (code == CTL_R_PROTOCOLS)
			header = false;
		if (last)
			break;
	}
}

static void
comp_candidates(char **w, size_t n)
{
	static const char *const	top[] = { "show", "help", "enable",
					    "disable", "restart", "configure",
					    "down", "quit", "exit" };
	static const char *const	show[] = { "status", "protocols",
					    "route", "nodes", "memory", "fib" };
	static const char *const	route[] = { "all", "count", "explain",
					    "for", "protocol", "table" };
	size_t				i;

	comp_n = 0;
	if (n > 0 && is_kw(w[0], "json")) {
		w++;
		n--;
	} else if (n == 0)
		comp_add("json");
	if (n == 0) {
		for (i = 0; i < sizeof(top) / sizeof(top[0]); i++)
			comp_add(top[i]);
		return;
	}
	if (is_kw(w[0], "show")) {
		if (n == 1) {
			for (i = 0; i < sizeof(show) / sizeof(show[0]); i++)
				comp_add(show[i]);
		} else if (is_kw(w[1], "protocols") && n <= 3) {
			if (n == 2)
				comp_add("all");
			comp_add_names();
		} else if (is_kw(w[1], "route")) {
			if (is_kw(w[n - 1], "protocol"))
				comp_add_names();
			else if (is_kw(w[n - 1], "table"))
				comp_add("kernel");
			else if (!is_kw(w[n - 1], "for"))
				for (i = 0; i < 6; i++)
					comp_add(route[i]);
		} else if (is_kw(w[1], "fib") && !is_kw(w[n - 1], "for")) {
			comp_add("count");
			comp_add("for");
		}
	} else if (n == 1 && (is_kw(w[0], "enable") ||
	    is_kw(w[0], "disable") || is_kw(w[0], "restart")))
		comp_add_names();
	else if (n == 1 && is_kw(w[0], "configure"))
		comp_add("check");
	else if (n == 1 && is_kw(w[0], "down"))
		comp_add("--flush");
}

static char *
comp_gen(const char *text, int state)
{
	static size_t	i;
	size_t		len = strlen(text);

	if (state == 0)
		i = 0;
	while (i < comp_n)
		if (strncmp(comp_cand[i++], text, len) == 0)
			return strdup(comp_cand[i - 1]);
	return NULL;
}

static char **
complete(const char *text, int start, int end)
{
	char	*buf, *w[32], *p;
	size_t	 n = 0;

	rl_attempted_completion_over = 1;
	if ((buf = strndup(rl_line_buffer, (size_t)start)) == NULL)
		return NULL;
	for (p = strtok(buf, " \t"); p != NULL && n < 32;
	    p = strtok(NULL, " \t"))
		w[n++] = p;
	comp_candidates(w, n);
	free(buf);
	return rl_completion_matches(text, comp_gen);
}
#endif

/* The next command line of the prompt, or NULL at EOF; caller frees. */
static char *
prompt_line(bool tty)
{
#ifdef HAVE_LIBEDIT
	char	*s;

	if (tty) {
		if ((s = readline("podbgpctl> ")) != NULL && *s != '\0')
			add_history(s);
		return s;
	}
#endif
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;

	if (tty) {
		fputs("podbgpctl> ", stdout);
		fflush(stdout);
	}
	if ((n = getline(&line, &cap, stdin)) <= 0) {
		free(line);
		return NULL;
	}
	if (line[n - 1] == '\n')
		line[n - 1] = '\0';
	return line;
}

static int
interactive(struct conn *c, bool json)
{
	bool	 tty = isatty(STDIN_FILENO) == 1;
	char	*s, *p;
	int	 rc = 0;

#ifdef HAVE_LIBEDIT
	comp_conn = c;
	rl_readline_name = "podbgpctl";
	rl_attempted_completion_function = complete;
#endif
	while ((s = prompt_line(tty)) != NULL) {
		p = s + strspn(s, " \t");
		if (*p == '\0') {
			free(s);
			continue;
		}
		if (strcmp(p, "quit") == 0 || strcmp(p, "exit") == 0) {
			free(s);
			break;
		}
		rc = run_cmd(c, p, json);
		free(s);
		if (rc == EXIT_NOCONN)
			return rc;
	}
	if (tty)
		putchar('\n');
#ifdef HAVE_LIBEDIT
	for (size_t i = 0; i < COMP_MAX; i++)
		free(comp_names[i]);
#endif
	return rc;
}

int
main(int argc, char *argv[])
{
	const char	*path = CONF_DEF_CTL_SOCKET;
	struct conn	 c;
	char		*req;
	size_t		 len;
	bool		 json = false;
	int		 ch, i, rc;

	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt_long(argc, argv, "+js:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = json_out = true;
			break;
		case 's':
			path = optarg;
			break;
		case 'V':
			printf("podbgpctl %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			help();
			return 0;
		default:
			return usage();
		}
	}
	if (connect_to(path, &c) == -1)
		return EXIT_NOCONN;
	if (optind == argc) {
		rc = interactive(&c, json);
	} else {
		for (len = 1, i = optind; i < argc; i++)
			len += strlen(argv[i]) + 1;
		if (len > CTL_LINE_MAX) {
			fprintf(stderr, "podbgpctl: command longer than %d "
			    "bytes\n", CTL_LINE_MAX);
			return EXIT_USAGE;
		}
		if ((req = calloc(1, len)) == NULL)
			return EXIT_NOCONN;
		for (i = optind; i < argc; i++) {
			if (i > optind)
				strcat(req, " ");
			strcat(req, argv[i]);
		}
		rc = run_cmd(&c, req, json);
		free(req);
	}
	fclose(c.in);
	free(c.line);
	return rc;
}
