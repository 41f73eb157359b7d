#include <arpa/inet.h>
#include <string.h>

#include "check_unit.h"
#include "prefix.h"

static const struct {
	const char		*in;
	enum prefix_status	 st;
	const char		*out;	/* canonical text, also for HOSTBITS */
} parse_cases[] = {
	{ "10.0.0.0/8", PREFIX_OK, "10.0.0.0/8" },
	{ "0.0.0.0/0", PREFIX_OK, "0.0.0.0/0" },
	{ "192.0.2.1", PREFIX_OK, "192.0.2.1/32" },
	{ "192.0.2.1/32", PREFIX_OK, "192.0.2.1/32" },
	{ "10.244.1.0/24", PREFIX_OK, "10.244.1.0/24" },
	{ "10.244.1.7/24", PREFIX_HOSTBITS, "10.244.1.0/24" },
	{ "10.0.0.1/0", PREFIX_HOSTBITS, "0.0.0.0/0" },
	{ "10.128.0.0/9", PREFIX_OK, "10.128.0.0/9" },
	{ "10.192.0.0/9", PREFIX_HOSTBITS, "10.128.0.0/9" },
	{ "2001:db8::/32", PREFIX_OK, "2001:db8::/32" },
	{ "2001:db8::1/64", PREFIX_HOSTBITS, "2001:db8::/64" },
	{ "fd00:10:244:1::/64", PREFIX_OK, "fd00:10:244:1::/64" },
	{ "::/0", PREFIX_OK, "::/0" },
	{ "::1", PREFIX_OK, "::1/128" },
	{ "2001:db8::8000:0/113", PREFIX_OK, "2001:db8::8000:0/113" },
	{ "10.0.0.0/33", PREFIX_INVALID, NULL },
	{ "2001:db8::/129", PREFIX_INVALID, NULL },
	{ "10.0.0.0/", PREFIX_INVALID, NULL },
	{ "10.0.0.0/+8", PREFIX_INVALID, NULL },
	{ "10.0.0.0/ 8", PREFIX_INVALID, NULL },
	{ "10.0.0.0/0x8", PREFIX_INVALID, NULL },
	{ "10.0.0.0/8x", PREFIX_INVALID, NULL },
	{ "10.0.0.0/0008", PREFIX_INVALID, NULL },
	{ "10.0.0/8", PREFIX_INVALID, NULL },
	{ "256.0.0.0/8", PREFIX_INVALID, NULL },
	{ "/8", PREFIX_INVALID, NULL },
	{ "", PREFIX_INVALID, NULL },
	{ "node-a", PREFIX_INVALID, NULL },
	{ "10.0.0.0/8/8", PREFIX_INVALID, NULL },
};

START_TEST(parse_table)
{
	struct prefix	 p;
	char		 s[PREFIX_STRLEN];

	ck_assert_int_eq(prefix_parse(parse_cases[_i].in, &p),
	    parse_cases[_i].st);
	if (parse_cases[_i].out != NULL)
		ck_assert_str_eq(prefix_fmt(&p, s, sizeof(s)),
		    parse_cases[_i].out);
}
END_TEST

static struct prefix
P(const char *s)
{
	struct prefix	p;

	ck_assert_int_eq(prefix_parse(s, &p), PREFIX_OK);
	return p;
}

START_TEST(contains_and_overlap)
{
	struct prefix	a = P("10.244.0.0/16"), b = P("10.244.3.0/24");
	struct prefix	c = P("10.245.0.0/16"), d = P("0.0.0.0/0");
	struct prefix	e = P("2001:db8::/32"), f = P("::/0");

	ck_assert(prefix_contains(&a, &b));
	ck_assert(!prefix_contains(&b, &a));
	ck_assert(prefix_contains(&a, &a));
	ck_assert(!prefix_contains(&a, &c));
	ck_assert(prefix_contains(&d, &c));
	ck_assert(!prefix_contains(&d, &e));	/* families never mix */
	ck_assert(prefix_contains(&f, &e));
	ck_assert(prefix_overlaps(&b, &a));
	ck_assert(!prefix_overlaps(&b, &c));
	ck_assert(!prefix_overlaps(&f, &d));
}
END_TEST

START_TEST(contains_addr)
{
	struct prefix	p = P("10.244.3.0/24"), q = P("fe80::/10");
	struct ipaddr	a;

	ck_assert_int_eq(ipaddr_parse("10.244.3.255", &a), 0);
	ck_assert(prefix_contains_addr(&p, &a));
	ck_assert_int_eq(ipaddr_parse("10.244.4.0", &a), 0);
	ck_assert(!prefix_contains_addr(&p, &a));
	ck_assert_int_eq(ipaddr_parse("fe80::1", &a), 0);
	ck_assert(prefix_contains_addr(&q, &a));
	ck_assert(ipaddr_is_linklocal(&a));
	ck_assert_int_eq(ipaddr_parse("10.0.0.256", &a), -1);
}
END_TEST

START_TEST(compare_orders_family_address_length)
{
	struct prefix	s[] = { P("10.0.0.0/8"), P("10.0.0.0/16"),
			    P("9.0.0.0/8"), P("::/0") };

	ck_assert_int_lt(prefix_cmp(&s[0], &s[1]), 0);
	ck_assert_int_gt(prefix_cmp(&s[0], &s[2]), 0);
	ck_assert_int_lt(prefix_cmp(&s[0], &s[3]), 0);
	ck_assert_int_eq(prefix_cmp(&s[1], &s[1]), 0);
	ck_assert(prefix_eq(&s[1], &s[1]));
	ck_assert(!prefix_eq(&s[0], &s[1]));
}
END_TEST

START_TEST(set_masks_extra_bits)
{
	const uint8_t	a[] = { 10, 244, 255, 255 };
	struct prefix	p;
	char		s[PREFIX_STRLEN];

	ck_assert_int_eq(prefix_set(&p, AF_INET, a, 17), 0);
	ck_assert_str_eq(prefix_fmt(&p, s, sizeof(s)), "10.244.128.0/17");
	ck_assert_uint_eq(prefix_hash(&p), prefix_hash(&(struct prefix){
	    .family = AF_INET, .len = 17, .addr = { 10, 244, 128 } }));
	ck_assert_int_eq(prefix_set(&p, AF_INET, a, 33), -1);
	ck_assert_int_eq(prefix_set(&p, AF_UNIX, a, 8), -1);
	ck_assert(prefix_has_hostbits(AF_INET, a, 17));
	ck_assert(!prefix_has_hostbits(AF_INET, a, 32));
}
END_TEST

START_TEST(longest_match)
{
	struct prefix	set[] = { P("10.0.0.0/8"), P("10.244.0.0/16"),
			    P("0.0.0.0/0"), P("10.244.3.0/24"), P("::/0") };
	struct prefix	q = P("10.244.3.128/25"), r = P("11.0.0.0/8");
	struct prefix	v6 = P("2001:db8::/48");
	struct ipaddr	a;

	ck_assert_ptr_eq(prefix_longest_match(set, 5, &q), &set[3]);
	ck_assert_ptr_eq(prefix_longest_match(set, 5, &r), &set[2]);
	ck_assert_ptr_eq(prefix_longest_match(set, 5, &v6), &set[4]);
	ck_assert_ptr_null(prefix_longest_match(set, 2, &r));
	ck_assert_int_eq(ipaddr_parse("10.244.9.9", &a), 0);
	ck_assert_ptr_eq(prefix_longest_match_addr(set, 5, &a), &set[1]);
	ck_assert_uint_eq(prefix_common_len(&set[1], &set[3]), 16);
	ck_assert_uint_eq(prefix_common_len(&q, &r), 7);
}
END_TEST

Suite *
prefix_suite(void)
{
	Suite	*s = suite_create("prefix");
	TCase	*tc = tcase_create("parse");

	tcase_add_loop_test(tc, parse_table, 0,
	    sizeof(parse_cases) / sizeof(parse_cases[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("relations");
	tcase_add_test(tc, contains_and_overlap);
	tcase_add_test(tc, contains_addr);
	tcase_add_test(tc, compare_orders_family_address_length);
	tcase_add_test(tc, set_masks_extra_bits);
	tcase_add_test(tc, longest_match);
	suite_add_tcase(s, tc);
	return s;
}
