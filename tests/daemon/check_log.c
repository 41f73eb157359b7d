/*
 * check_log: podbgpd's logging (src/podbgpd/log.c) through its seams: the
 * rate limiter with the time passed in, and the lines that reach stderr,
 * captured into a temporary file. Each test runs in its own process
 * (Check's fork mode), so log.c's settings never leak between tests.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "log.h"

static FILE	*cap;
static int	 saved_fd = -1;
static char	 out[8192];

static void
capture_start(void)
{
	cap = tmpfile();
	ck_assert_ptr_nonnull(cap);
	saved_fd = dup(STDERR_FILENO);
	ck_assert_int_ge(saved_fd, 0);
	ck_assert_int_eq(dup2(fileno(cap), STDERR_FILENO), STDERR_FILENO);
}

/* Returns everything written to stderr since capture_start(). */
static const char *
capture_end(void)
{
	size_t	n;

	ck_assert_int_eq(dup2(saved_fd, STDERR_FILENO), STDERR_FILENO);
	close(saved_fd);
	rewind(cap);
	n = fread(out, 1, sizeof(out) - 1, cap);
	out[n] = '\0';
	fclose(cap);
	return out;
}

START_TEST(rl_burst_then_suppress)
{
	struct log_rl	rl;
	uint64_t	s;

	log_rl_init(&rl, 3, 1000);
	ck_assert(log_rl_allow(&rl, 5000, &s));
	ck_assert_uint_eq(s, 0);
	ck_assert(log_rl_allow(&rl, 5000, &s));
	ck_assert(log_rl_allow(&rl, 5000, &s));
	ck_assert(!log_rl_allow(&rl, 5000, &s));
	ck_assert(!log_rl_allow(&rl, 5100, &s));
	/* a whole interval later the bucket is full again */
	ck_assert(log_rl_allow(&rl, 6000, &s));
	ck_assert_uint_eq(s, 2);
	ck_assert(log_rl_allow(&rl, 6000, &s));
	ck_assert_uint_eq(s, 0);	/* reported once only */
	ck_assert(log_rl_allow(&rl, 6000, &s));
	ck_assert(!log_rl_allow(&rl, 6000, &s));
}
END_TEST

START_TEST(rl_refills_at_the_rate)
{
	struct log_rl	rl;
	uint64_t	s;

	/* 2 per second: one message's worth every 500 ms */
	log_rl_init(&rl, 2, 1000);
	ck_assert(log_rl_allow(&rl, 0, &s));
	ck_assert(log_rl_allow(&rl, 0, &s));
	ck_assert(!log_rl_allow(&rl, 499, &s));
	ck_assert(log_rl_allow(&rl, 500, &s));
	ck_assert_uint_eq(s, 1);
	ck_assert(!log_rl_allow(&rl, 500, &s));
	ck_assert(!log_rl_allow(&rl, 999, &s));
	ck_assert(log_rl_allow(&rl, 1000, &s));
	ck_assert_uint_eq(s, 2);
}
END_TEST

START_TEST(rl_idle_does_not_bank_more_than_burst)
{
	struct log_rl	rl;
	int		i, allowed = 0;

	log_rl_init(&rl, 4, 60000);
	ck_assert(log_rl_allow(&rl, 1, NULL));
	for (i = 0; i < 10; i++)
		allowed += log_rl_allow(&rl, UINT64_C(1) << 40, NULL);
	ck_assert_int_eq(allowed, 4);
}
END_TEST

START_TEST(rl_zero_means_one)
{
	struct log_rl	rl;

	log_rl_init(&rl, 0, 0);
	ck_assert(log_rl_allow(&rl, 10, NULL));
	ck_assert(!log_rl_allow(&rl, 10, NULL));
	ck_assert(log_rl_allow(&rl, 11, NULL));
}
END_TEST

START_TEST(rl_lines)
{
	struct log_rl	 rl;
	const char	*s;
	int		 i;

	log_init("check_log", LOG_TO_STDERR, LOG_LVL_INFO);
	log_rl_init(&rl, 2, 1000);
	capture_start();
	for (i = 0; i < 5; i++)
		log_rl_warnx_at(&rl, 100, "bad update %d", i);
	log_rl_warnx_at(&rl, 1100, "bad update %d", 5);
	log_rl_warnx_at(&rl, 1100, "bad update %d", 6);
	log_rl_warnx_at(&rl, 1100, "bad update %d", 7);
	log_rl_flush(&rl);
	log_rl_flush(&rl);
	s = capture_end();
	ck_assert_str_eq(s,
	    "warning: bad update 0\n"
	    "warning: bad update 1\n"
	    "warning: 3 similar messages suppressed\n"
	    "warning: bad update 5\n"
	    "warning: bad update 6\n"
	    "warning: 1 similar messages suppressed\n");
}
END_TEST

START_TEST(levels_filter)
{
	const char	*s;

	log_init("check_log", LOG_TO_STDERR, LOG_LVL_WARNING);
	capture_start();
	log_info("not shown");
	log_debug("not shown");
	log_warnx("shown %d", 1);
	log_error("always %s", "shown");
	log_set_level(LOG_LVL_ERROR);
	log_warnx("not shown");
	log_set_level(LOG_LVL_DEBUG);
	log_debug("debug %s", "shown");
	s = capture_end();
	ck_assert_str_eq(s,
	    "warning: shown 1\n"
	    "error: always shown\n"
	    "debug: debug shown\n");
}
END_TEST

START_TEST(warn_appends_errno_and_keeps_it)
{
	const char	*s;

	log_init("check_log", LOG_TO_STDERR, LOG_LVL_INFO);
	capture_start();
	errno = ENOENT;
	log_warn("open %s", "/nowhere");
	ck_assert_int_eq(errno, ENOENT);
	log_info("after");
	ck_assert_int_eq(errno, ENOENT);
	s = capture_end();
	ck_assert_str_eq(s,
	    "warning: open /nowhere: No such file or directory\n"
	    "info: after\n");
}
END_TEST

START_TEST(peer_and_node_prefixes)
{
	const char	*s;

	log_init("check_log", LOG_TO_STDERR, LOG_LVL_INFO);
	capture_start();
	log_peer_warnx("192.0.2.1", "tor-a", "hold timer expired");
	log_peer_info("2001:db8::1", NULL, "session %s", "established");
	log_node_warnx("worker-3", "no pod CIDR");
	s = capture_end();
	ck_assert_str_eq(s,
	    "warning: neighbor 192.0.2.1 (tor-a): hold timer expired\n"
	    "info: neighbor 2001:db8::1: session established\n"
	    "warning: node worker-3: no pod CIDR\n");
}
END_TEST

START_TEST(debug_categories)
{
	const char	*s;

	log_init("check_log", LOG_TO_STDERR, LOG_LVL_INFO);
	ck_assert_uint_eq(log_debug_get(), 0);
	capture_start();
	log_debugc(LOG_CAT_FSM, "off");
	log_debug_enable(log_debug_cat_parse("fsm"), true);
	log_debugc(LOG_CAT_FSM, "Idle -> Connect");
	log_debugc(LOG_CAT_KUBE, "off");
	log_debug("plain debug is still off at info");
	log_debug_enable(LOG_CAT_FSM, false);
	log_debugc(LOG_CAT_FSM, "off again");
	/* level debug turns every category on, leaving it turns them off */
	log_set_level(LOG_LVL_DEBUG);
	ck_assert_uint_eq(log_debug_get(), LOG_CAT_ALL);
	log_debugc(LOG_CAT_KUBE, "watch restarted");
	log_set_level(LOG_LVL_INFO);
	ck_assert_uint_eq(log_debug_get(), 0);
	log_debugc(LOG_CAT_KUBE, "off");
	s = capture_end();
	ck_assert_str_eq(s,
	    "debug: fsm: Idle -> Connect\n"
	    "debug: kube: watch restarted\n");
	ck_assert_uint_eq(log_debug_cat_parse("update"), LOG_CAT_UPDATE);
	ck_assert_uint_eq(log_debug_cat_parse("ctl"), LOG_CAT_CTL);
	ck_assert_uint_eq(log_debug_cat_parse("fib"), LOG_CAT_FIB);
	ck_assert_uint_eq(log_debug_cat_parse("nope"), 0);
	ck_assert_str_eq(log_debug_cat_name(LOG_CAT_UPDATE), "update");
}
END_TEST

START_TEST(level_names)
{
	enum log_level	l;

	ck_assert_int_eq(log_level_parse("warning", &l), 0);
	ck_assert_int_eq(l, LOG_LVL_WARNING);
	ck_assert_int_eq(log_level_parse("debug", &l), 0);
	ck_assert_int_eq(l, LOG_LVL_DEBUG);
	ck_assert_int_eq(log_level_parse("verbose", &l), -1);
	ck_assert_str_eq(log_level_name(LOG_LVL_ERROR), "error");
}
END_TEST

START_TEST(long_lines_are_cut_but_ended)
{
	char		 big[3000];
	const char	*s;
	size_t		 len;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_init("check_log", LOG_TO_STDERR, LOG_LVL_INFO);
	capture_start();
	log_warnx("%s", big);
	log_info("next");
	s = capture_end();
	len = strcspn(s, "\n");
	ck_assert_uint_lt(len, 1100);
	ck_assert_uint_gt(len, 1000);
	ck_assert_str_eq(s + len + 1, "info: next\n");
}
END_TEST

START_TEST(fatalx_exits_1)
{
	log_init("check_log", LOG_TO_STDERR, LOG_LVL_ERROR);
	fatalx("broken invariant %d", 42);
}
END_TEST

static Suite *
log_suite(void)
{
	Suite	*s = suite_create("log");
	TCase	*tc = tcase_create("log");

	tcase_add_test(tc, rl_burst_then_suppress);
	tcase_add_test(tc, rl_refills_at_the_rate);
	tcase_add_test(tc, rl_idle_does_not_bank_more_than_burst);
	tcase_add_test(tc, rl_zero_means_one);
	tcase_add_test(tc, rl_lines);
	tcase_add_test(tc, levels_filter);
	tcase_add_test(tc, warn_appends_errno_and_keeps_it);
	tcase_add_test(tc, peer_and_node_prefixes);
	tcase_add_test(tc, debug_categories);
	tcase_add_test(tc, level_names);
	tcase_add_test(tc, long_lines_are_cut_but_ended);
	tcase_add_exit_test(tc, fatalx_exits_1, 1);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(log_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
