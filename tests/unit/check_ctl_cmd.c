/*
 * ctl_cmd suite: what an operator types at podbgpctl and what the daemon
 * makes of it: birdc-style abbreviations, the arguments of show route and
 * show protocols, and errors that name the word and the candidates.
 */
#include <string.h>

#include "check_unit.h"
#include "ctl_cmd.h"

static struct ctl_cmd	cmd;
static char		err[CTL_ERR_LEN];

static int
parse(const char *line)
{
	err[0] = '\0';
	return ctl_cmd_parse(line, &cmd, err, sizeof(err));
}

/* Line and the command it must give. */
static const struct {
	const char	*line;
	enum ctl_cmd_id	 id;
	bool		 json;
	bool		 all;
} good[] = {
	{ "show status", CTL_CMD_SHOW_STATUS, false, false },
	{ "sh st", CTL_CMD_SHOW_STATUS, false, false },
	{ "s s", CTL_CMD_SHOW_STATUS, false, false },
	{ "sh pro", CTL_CMD_SHOW_PROTOCOLS, false, false },
	{ "  show\tprotocols   all ", CTL_CMD_SHOW_PROTOCOLS, false, true },
	{ "sh ro", CTL_CMD_SHOW_ROUTE, false, false },
	{ "sh r a", CTL_CMD_SHOW_ROUTE, false, true },
	{ "show nodes", CTL_CMD_SHOW_NODES, false, false },
	{ "sh m", CTL_CMD_SHOW_MEMORY, false, false },
	{ "sh f", CTL_CMD_SHOW_FIB, false, false },
	{ "j sh fib c", CTL_CMD_SHOW_FIB, true, false },
	{ "sh ro a 10.0.0.0/8 exp", CTL_CMD_SHOW_ROUTE, false, true },
	{ "j sh ro t kernel", CTL_CMD_SHOW_ROUTE, true, false },
	{ "json show status", CTL_CMD_SHOW_STATUS, true, false },
	{ "j sh pro all", CTL_CMD_SHOW_PROTOCOLS, true, true },
	{ "help", CTL_CMD_HELP, false, false },
	{ "h", CTL_CMD_HELP, false, false },
	{ "configure", CTL_CMD_CONFIGURE, false, false },
	{ "down", CTL_CMD_DOWN, false, false },
	{ "do", CTL_CMD_DOWN, false, false },
	{ "dis tor-a", CTL_CMD_DISABLE, false, false },
	{ "en tor-a", CTL_CMD_ENABLE, false, false },
	{ "re tor-a", CTL_CMD_RESTART, false, false },
};

START_TEST(test_good)
{
	ck_assert_msg(parse(good[_i].line) == 0, "%s: %s", good[_i].line,
	    err);
	ck_assert_int_eq(cmd.id, good[_i].id);
	ck_assert_int_eq(cmd.json, good[_i].json);
	ck_assert_int_eq(cmd.all, good[_i].all);
}
END_TEST

/* Line and the exact error. */
static const struct {
	const char	*line;
	const char	*err;
} bad[] = {
	{ "", "empty request: try 'help'" },
	{ "   ", "empty request: try 'help'" },
	{ "d", "ambiguous word 'd' after 'the start': it may be disable, "
	  "down" },
	{ "sh", "incomplete command: show what? one of: status, protocols, "
	  "route, nodes, memory, fib" },
	{ "j d", "ambiguous word 'd' after 'json': it may be disable, down" },
	{ "sh x", "unknown word 'x' after 'show': expected one of: status, "
	  "protocols, route, nodes, memory, fib" },
	{ "frobnicate", "unknown word 'frobnicate' after 'the start': "
	  "expected one of: show, help, enable, disable, restart, configure, "
	  "down" },
	{ "sh st now", "unexpected word 'now' after 'show status'" },
	{ "help me", "unexpected word 'me' after 'help'" },
	{ "sh ro for", "incomplete command: an address must follow 'for'" },
	{ "sh ro for 10.0.0.0/8", "'10.0.0.0/8' is not an IPv4 or IPv6 "
	  "address" },
	{ "sh ro 10.1.2.3/8", "'10.1.2.3/8' has host bits set: did you mean "
	  "10.0.0.0/8?" },
	{ "sh ro 10.0.0.0/8 for 10.0.0.1", "only one prefix or 'for ADDRESS' "
	  "per request" },
	{ "sh ro bogus", "unknown word 'bogus' after 'show route': expected "
	  "all, count, explain, for, protocol, table or a prefix" },
	{ "sh ro explain", "'explain' needs a PREFIX or 'for ADDRESS'" },
	{ "sh ro all explain", "'explain' needs a PREFIX or 'for ADDRESS'" },
	{ "sh ro 10.0.0.0/8 explain count", "'explain' goes with neither "
	  "'count' nor 'table kernel'" },
	{ "sh ro for 10.0.0.1 ex t k", "'explain' goes with neither 'count' "
	  "nor 'table kernel'" },
	{ "sh ro table", "incomplete command: table what? one of: kernel" },
	{ "sh ro table main", "unknown word 'main' after 'table': expected "
	  "one of: kernel" },
	{ "sh ro t k pro tor-a", "the kernel table has no 'protocol': its "
	  "routes are podbgp's" },
	{ "sh fib all", "unknown word 'all' after 'show fib': expected "
	  "count, for or a prefix" },
	{ "sh fib explain", "unknown word 'explain' after 'show fib': "
	  "expected count, for or a prefix" },
	{ "sh fib 10.0.0.0/8 for 10.0.0.1", "only one prefix or 'for "
	  "ADDRESS' per request" },
	{ "sh fib 10.0.0.1/8", "'10.0.0.1/8' has host bits set: did you "
	  "mean 10.0.0.0/8?" },
	{ "sh ro protocol", "incomplete command: a protocol name must follow "
	  "'protocol'" },
	{ "sh pro a b c", "unexpected word 'c' after 'show protocols'" },
	{ "enable", "incomplete command: a protocol name must follow "
	  "'enable'" },
	{ "configure a.yaml b.yaml", "unexpected word 'b.yaml' after "
	  "'configure'" },
	{ "configure check /a /b", "unexpected word '/b' after "
	  "'configure check'" },
	{ "down --now", "unexpected word '--now' after 'down'" },
	{ "down --flush now", "unexpected word 'now' after 'down'" },
	{ "json", "incomplete command: json what? one of: show, help, "
	  "enable, disable, restart, configure, down" },
	{ "show \001", "a control character in the request" },
};

START_TEST(test_bad)
{
	ck_assert_msg(parse(bad[_i].line) == -1, "%s accepted", bad[_i].line);
	ck_assert_str_eq(err, bad[_i].err);
}
END_TEST

START_TEST(test_route_args)
{
	char	s[PREFIX_STRLEN];

	ck_assert_int_eq(parse("sh ro all count 10.244.1.0/24 pro tor-a"), 0);
	ck_assert(cmd.all);
	ck_assert(cmd.count);
	ck_assert_int_eq(cmd.match, CTL_MATCH_PREFIX);
	ck_assert_str_eq(prefix_fmt(&cmd.prefix, s, sizeof(s)),
	    "10.244.1.0/24");
	ck_assert_str_eq(cmd.proto, "tor-a");

	ck_assert_int_eq(parse("show route for 2001:db8::1"), 0);
	ck_assert_int_eq(cmd.match, CTL_MATCH_FOR);
	ck_assert_str_eq(ipaddr_fmt(&cmd.addr, s, sizeof(s)), "2001:db8::1");
	ck_assert(!cmd.all && !cmd.count);
	ck_assert_str_eq(cmd.proto, "");

	ck_assert_int_eq(parse("sh ro c"), 0);
	ck_assert(cmd.count);
	ck_assert_int_eq(cmd.match, CTL_MATCH_ANY);
}
END_TEST

START_TEST(test_explain_kernel_fib)
{
	char	s[PREFIX_STRLEN];

	ck_assert_int_eq(parse("show route all 10.244.1.0/24 explain"), 0);
	ck_assert(cmd.explain && cmd.all && !cmd.kernel);
	ck_assert_int_eq(cmd.match, CTL_MATCH_PREFIX);
	ck_assert_str_eq(prefix_fmt(&cmd.prefix, s, sizeof(s)),
	    "10.244.1.0/24");

	ck_assert_int_eq(parse("sh ro e for 10.244.1.9"), 0);
	ck_assert(cmd.explain && !cmd.all);
	ck_assert_int_eq(cmd.match, CTL_MATCH_FOR);
	ck_assert_str_eq(ipaddr_fmt(&cmd.addr, s, sizeof(s)), "10.244.1.9");

	ck_assert_int_eq(parse("sh ro count table kernel"), 0);
	ck_assert(cmd.kernel && cmd.count && !cmd.explain);
	ck_assert_int_eq(cmd.match, CTL_MATCH_ANY);

	ck_assert_int_eq(parse("sh ro for 2001:db8::1 t ker"), 0);
	ck_assert(cmd.kernel);
	ck_assert_int_eq(cmd.match, CTL_MATCH_FOR);

	ck_assert_int_eq(parse("sh fib count for 10.0.0.1"), 0);
	ck_assert_int_eq(cmd.id, CTL_CMD_SHOW_FIB);
	ck_assert(cmd.count && !cmd.kernel && !cmd.explain);
	ck_assert_int_eq(cmd.match, CTL_MATCH_FOR);

	ck_assert_int_eq(parse("show fib 2001:db8::/32"), 0);
	ck_assert_int_eq(cmd.match, CTL_MATCH_PREFIX);
	ck_assert_str_eq(prefix_fmt(&cmd.prefix, s, sizeof(s)),
	    "2001:db8::/32");
	ck_assert_str_eq(ctl_cmd_name(CTL_CMD_SHOW_FIB), "show fib");
	/* a failed JSON request still says it wants JSON (for the error) */
	ck_assert_int_eq(parse("j show bogus"), -1);
	ck_assert(cmd.json);
	ck_assert_int_eq(parse("show bogus"), -1);
	ck_assert(!cmd.json);
	ck_assert(ctl_cmd_readonly(CTL_CMD_SHOW_FIB));
}
END_TEST

START_TEST(test_protocol_name)
{
	ck_assert_int_eq(parse("show protocols tor-a"), 0);
	ck_assert_str_eq(cmd.name, "tor-a");
	ck_assert(!cmd.all);
	ck_assert_int_eq(parse("show protocols all tor-b"), 0);
	ck_assert_str_eq(cmd.name, "tor-b");
	ck_assert(cmd.all);
	ck_assert_int_eq(parse("restart node-2"), 0);
	ck_assert_str_eq(cmd.name, "node-2");
	ck_assert_int_eq(parse("configure ch"), 0);
	ck_assert(cmd.check);
}
END_TEST

/* configure [check] [FILE] and down [--flush] */
START_TEST(test_change_args)
{
	ck_assert_int_eq(parse("configure"), 0);
	ck_assert(!cmd.check);
	ck_assert_str_eq(cmd.file, "");
	ck_assert_int_eq(parse("configure /etc/podbgp/new.yaml"), 0);
	ck_assert(!cmd.check);
	ck_assert_str_eq(cmd.file, "/etc/podbgp/new.yaml");
	ck_assert_int_eq(parse("conf check /tmp/x.yaml"), 0);
	ck_assert(cmd.check);
	ck_assert_str_eq(cmd.file, "/tmp/x.yaml");
	/* a prefix of check is check, as every keyword */
	ck_assert_int_eq(parse("configure c"), 0);
	ck_assert(cmd.check);
	ck_assert_str_eq(cmd.file, "");
	/* a file that starts like check is still a file */
	ck_assert_int_eq(parse("configure checked.yaml"), 0);
	ck_assert(!cmd.check);
	ck_assert_str_eq(cmd.file, "checked.yaml");
	ck_assert_int_eq(parse("down"), 0);
	ck_assert(!cmd.flush);
	ck_assert_int_eq(parse("down --flush"), 0);
	ck_assert_int_eq(cmd.id, CTL_CMD_DOWN);
	ck_assert(cmd.flush);
	ck_assert_int_eq(parse("disable 192.0.2.1"), 0);
	ck_assert_int_eq(cmd.id, CTL_CMD_DISABLE);
	ck_assert_str_eq(cmd.name, "192.0.2.1");
}
END_TEST

START_TEST(test_limits)
{
	char	line[CTL_LINE_MAX + 2];
	char	name[CTL_NAME_MAX + 20];

	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	ck_assert_int_eq(parse(line), -1);
	ck_assert_str_eq(err, "request longer than 1024 bytes");
	ck_assert_int_eq(parse("a b c d e f g h i j k l m n o p q"), -1);
	ck_assert_str_eq(err, "more than 16 words");
	strcpy(name, "show protocols ");
	memset(name + 15, 'n', CTL_NAME_MAX + 1);
	name[15 + CTL_NAME_MAX + 1] = '\0';
	ck_assert_int_eq(parse(name), -1);
	ck_assert_ptr_nonnull(strstr(err, "longer than 63 bytes"));
}
END_TEST

START_TEST(test_readonly)
{
	ck_assert(ctl_cmd_readonly(CTL_CMD_SHOW_ROUTE));
	ck_assert(ctl_cmd_readonly(CTL_CMD_HELP));
	ck_assert(!ctl_cmd_readonly(CTL_CMD_CONFIGURE));
	ck_assert(!ctl_cmd_readonly(CTL_CMD_DISABLE));
	ck_assert(!ctl_cmd_readonly(CTL_CMD_DOWN));
	ck_assert_str_eq(ctl_cmd_name(CTL_CMD_SHOW_MEMORY), "show memory");
	ck_assert_ptr_nonnull(ctl_help_lines()[0]);
}
END_TEST

START_TEST(test_reply_parse)
{
	unsigned	 code;
	bool		 last;
	const char	*text;

	ck_assert_int_eq(ctl_reply_parse("1002-tor-a  up", &code, &last,
	    &text), 0);
	ck_assert_uint_eq(code, 1002);
	ck_assert(!last);
	ck_assert_str_eq(text, "tor-a  up");
	ck_assert_int_eq(ctl_reply_parse("0000 ok", &code, &last, &text), 0);
	ck_assert_uint_eq(code, 0);
	ck_assert(last);
	ck_assert_str_eq(text, "ok");
	ck_assert_int_eq(ctl_reply_parse("9001 ", &code, &last, &text), 0);
	ck_assert_str_eq(text, "");
	ck_assert_int_eq(ctl_reply_parse("100-x", &code, &last, &text), -1);
	ck_assert_int_eq(ctl_reply_parse("1000x", &code, &last, &text), -1);
	ck_assert_int_eq(ctl_reply_parse("", &code, &last, &text), -1);
}
END_TEST

Suite *
ctl_cmd_suite(void)
{
	Suite	*s = suite_create("ctl_cmd");
	TCase	*tc = tcase_create("ctl_cmd");

	tcase_add_loop_test(tc, test_good, 0, sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_route_args);
	tcase_add_test(tc, test_explain_kernel_fib);
	tcase_add_test(tc, test_protocol_name);
	tcase_add_test(tc, test_change_args);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_readonly);
	tcase_add_test(tc, test_reply_parse);
	suite_add_tcase(s, tc);
	return s;
}
