#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check_unit.h"

START_TEST(read_in_bounds)
{
	const uint8_t	 d[] = { 1, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 9 };
	struct buf	 b, sub;
	uint8_t		 v8;
	uint16_t	 v16;
	uint32_t	 v32;

	buf_init(&b, d, sizeof(d));
	ck_assert_int_eq(buf_get_u8(&b, &v8), 0);
	ck_assert_uint_eq(v8, 1);
	ck_assert_int_eq(buf_get_u16(&b, &v16), 0);
	ck_assert_uint_eq(v16, 0x0203);
	ck_assert_int_eq(buf_get_u32(&b, &v32), 0);
	ck_assert_uint_eq(v32, 0x04050607);
	ck_assert_int_eq(buf_take(&b, 1, &sub), 0);
	ck_assert_uint_eq(sub.n, 1);
	ck_assert_uint_eq(sub.p[0], 9);
	ck_assert_uint_eq(b.n, 0);
}
END_TEST

START_TEST(short_reads_fail_and_keep_position)
{
	const uint8_t	 d[] = { 0xaa, 0xbb, 0xcc };
	struct buf	 b, sub;
	uint32_t	 v32;
	uint8_t		 out[4];

	buf_init(&b, d, sizeof(d));
	ck_assert_int_eq(buf_get_u32(&b, &v32), -1);
	ck_assert_int_eq(buf_take(&b, 4, &sub), -1);
	ck_assert_int_eq(buf_get_bytes(&b, out, 4), -1);
	ck_assert_int_eq(buf_skip(&b, 4), -1);
	ck_assert_uint_eq(b.n, 3);
	ck_assert_ptr_eq(b.p, d);
	ck_assert_int_eq(buf_skip(&b, 3), 0);
	ck_assert_int_eq(buf_get_bytes(&b, out, 0), 0);
}
END_TEST

START_TEST(writer_grows_patches_and_limits)
{
	struct wbuf	 w;
	size_t		 i, len;
	uint8_t		*p;

	wbuf_init(&w, 600);
	ck_assert_int_eq(wbuf_put_u16(&w, 0), 0);
	for (i = 0; i < 299; i++)
		ck_assert_int_eq(wbuf_put_u16(&w, (uint16_t)i), 0);
	ck_assert_int_eq(wbuf_patch_u16(&w, 0, 0xbeef), 0);
	ck_assert_uint_eq(w.len, 600);
	ck_assert_uint_eq(w.p[0], 0xbe);
	ck_assert_uint_eq(get_u16(w.p + 598), 298);
	ck_assert_int_eq(wbuf_patch_u16(&w, 599, 1), -1);
	/* one byte over the limit fails, and sticks */
	ck_assert_int_eq(wbuf_put_u8(&w, 1), -1);
	ck_assert(w.err);
	ck_assert_int_eq(wbuf_put_u8(&w, 1), -1);
	wbuf_reset(&w);
	ck_assert(!w.err);
	ck_assert_int_eq(wbuf_put_u32(&w, 0x01020304), 0);
	p = wbuf_steal(&w, &len);
	ck_assert_uint_eq(len, 4);
	ck_assert_uint_eq(p[3], 4);
	free(p);
	ck_assert_ptr_null(w.p);
	wbuf_fini(&w);
}
END_TEST

START_TEST(writer_size_overflow_is_an_error)
{
	struct wbuf	w;

	wbuf_init(&w, 16);
	ck_assert_int_eq(wbuf_reserve(&w, SIZE_MAX), -1);
	ck_assert(w.err);
	wbuf_fini(&w);
}
END_TEST

Suite *
buf_suite(void)
{
	Suite	*s = suite_create("buf");
	TCase	*tc = tcase_create("cursor");

	tcase_add_test(tc, read_in_bounds);
	tcase_add_test(tc, short_reads_fail_and_keep_position);
	tcase_add_test(tc, writer_grows_patches_and_limits);
	tcase_add_test(tc, writer_size_overflow_is_an_error);
	suite_add_tcase(s, tc);
	return s;
}
