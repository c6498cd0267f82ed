/* test_ipam.c — address parsing/formatting and IPPool allocation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pn/ipam.h"
#include "pn/model.h"
#include "pn/problem.h"

static struct pn_ip ip_of(const char *s)
{
	struct pn_ip ip;

	memset(&ip, 0, sizeof(ip));
	if (pn_ip_parse(s, &ip) != 0)
		fail_msg("bad test address %s", s);
	return ip;
}

static struct pn_prefix pfx_of(const char *s)
{
	struct pn_prefix p;

	memset(&p, 0, sizeof(p));
	if (pn_prefix_parse(s, &p) != 0)
		fail_msg("bad test prefix %s", s);
	return p;
}

static struct pn_ipam_range_spec range_of(const char *cidr)
{
	struct pn_ipam_range_spec r;

	memset(&r, 0, sizeof(r));
	r.cidr = pfx_of(cidr);
	return r;
}

static struct pn_ipam_pool *pool1(struct pn_ipam_range_spec r)
{
	struct pn_ipam_pool *p = NULL;

	assert_int_equal(pn_ipam_pool_new(&r, 1, &p), 0);
	assert_non_null(p);
	return p;
}

/* Allocates the lowest address of a family and checks its text. */
static void expect_alloc(struct pn_ipam_pool *p, int fam, const char *owner, const char *want,
			 size_t want_range)
{
	struct pn_ip ip;
	size_t range = 999;
	char buf[PN_IP_STRLEN];

	assert_int_equal(pn_ipam_alloc(p, fam, owner, &ip, &range), 0);
	assert_true(pn_ip_format(&ip, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, want);
	assert_int_equal(range, want_range);
}

static void expect_full(struct pn_ipam_pool *p, int fam)
{
	struct pn_ip ip;

	assert_int_equal(pn_ipam_alloc(p, fam, "x/y", &ip, NULL), -ENOSPC);
}

static uint64_t size_of(const struct pn_ipam_pool *p, size_t i)
{
	uint64_t size = 0, alloc = 0;

	assert_int_equal(pn_ipam_range_stats(p, i, &size, &alloc), 0);
	return size;
}

static uint64_t allocated_of(const struct pn_ipam_pool *p, size_t i)
{
	uint64_t size = 0, alloc = 0;

	assert_int_equal(pn_ipam_range_stats(p, i, &size, &alloc), 0);
	return alloc;
}

static void roundtrip(const char *in, const char *want)
{
	struct pn_ip ip;
	char buf[PN_IP_STRLEN];

	assert_int_equal(pn_ip_parse(in, &ip), 0);
	assert_int_equal(pn_ip_format(&ip, buf, sizeof(buf)), (int)strlen(want));
	assert_string_equal(buf, want);
}

/* ---- parsing and formatting ---------------------------------------------- */

static void unit__ipam__parse_v4_valid(void **state)
{
	struct pn_ip ip;

	(void)state;
	assert_int_equal(pn_ip_parse("192.0.2.1", &ip), 0);
	assert_int_equal(ip.family, PN_IP_FAMILY_V4);
	assert_int_equal(ip.bytes[0], 192);
	assert_int_equal(ip.bytes[3], 1);
	roundtrip("0.0.0.0", "0.0.0.0");
	roundtrip("255.255.255.255", "255.255.255.255");
	roundtrip("10.0.0.10", "10.0.0.10");
}

static void unit__ipam__parse_v4_invalid(void **state)
{
	static const char *bad[] = {
		"",	      "1",	     "1.2.3",	       "1.2.3.4.5",    "256.0.0.1",
		"1.2.3.256",  "01.2.3.4",    "1.2.3.04",       "1.2.3.00",     "1..2.3",
		"1.2.3.",     ".1.2.3",	     " 1.2.3.4",       "1.2.3.4 ",     "1.2.3.4/24",
		"+1.2.3.4",   "-1.2.3.4",    "1.2.3.0x4",      "1.2.3.4%eth0", "1000.2.3.4",
		"0x01.2.3.4", "1.2.3.4\n",   "999999999999.1.1.1",
	};
	struct pn_ip ip;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (pn_ip_parse(bad[i], &ip) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
	}
	assert_int_equal(pn_ip_parse(NULL, &ip), -EINVAL);
}

static void unit__ipam__parse_v6_valid(void **state)
{
	(void)state;
	roundtrip("::", "::");
	roundtrip("::1", "::1");
	roundtrip("1::", "1::");
	roundtrip("2001:DB8::1", "2001:db8::1");
	roundtrip("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1");
	roundtrip("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"); /* first longest run */
	roundtrip("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"); /* single 0 kept */
	roundtrip("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0");
	roundtrip("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8");
	roundtrip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	roundtrip("::ffff:192.0.2.1", "::ffff:192.0.2.1");
	roundtrip("64:ff9b::192.0.2.1", "64:ff9b::c000:201");
	roundtrip("fd00:10::", "fd00:10::");
	roundtrip("1:0:0:2:0:0:0:3", "1:0:0:2::3");
}

static void unit__ipam__parse_v6_invalid(void **state)
{
	static const char *bad[] = {
		":",		  ":::",	      "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
		"1::2::3",	  ":1::2",	      "1::2:",		   "12345::1",
		"fe80::1%eth0",	  "[::1]",	      "::g",		   "1:2:3:4:5:6:7:8::",
		"::1.2.3",	  "::1.2.3.04",	      "1.2.3.4::",	   "::1.2.3.4:5",
		"1:2:3:4:5:6:7:1.2.3.4", "::1 ",	      " ::1",		   "1::2:3:4:5:6:7:8",
		"fe80::1%25eth0",
	};
	struct pn_ip ip;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (pn_ip_parse(bad[i], &ip) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
	}
}

static void unit__ipam__format_errors(void **state)
{
	struct pn_ip ip = ip_of("2001:db8::1");
	char small[4];
	char buf[PN_IP_STRLEN];

	(void)state;
	assert_int_equal(pn_ip_format(&ip, small, sizeof(small)), -ENOSPC);
	ip.family = 5;
	assert_int_equal(pn_ip_format(&ip, buf, sizeof(buf)), -EINVAL);
	/* the longest form fits in PN_IP_STRLEN */
	ip = ip_of("1:ffff:ffff:ffff:ffff:ffff:255.255.255.255");
	assert_true(pn_ip_format(&ip, buf, sizeof(buf)) > 0);
}

static void unit__ipam__prefix_parse(void **state)
{
	struct pn_prefix p;
	char buf[PN_PREFIX_STRLEN];

	(void)state;
	assert_int_equal(pn_prefix_parse("172.16.1.0/24", &p), 0);
	assert_int_equal(p.len, 24);
	assert_int_equal(pn_prefix_format(&p, buf, sizeof(buf)), 13);
	assert_string_equal(buf, "172.16.1.0/24");
	assert_int_equal(pn_prefix_parse("0.0.0.0/0", &p), 0);
	assert_int_equal(pn_prefix_parse("1.2.3.4/32", &p), 0);
	assert_int_equal(pn_prefix_parse("fd00:10::/64", &p), 0);
	assert_int_equal(pn_prefix_parse("::/0", &p), 0);
	assert_int_equal(pn_prefix_parse("::1/128", &p), 0);
	assert_int_equal(pn_prefix_format(&p, buf, sizeof(buf)), 7);
	assert_string_equal(buf, "::1/128");

	static const char *bad[] = {
		"172.16.1.5/24", "172.16.1.0/33", "172.16.1.0/024", "172.16.1.0/",
		"172.16.1.0",	 "/24",		  "fd00::/129",	    "fd00::1/64",
		"1.2.3.4/32/1",	 "1.2.3.4/-1",	  "1.2.3.4/ 32",    "fd00::%1/64",
		"1.2.3.4/3a",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (pn_prefix_parse(bad[i], &p) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
	}
	p = pfx_of("10.0.0.0/8");
	struct pn_ip in = ip_of("10.255.255.255"), out = ip_of("11.0.0.0"), v6 = ip_of("::a00:1");
	assert_true(pn_prefix_contains(&p, &in));
	assert_false(pn_prefix_contains(&p, &out));
	assert_false(pn_prefix_contains(&p, &v6));
	p = pfx_of("::/0");
	assert_true(pn_prefix_contains(&p, &v6));
	assert_false(pn_prefix_contains(&p, &in));
}

static void unit__ipam__cmp(void **state)
{
	struct pn_ip a = ip_of("10.0.0.1"), b = ip_of("10.0.0.2"), c = ip_of("::1");

	(void)state;
	assert_int_equal(pn_ip_cmp(&a, &b), -1);
	assert_int_equal(pn_ip_cmp(&b, &a), 1);
	assert_int_equal(pn_ip_cmp(&a, &a), 0);
	assert_int_equal(pn_ip_cmp(&b, &c), -1); /* IPv4 before IPv6 */
}

/* ---- pool construction ---------------------------------------------------- */

static void unit__ipam__pool_new_invalid(void **state)
{
	struct pn_ipam_pool *p = NULL;
	struct pn_ipam_range_spec r, two[2];
	struct pn_prefix ex;

	(void)state;
	r = range_of("10.0.0.0/24");
	r.has_start = true;
	r.start = ip_of("10.0.1.1"); /* outside the cidr */
	assert_int_equal(pn_ipam_pool_new(&r, 1, &p), -EINVAL);
	assert_null(p);

	r = range_of("10.0.0.0/24");
	r.has_start = r.has_end = true;
	r.start = ip_of("10.0.0.20");
	r.end = ip_of("10.0.0.10"); /* start > end */
	assert_int_equal(pn_ipam_pool_new(&r, 1, &p), -EINVAL);

	r = range_of("10.0.0.0/24");
	r.has_gateway = true;
	r.gateway = ip_of("10.0.1.1");
	assert_int_equal(pn_ipam_pool_new(&r, 1, &p), -EINVAL);

	r = range_of("10.0.0.0/24");
	r.has_end = true;
	r.end = ip_of("fd00::1"); /* other family */
	assert_int_equal(pn_ipam_pool_new(&r, 1, &p), -EINVAL);

	r = range_of("10.0.0.0/24");
	ex = pfx_of("fd00::/64");
	r.exclude = &ex;
	r.n_exclude = 1;
	assert_int_equal(pn_ipam_pool_new(&r, 1, &p), -EINVAL);

	r = range_of("10.0.0.0/24");
	r.cidr.addr.bytes[3] = 1; /* host bits set */
	assert_int_equal(pn_ipam_pool_new(&r, 1, &p), -EINVAL);

	/* overlapping ranges */
	two[0] = range_of("10.0.0.0/24");
	two[1] = range_of("10.0.0.128/25");
	assert_int_equal(pn_ipam_pool_new(two, 2, &p), -EINVAL);
	assert_null(p);
	/* same cidr, disjoint start..end: fine */
	two[0] = range_of("10.0.0.0/24");
	two[0].has_end = true;
	two[0].end = ip_of("10.0.0.99");
	two[1] = range_of("10.0.0.0/24");
	two[1].has_start = true;
	two[1].start = ip_of("10.0.0.100");
	assert_int_equal(pn_ipam_pool_new(two, 2, &p), 0);
	assert_int_equal(size_of(p, 0), 99);  /* .1 .. .99 */
	assert_int_equal(size_of(p, 1), 155); /* .100 .. .254 */
	pn_ipam_pool_free(p);

	assert_int_equal(pn_ipam_pool_new(&r, 0, &p), -EINVAL);
	pn_ipam_pool_free(NULL);
}

/* ---- IPv4 ----------------------------------------------------------------- */

static void unit__ipam__v4_lowest_skips_network_broadcast(void **state)
{
	struct pn_ipam_pool *p = pool1(range_of("10.0.0.0/30"));

	(void)state;
	assert_int_equal(size_of(p, 0), 2);
	expect_alloc(p, PN_IP_FAMILY_V4, "a/n", "10.0.0.1", 0);
	expect_alloc(p, PN_IP_FAMILY_V4, "b/n", "10.0.0.2", 0);
	expect_full(p, PN_IP_FAMILY_V4);
	expect_full(p, PN_IP_FAMILY_V6); /* no IPv6 range at all */
	assert_int_equal(allocated_of(p, 0), 2);
	pn_ipam_pool_free(p);
}

static void unit__ipam__v4_start_end_gateway_exclude(void **state)
{
	struct pn_ipam_range_spec r = range_of("172.16.1.0/24");
	struct pn_prefix ex[2];
	struct pn_ipam_pool *p;

	(void)state;
	ex[0] = pfx_of("172.16.1.150/32");
	ex[1] = pfx_of("172.16.1.102/31"); /* .102 and .103 */
	r.has_start = r.has_end = r.has_gateway = true;
	r.start = ip_of("172.16.1.100");
	r.end = ip_of("172.16.1.200");
	r.gateway = ip_of("172.16.1.101");
	r.exclude = ex;
	r.n_exclude = 2;
	p = pool1(r);
	/* 101 addresses, minus gateway, .150, .102, .103 */
	assert_int_equal(size_of(p, 0), 97);
	expect_alloc(p, PN_IP_FAMILY_V4, "a/n", "172.16.1.100", 0);
	expect_alloc(p, PN_IP_FAMILY_V4, "b/n", "172.16.1.104", 0);
	for (int i = 105; i <= 200; i++) {
		if (i == 150)
			continue;
		struct pn_ip ip;
		assert_int_equal(pn_ipam_alloc(p, PN_IP_FAMILY_V4, "c/n", &ip, NULL), 0);
		assert_int_equal(ip.bytes[3], i);
	}
	expect_full(p, PN_IP_FAMILY_V4);
	assert_int_equal(allocated_of(p, 0), 97);
	assert_int_equal(size_of(p, 0), 97);
	pn_ipam_pool_free(p);
}

static void unit__ipam__v4_requested(void **state)
{
	struct pn_ipam_range_spec r = range_of("172.16.2.0/24");
	struct pn_prefix ex = pfx_of("172.16.2.64/26");
	struct pn_ipam_pool *p;
	struct pn_ip ip;
	size_t range = 9;

	(void)state;
	r.has_start = true;
	r.start = ip_of("172.16.2.10");
	r.has_gateway = true;
	r.gateway = ip_of("172.16.2.1");
	r.exclude = &ex;
	r.n_exclude = 1;
	p = pool1(r);

	ip = ip_of("172.16.2.50");
	assert_int_equal(pn_ipam_alloc_addr(p, &ip, "pod1/sig", &range), 0);
	assert_int_equal(range, 0);
	assert_string_equal(pn_ipam_owner(p, &ip), "pod1/sig");
	/* the same owner again: idempotent success */
	assert_int_equal(pn_ipam_alloc_addr(p, &ip, "pod1/sig", &range), 1);
	/* another owner: taken */
	assert_int_equal(pn_ipam_alloc_addr(p, &ip, "pod2/sig", NULL), -EEXIST);
	assert_string_equal(pn_ipam_owner(p, &ip), "pod1/sig");
	assert_int_equal(allocated_of(p, 0), 1);

	ip = ip_of("172.16.3.1");
	assert_int_equal(pn_ipam_alloc_addr(p, &ip, "pod2/sig", NULL), -ERANGE);
	ip = ip_of("172.16.2.5"); /* inside the cidr, below start */
	assert_int_equal(pn_ipam_alloc_addr(p, &ip, "pod2/sig", NULL), -ERANGE);
	ip = ip_of("172.16.2.70"); /* excluded */
	assert_int_equal(pn_ipam_alloc_addr(p, &ip, "pod2/sig", NULL), -EPERM);
	assert_int_equal(pn_ipam_check(p, &ip), -EPERM);
	ip = ip_of("172.16.2.255"); /* broadcast */
	assert_int_equal(pn_ipam_alloc_addr(p, &ip, "pod2/sig", NULL), -EPERM);
	ip = ip_of("fd00::1"); /* no IPv6 range */
	assert_int_equal(pn_ipam_alloc_addr(p, &ip, "pod2/sig", NULL), -ERANGE);
	ip = ip_of("172.16.2.51");
	assert_int_equal(pn_ipam_check(p, &ip), 0);
	assert_int_equal(pn_ipam_alloc_addr(p, &ip, "", NULL), -EINVAL);
	assert_int_equal(pn_ipam_alloc_addr(p, &ip, "bad\nowner", NULL), -EINVAL);
	assert_int_equal(pn_ipam_alloc_addr(p, &ip, NULL, NULL), -EINVAL);
	assert_null(pn_ipam_owner(p, &ip));
	assert_int_equal(allocated_of(p, 0), 1);

	/* the gateway of another pool setup */
	pn_ipam_pool_free(p);
	r = range_of("172.16.2.0/24");
	r.has_gateway = true;
	r.gateway = ip_of("172.16.2.1");
	p = pool1(r);
	ip = ip_of("172.16.2.1");
	assert_int_equal(pn_ipam_alloc_addr(p, &ip, "pod/n", NULL), -EPERM);
	ip = ip_of("172.16.2.0"); /* network */
	assert_int_equal(pn_ipam_alloc_addr(p, &ip, "pod/n", NULL), -EPERM);
	expect_alloc(p, PN_IP_FAMILY_V4, "a/n", "172.16.2.2", 0);
	pn_ipam_pool_free(p);
}

static void unit__ipam__owner_length_cap(void **state)
{
	struct pn_ipam_pool *p = pool1(range_of("10.0.0.0/24"));
	char owner[PN_IPAM_OWNER_MAX + 2];
	struct pn_ip ip;

	(void)state;
	memset(owner, 'o', sizeof(owner));
	owner[PN_IPAM_OWNER_MAX] = '\0';
	assert_int_equal(pn_ipam_alloc(p, PN_IP_FAMILY_V4, owner, &ip, NULL), 0);
	owner[PN_IPAM_OWNER_MAX] = 'o';
	owner[PN_IPAM_OWNER_MAX + 1] = '\0';
	assert_int_equal(pn_ipam_alloc(p, PN_IP_FAMILY_V4, owner, &ip, NULL), -EINVAL);
	assert_int_equal(pn_ipam_alloc(p, 5, "a/b", &ip, NULL), -EINVAL);
	pn_ipam_pool_free(p);
}

static void unit__ipam__release_and_reallocate_lowest(void **state)
{
	struct pn_ipam_pool *p = pool1(range_of("10.1.0.0/24"));
	struct pn_ip ip;
	char owner[32];

	(void)state;
	for (int i = 1; i <= 10; i++) {
		snprintf(owner, sizeof(owner), "pod%d/n", i);
		assert_int_equal(pn_ipam_alloc(p, PN_IP_FAMILY_V4, owner, &ip, NULL), 0);
		assert_int_equal(ip.bytes[3], i);
	}
	ip = ip_of("10.1.0.7");
	assert_int_equal(pn_ipam_release(p, &ip, "pod6/n"), -EPERM); /* someone else's */
	assert_string_equal(pn_ipam_owner(p, &ip), "pod7/n");
	assert_int_equal(pn_ipam_release(p, &ip, "pod7/n"), 0);
	assert_int_equal(pn_ipam_release(p, &ip, NULL), -ENOENT);
	ip = ip_of("10.1.0.3");
	assert_int_equal(pn_ipam_release(p, &ip, NULL), 0);
	ip = ip_of("10.2.0.3");
	assert_int_equal(pn_ipam_release(p, &ip, NULL), -ENOENT);
	assert_int_equal(allocated_of(p, 0), 8);
	expect_alloc(p, PN_IP_FAMILY_V4, "new1/n", "10.1.0.3", 0);
	expect_alloc(p, PN_IP_FAMILY_V4, "new2/n", "10.1.0.7", 0);
	expect_alloc(p, PN_IP_FAMILY_V4, "new3/n", "10.1.0.11", 0);

	/* release everything of an owner */
	ip = ip_of("10.1.0.100");
	assert_int_equal(pn_ipam_alloc_addr(p, &ip, "pod2/n", NULL), 0);
	assert_int_equal(pn_ipam_release_owner(p, "pod2/n"), 2);
	assert_int_equal(pn_ipam_release_owner(p, "pod2/n"), 0);
	assert_null(pn_ipam_owner(p, &ip));
	assert_int_equal(allocated_of(p, 0), 10);
	expect_alloc(p, PN_IP_FAMILY_V4, "new4/n", "10.1.0.2", 0);
	expect_alloc(p, PN_IP_FAMILY_V4, "new5/n", "10.1.0.12", 0);
	pn_ipam_pool_free(p);
}

static void unit__ipam__v4_slash31_slash32(void **state)
{
	struct pn_ipam_pool *p;
	struct pn_ip ip;

	(void)state;
	p = pool1(range_of("10.0.0.0/31"));
	assert_int_equal(size_of(p, 0), 2);
	expect_alloc(p, PN_IP_FAMILY_V4, "a/n", "10.0.0.0", 0);
	expect_alloc(p, PN_IP_FAMILY_V4, "b/n", "10.0.0.1", 0);
	expect_full(p, PN_IP_FAMILY_V4);
	pn_ipam_pool_free(p);

	p = pool1(range_of("10.0.0.7/32"));
	assert_int_equal(size_of(p, 0), 1);
	expect_alloc(p, PN_IP_FAMILY_V4, "a/n", "10.0.0.7", 0);
	expect_full(p, PN_IP_FAMILY_V4);
	ip = ip_of("10.0.0.7");
	assert_int_equal(pn_ipam_release(p, &ip, "a/n"), 0);
	expect_alloc(p, PN_IP_FAMILY_V4, "b/n", "10.0.0.7", 0);
	pn_ipam_pool_free(p);

	/* a /32 whose only address is the gateway has nothing to give */
	struct pn_ipam_range_spec r = range_of("10.0.0.7/32");
	r.has_gateway = true;
	r.gateway = ip_of("10.0.0.7");
	p = pool1(r);
	assert_int_equal(size_of(p, 0), 0);
	expect_full(p, PN_IP_FAMILY_V4);
	pn_ipam_pool_free(p);

	/* a /30 narrowed by start=end to its network address: empty */
	r = range_of("10.0.0.0/30");
	r.has_start = r.has_end = true;
	r.start = r.end = ip_of("10.0.0.0");
	p = pool1(r);
	assert_int_equal(size_of(p, 0), 0);
	expect_full(p, PN_IP_FAMILY_V4);
	ip = ip_of("10.0.0.0");
	assert_int_equal(pn_ipam_alloc_addr(p, &ip, "a/n", NULL), -EPERM);
	pn_ipam_pool_free(p);
}

static void unit__ipam__v4_top_of_space(void **state)
{
	struct pn_ipam_pool *p;
	struct pn_ip ip;

	(void)state;
	/* 255.255.255.254/31: both usable, no wrap after the last one */
	p = pool1(range_of("255.255.255.254/31"));
	expect_alloc(p, PN_IP_FAMILY_V4, "a/n", "255.255.255.254", 0);
	expect_alloc(p, PN_IP_FAMILY_V4, "b/n", "255.255.255.255", 0);
	expect_full(p, PN_IP_FAMILY_V4);
	expect_full(p, PN_IP_FAMILY_V4);
	pn_ipam_pool_free(p);

	/* /24 at the top: .255 is broadcast */
	struct pn_ipam_range_spec r = range_of("255.255.255.0/24");
	r.has_start = true;
	r.start = ip_of("255.255.255.253");
	p = pool1(r);
	assert_int_equal(size_of(p, 0), 2);
	expect_alloc(p, PN_IP_FAMILY_V4, "a/n", "255.255.255.253", 0);
	expect_alloc(p, PN_IP_FAMILY_V4, "b/n", "255.255.255.254", 0);
	expect_full(p, PN_IP_FAMILY_V4);
	ip = ip_of("255.255.255.255");
	assert_int_equal(pn_ipam_alloc_addr(p, &ip, "c/n", NULL), -EPERM);
	pn_ipam_pool_free(p);

	/* exclude that reaches the top of the space */
	r = range_of("255.255.255.248/29");
	struct pn_prefix ex = pfx_of("255.255.255.252/30");
	r.exclude = &ex;
	r.n_exclude = 1;
	p = pool1(r);
	assert_int_equal(size_of(p, 0), 3); /* .249 .250 .251 */
	expect_alloc(p, PN_IP_FAMILY_V4, "a/n", "255.255.255.249", 0);
	expect_alloc(p, PN_IP_FAMILY_V4, "b/n", "255.255.255.250", 0);
	expect_alloc(p, PN_IP_FAMILY_V4, "c/n", "255.255.255.251", 0);
	expect_full(p, PN_IP_FAMILY_V4);
	pn_ipam_pool_free(p);

	/* 0.0.0.0/0: size is 2^32 - 2 */
	p = pool1(range_of("0.0.0.0/0"));
	assert_int_equal(size_of(p, 0), 4294967294ULL);
	expect_alloc(p, PN_IP_FAMILY_V4, "a/n", "0.0.0.1", 0);
	pn_ipam_pool_free(p);
}

static void unit__ipam__exclude_overlaps_merge(void **state)
{
	struct pn_ipam_range_spec r = range_of("10.9.0.0/24");
	struct pn_prefix ex[4];
	struct pn_ipam_pool *p;

	(void)state;
	ex[0] = pfx_of("10.9.0.0/28");	  /* .0-.15 (network already reserved) */
	ex[1] = pfx_of("10.9.0.8/29");	  /* inside the first */
	ex[2] = pfx_of("10.9.0.16/28");	  /* adjacent: .16-.31 */
	ex[3] = pfx_of("10.9.0.0/16");	  /* wider than the cidr: covers everything */
	r.exclude = ex;
	r.n_exclude = 3;
	r.has_gateway = true;
	r.gateway = ip_of("10.9.0.32");
	p = pool1(r);
	assert_int_equal(size_of(p, 0), 254 - 32); /* .1-.32 blocked */
	expect_alloc(p, PN_IP_FAMILY_V4, "a/n", "10.9.0.33", 0);
	pn_ipam_pool_free(p);

	r.n_exclude = 4; /* the /16 swallows the whole range */
	p = pool1(r);
	assert_int_equal(size_of(p, 0), 0);
	expect_full(p, PN_IP_FAMILY_V4);
	pn_ipam_pool_free(p);
}

static void unit__ipam__multiple_ranges_in_order(void **state)
{
	struct pn_ipam_range_spec r[3];
	struct pn_ipam_pool *p = NULL;
	struct pn_ip ip;

	(void)state;
	r[0] = range_of("10.0.1.0/30");
	r[1] = range_of("fd00:10::/64");
	r[2] = range_of("10.0.0.0/30");
	assert_int_equal(pn_ipam_pool_new(r, 3, &p), 0);
	assert_int_equal(pn_ipam_pool_nranges(p), 3);
	expect_alloc(p, PN_IP_FAMILY_V4, "a/n", "10.0.1.1", 0);
	expect_alloc(p, PN_IP_FAMILY_V6, "a/n", "fd00:10::1", 1);
	expect_alloc(p, PN_IP_FAMILY_V4, "b/n", "10.0.1.2", 0);
	/* first range full: the next range of the family, in spec order */
	expect_alloc(p, PN_IP_FAMILY_V4, "c/n", "10.0.0.1", 2);
	expect_alloc(p, PN_IP_FAMILY_V4, "d/n", "10.0.0.2", 2);
	expect_full(p, PN_IP_FAMILY_V4);
	ip = ip_of("10.0.1.2");
	assert_int_equal(pn_ipam_release(p, &ip, NULL), 0);
	expect_alloc(p, PN_IP_FAMILY_V4, "e/n", "10.0.1.2", 0);
	assert_int_equal(pn_ipam_pool_nallocated(p), 5);
	assert_null(pn_ipam_range_cidr(p, 3));
	assert_null(pn_ipam_range_gateway(p, 0));
	assert_int_equal(pn_ipam_range_stats(p, 3, NULL, NULL), -EINVAL);
	pn_ipam_pool_free(p);
}

/* ---- IPv6 ----------------------------------------------------------------- */

static void unit__ipam__v6_basic(void **state)
{
	struct pn_ipam_range_spec r = range_of("fd00:10::/64");
	struct pn_ipam_pool *p;
	struct pn_ip ip;

	(void)state;
	r.has_gateway = true;
	r.gateway = ip_of("fd00:10::1");
	p = pool1(r);
	/* 2^64 - 1 (anycast) - 1 (gateway): more than a JSON int64 holds */
	assert_int_equal(size_of(p, 0), PN_IPAM_SIZE_MAX);
	assert_non_null(pn_ipam_range_gateway(p, 0));
	expect_alloc(p, PN_IP_FAMILY_V6, "a/n", "fd00:10::2", 0);
	ip = ip_of("fd00:10::");
	assert_int_equal(pn_ipam_alloc_addr(p, &ip, "b/n", NULL), -EPERM); /* anycast */
	ip = ip_of("fd00:10::ffff:ffff:ffff:ffff"); /* no broadcast in IPv6 */
	assert_int_equal(pn_ipam_alloc_addr(p, &ip, "b/n", NULL), 0);
	ip = ip_of("fd00:11::5");
	assert_int_equal(pn_ipam_alloc_addr(p, &ip, "b/n", NULL), -ERANGE);
	pn_ipam_pool_free(p);
}

static void unit__ipam__v6_huge_size_saturates(void **state)
{
	struct pn_ipam_pool *p;
	struct pn_ipam_range_spec r;
	struct pn_prefix ex;

	(void)state;
	p = pool1(range_of("fd00::/8"));
	assert_int_equal(size_of(p, 0), PN_IPAM_SIZE_MAX);
	pn_ipam_pool_free(p);
	p = pool1(range_of("::/0"));
	assert_int_equal(size_of(p, 0), PN_IPAM_SIZE_MAX);
	expect_alloc(p, PN_IP_FAMILY_V6, "a/n", "::1", 0);
	pn_ipam_pool_free(p);
	/* ::/0 excluding ::/0 */
	r = range_of("::/0");
	ex = pfx_of("::/0");
	r.exclude = &ex;
	r.n_exclude = 1;
	p = pool1(r);
	assert_int_equal(size_of(p, 0), 0);
	expect_full(p, PN_IP_FAMILY_V6);
	pn_ipam_pool_free(p);
	/* a /63 is exactly 2^65 - 1 addresses: saturates */
	p = pool1(range_of("fd00::/63"));
	assert_int_equal(size_of(p, 0), PN_IPAM_SIZE_MAX);
	pn_ipam_pool_free(p);
	/* a /65 is 2^63 - 1: exactly the maximum */
	p = pool1(range_of("fd00::/65"));
	assert_int_equal(size_of(p, 0), (1ULL << 63) - 1);
	pn_ipam_pool_free(p);
	/* a /66 is 2^62 - 1, minus an excluded /112 */
	struct pn_prefix ex66 = pfx_of("fd00::1:0/112");
	r = range_of("fd00::/66");
	r.exclude = &ex66;
	r.n_exclude = 1;
	p = pool1(r);
	assert_int_equal(size_of(p, 0), (1ULL << 62) - 1 - 65536);
	pn_ipam_pool_free(p);
}

static void unit__ipam__v6_slash127_slash128(void **state)
{
	struct pn_ipam_pool *p;

	(void)state;
	p = pool1(range_of("fd00::/127"));
	assert_int_equal(size_of(p, 0), 2);
	expect_alloc(p, PN_IP_FAMILY_V6, "a/n", "fd00::", 0);
	expect_alloc(p, PN_IP_FAMILY_V6, "b/n", "fd00::1", 0);
	expect_full(p, PN_IP_FAMILY_V6);
	pn_ipam_pool_free(p);

	p = pool1(range_of("fd00::5/128"));
	assert_int_equal(size_of(p, 0), 1);
	expect_alloc(p, PN_IP_FAMILY_V6, "a/n", "fd00::5", 0);
	expect_full(p, PN_IP_FAMILY_V6);
	pn_ipam_pool_free(p);

	/* a /126 reserves only the anycast address */
	p = pool1(range_of("fd00::/126"));
	assert_int_equal(size_of(p, 0), 3);
	expect_alloc(p, PN_IP_FAMILY_V6, "a/n", "fd00::1", 0);
	expect_alloc(p, PN_IP_FAMILY_V6, "b/n", "fd00::2", 0);
	expect_alloc(p, PN_IP_FAMILY_V6, "c/n", "fd00::3", 0);
	expect_full(p, PN_IP_FAMILY_V6);
	pn_ipam_pool_free(p);
}

static void unit__ipam__v6_top_of_space(void **state)
{
	struct pn_ipam_pool *p;
	struct pn_ipam_range_spec r;
	struct pn_ip ip;

	(void)state;
	p = pool1(range_of("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"));
	expect_alloc(p, PN_IP_FAMILY_V6, "a/n", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0);
	expect_full(p, PN_IP_FAMILY_V6);
	expect_full(p, PN_IP_FAMILY_V6);
	pn_ipam_pool_free(p);

	r = range_of("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0/124");
	r.has_start = true;
	r.start = ip_of("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
	p = pool1(r);
	assert_int_equal(size_of(p, 0), 2);
	expect_alloc(p, PN_IP_FAMILY_V6, "a/n", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 0);
	expect_alloc(p, PN_IP_FAMILY_V6, "b/n", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0);
	expect_full(p, PN_IP_FAMILY_V6);
	ip = ip_of("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
	assert_int_equal(pn_ipam_release(p, &ip, "a/n"), 0);
	expect_alloc(p, PN_IP_FAMILY_V6, "c/n", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 0);
	pn_ipam_pool_free(p);

	/* a gateway at the very top */
	r = range_of("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffc/126");
	r.has_gateway = true;
	r.gateway = ip_of("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	p = pool1(r);
	assert_int_equal(size_of(p, 0), 2);
	expect_alloc(p, PN_IP_FAMILY_V6, "a/n", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffd", 0);
	expect_alloc(p, PN_IP_FAMILY_V6, "b/n", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 0);
	expect_full(p, PN_IP_FAMILY_V6);
	pn_ipam_pool_free(p);
}

static void unit__ipam__v6_sparse_in_slash64(void **state)
{
	struct pn_ipam_range_spec r = range_of("fd00:20::/64");
	struct pn_prefix ex = pfx_of("fd00:20::/112"); /* the first 65536 addresses */
	struct pn_ipam_pool *p;
	struct pn_ip ip;
	char buf[64];

	(void)state;
	r.exclude = &ex;
	r.n_exclude = 1;
	p = pool1(r);
	assert_int_equal(size_of(p, 0), PN_IPAM_SIZE_MAX); /* 2^64 - 65536 saturates */
	/* requested addresses scattered over the /64 */
	for (unsigned i = 1; i <= 1000; i++) {
		snprintf(buf, sizeof(buf), "fd00:20::%x:%x:0:%x", i * 7919u % 0xffff,
			 i * 104729u % 0xffff, i);
		ip = ip_of(buf);
		char owner[32];
		snprintf(owner, sizeof(owner), "s%u/n", i);
		assert_int_equal(pn_ipam_alloc_addr(p, &ip, owner, NULL), 0);
	}
	assert_int_equal(allocated_of(p, 0), 1000);
	expect_alloc(p, PN_IP_FAMILY_V6, "a/n", "fd00:20::1:0", 0);
	expect_alloc(p, PN_IP_FAMILY_V6, "b/n", "fd00:20::1:1", 0);
	pn_ipam_pool_free(p);
}

/* ---- scale ---------------------------------------------------------------- */

static void unit__ipam__slash16_60000_allocations(void **state)
{
	struct pn_ipam_pool *p = pool1(range_of("10.20.0.0/16"));
	struct pn_ip ip;
	char owner[32];

	(void)state;
	assert_int_equal(size_of(p, 0), 65534);
	for (unsigned i = 0; i < 60000; i++) {
		snprintf(owner, sizeof(owner), "pod-%u/net", i);
		assert_int_equal(pn_ipam_alloc(p, PN_IP_FAMILY_V4, owner, &ip, NULL), 0);
		unsigned v = (unsigned)ip.bytes[2] << 8 | ip.bytes[3];
		assert_int_equal(v, i + 1);
	}
	assert_int_equal(allocated_of(p, 0), 60000);
	/* free every third one, then allocate them back lowest first */
	for (unsigned v = 3; v <= 60000; v += 3) {
		ip = ip_of("10.20.0.0");
		ip.bytes[2] = (uint8_t)(v >> 8);
		ip.bytes[3] = (uint8_t)v;
		assert_int_equal(pn_ipam_release(p, &ip, NULL), 0);
	}
	assert_int_equal(allocated_of(p, 0), 40000);
	for (unsigned v = 3; v <= 60000; v += 3) {
		assert_int_equal(pn_ipam_alloc(p, PN_IP_FAMILY_V4, "again/net", &ip, NULL), 0);
		unsigned got = (unsigned)ip.bytes[2] << 8 | ip.bytes[3];
		assert_int_equal(got, v);
	}
	assert_int_equal(pn_ipam_release_owner(p, "again/net"), 20000);
	assert_int_equal(allocated_of(p, 0), 40000);
	/* fill the rest: exactly 65534 - 40000 more, then full */
	for (unsigned i = 0; i < 65534 - 40000; i++)
		assert_int_equal(pn_ipam_alloc(p, PN_IP_FAMILY_V4, "fill/net", &ip, NULL), 0);
	expect_full(p, PN_IP_FAMILY_V4);
	assert_int_equal(allocated_of(p, 0), 65534);
	pn_ipam_pool_free(p);
}

/* ---- rebuild -------------------------------------------------------------- */

static void unit__ipam__rebuild_with_duplicates(void **state)
{
	struct pn_ipam_range_spec r[2];
	struct pn_ipam_pool *p = NULL;
	struct pn_ipam_conflict cf[8];
	struct pn_ip ip;

	(void)state;
	r[0] = range_of("10.0.0.0/24");
	r[0].has_gateway = true;
	r[0].gateway = ip_of("10.0.0.1");
	r[1] = range_of("fd00::/64");
	assert_int_equal(pn_ipam_pool_new(r, 2, &p), 0);
	/* something allocated before the rebuild is forgotten */
	ip = ip_of("10.0.0.200");
	assert_int_equal(pn_ipam_alloc_addr(p, &ip, "stale/n", NULL), 0);

	struct pn_ipam_use uses[] = {
		{ ip_of("10.0.0.5"), "pod-a/n" },  /* 0 kept */
		{ ip_of("10.0.0.3"), "pod-b/n" },  /* 1 kept */
		{ ip_of("10.0.0.5"), "pod-c/n" },  /* 2 duplicate of 0 */
		{ ip_of("10.0.1.5"), "pod-d/n" },  /* 3 outside */
		{ ip_of("10.0.0.1"), "pod-e/n" },  /* 4 gateway */
		{ ip_of("fd00::2"), "pod-a/n" },   /* 5 kept */
		{ ip_of("10.0.0.5"), "pod-a/n" },  /* 6 same owner twice: still reported */
		{ ip_of("fd00::2"), "pod-f/n" },   /* 7 duplicate of 5 */
		{ ip_of("10.0.0.2"), "" },	   /* 8 bad owner */
	};
	int n = pn_ipam_rebuild(p, uses, sizeof(uses) / sizeof(uses[0]), cf, 8);
	assert_int_equal(n, 6);
	assert_int_equal(cf[0].index, 2);
	assert_int_equal(cf[0].error, -EEXIST);
	assert_int_equal(cf[0].other, 0);
	assert_int_equal(cf[1].index, 3);
	assert_int_equal(cf[1].error, -ERANGE);
	assert_int_equal(cf[2].index, 4);
	assert_int_equal(cf[2].error, -EPERM);
	assert_int_equal(cf[3].index, 6);
	assert_int_equal(cf[3].error, -EEXIST);
	assert_int_equal(cf[3].other, 0);
	assert_int_equal(cf[4].index, 7);
	assert_int_equal(cf[4].error, -EEXIST);
	assert_int_equal(cf[4].other, 5);
	assert_int_equal(cf[5].index, 8);
	assert_int_equal(cf[5].error, -EINVAL);

	assert_int_equal(pn_ipam_pool_nallocated(p), 3);
	ip = ip_of("10.0.0.5");
	assert_string_equal(pn_ipam_owner(p, &ip), "pod-a/n");
	ip = ip_of("10.0.0.200");
	assert_null(pn_ipam_owner(p, &ip));
	ip = ip_of("fd00::2");
	assert_string_equal(pn_ipam_owner(p, &ip), "pod-a/n");
	assert_int_equal(allocated_of(p, 0), 2);
	assert_int_equal(allocated_of(p, 1), 1);
	/* lowest free after the rebuild: .2 (gateway .1, .3 taken) */
	expect_alloc(p, PN_IP_FAMILY_V4, "n1/n", "10.0.0.2", 0);
	expect_alloc(p, PN_IP_FAMILY_V4, "n2/n", "10.0.0.4", 0);
	expect_alloc(p, PN_IP_FAMILY_V4, "n3/n", "10.0.0.6", 0);
	expect_alloc(p, PN_IP_FAMILY_V6, "n1/n", "fd00::1", 1);
	expect_alloc(p, PN_IP_FAMILY_V6, "n2/n", "fd00::3", 1);

	/* a small conflicts array: the count is still the total */
	n = pn_ipam_rebuild(p, uses, sizeof(uses) / sizeof(uses[0]), cf, 2);
	assert_int_equal(n, 6);
	assert_int_equal(cf[1].index, 3);
	n = pn_ipam_rebuild(p, uses, sizeof(uses) / sizeof(uses[0]), NULL, 0);
	assert_int_equal(n, 6);
	assert_int_equal(pn_ipam_rebuild(p, NULL, 0, NULL, 0), 0);
	assert_int_equal(pn_ipam_pool_nallocated(p), 0);
	pn_ipam_pool_free(p);
}

static void unit__ipam__rebuild_large_unsorted(void **state)
{
	struct pn_ipam_pool *p = pool1(range_of("10.30.0.0/16"));
	size_t n = 50000;
	struct pn_ipam_use *uses = calloc(n, sizeof(*uses));
	char(*owners)[24] = calloc(n, sizeof(*owners));
	struct pn_ip ip;

	(void)state;
	assert_non_null(uses);
	assert_non_null(owners);
	for (size_t i = 0; i < n; i++) {
		/* a permutation of 1..50000 over the /16 */
		unsigned v = (unsigned)((i * 40503u) % 50000u) + 1;
		uses[i].ip = ip_of("10.30.0.0");
		uses[i].ip.bytes[2] = (uint8_t)(v >> 8);
		uses[i].ip.bytes[3] = (uint8_t)v;
		snprintf(owners[i], sizeof(owners[i]), "p%zu/n", i);
		uses[i].owner = owners[i];
	}
	assert_int_equal(pn_ipam_rebuild(p, uses, n, NULL, 0), 0);
	assert_int_equal(allocated_of(p, 0), 50000);
	expect_alloc(p, PN_IP_FAMILY_V4, "new/n", "10.30.195.81", 0); /* 50001 */
	ip = uses[123].ip;
	assert_string_equal(pn_ipam_owner(p, &ip), "p123/n");
	free(owners);
	free(uses);
	pn_ipam_pool_free(p);
}

static int count_visit(const struct pn_ip *ip, const char *owner, size_t range, void *ud)
{
	size_t *n = ud;

	(void)ip;
	(void)owner;
	(void)range;
	return ++*n == 3 ? 42 : 0;
}

static void unit__ipam__foreach(void **state)
{
	struct pn_ipam_pool *p = pool1(range_of("10.0.0.0/24"));
	struct pn_ip ip;
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 5; i++)
		assert_int_equal(pn_ipam_alloc(p, PN_IP_FAMILY_V4, "a/n", &ip, NULL), 0);
	assert_int_equal(pn_ipam_foreach(p, count_visit, &n), 42);
	assert_int_equal(n, 3);
	pn_ipam_pool_free(p);
}

struct owned {
	char seen[8][PN_IP_STRLEN];
	size_t n;
};

static int owned_visit(const struct pn_ip *ip, const char *owner, size_t range, void *ud)
{
	struct owned *o = ud;

	(void)range;
	assert_string_equal(owner, "pod-b/net");
	assert_true(o->n < 8);
	assert_true(pn_ip_format(ip, o->seen[o->n++], PN_IP_STRLEN) > 0);
	return 0;
}

/* Only the owner's addresses are visited, in order, whether they came from
 * an allocation or a rebuild, and not after their release. */
static void unit__ipam__foreach_owner(void **state)
{
	struct pn_ipam_pool *p = pool1(range_of("10.0.0.0/24"));
	const char *owners[] = { "pod-a/net", "pod-b/net", "pod-b/other", "pod-b/ne" };
	struct pn_ipam_use uses[2];
	struct owned o = { 0 };
	struct pn_ip ip;

	(void)state;
	for (int i = 0; i < 8; i++)
		assert_int_equal(pn_ipam_alloc(p, PN_IP_FAMILY_V4, owners[i % 4], &ip, NULL), 0);
	assert_int_equal(pn_ipam_foreach_owner(p, "pod-b/net", owned_visit, &o), 0);
	assert_int_equal(o.n, 2);
	assert_string_equal(o.seen[0], "10.0.0.2");
	assert_string_equal(o.seen[1], "10.0.0.6");
	assert_int_equal(pn_ipam_release_owner(p, "pod-b/net"), 2);
	o.n = 0;
	assert_int_equal(pn_ipam_foreach_owner(p, "pod-b/net", owned_visit, &o), 0);
	assert_int_equal(o.n, 0);
	assert_int_equal(pn_ip_parse("10.0.0.200", &uses[0].ip), 0);
	uses[0].owner = "pod-b/net";
	assert_int_equal(pn_ip_parse("10.0.0.201", &uses[1].ip), 0);
	uses[1].owner = "pod-a/net";
	assert_int_equal(pn_ipam_rebuild(p, uses, 2, NULL, 0), 0);
	assert_int_equal(pn_ipam_foreach_owner(p, "pod-b/net", owned_visit, &o), 0);
	assert_int_equal(o.n, 1);
	assert_string_equal(o.seen[0], "10.0.0.200");
	assert_int_equal(pn_ipam_foreach_owner(p, NULL, owned_visit, &o), -EINVAL);
	pn_ipam_pool_free(p);
}

static struct pn_ippool *ippool_of(const char *json)
{
	json_error_t err;
	json_t *j = json_loads(json, 0, &err);
	struct pn_ippool *p = NULL;

	if (!j)
		fail_msg("bad test JSON: %s", err.text);
	assert_int_equal(pn_ippool_decode(j, &p, NULL), 0);
	json_decref(j);
	return p;
}

static void unit__ipam__pool_from_ippool(void **state)
{
	struct pn_ippool *ipp = ippool_of(
		"{\"apiVersion\":\"podnet.dev/v1alpha1\",\"kind\":\"IPPool\","
		"\"metadata\":{\"name\":\"media-pool\"},\"spec\":{\"ranges\":["
		"{\"cidr\":\"172.16.1.0/24\",\"start\":\"172.16.1.100\",\"end\":\"172.16.1.200\","
		"\"gateway\":\"172.16.1.1\",\"exclude\":[\"172.16.1.150/32\"]},"
		"{\"cidr\":\"fd00:10::/64\"}]}}");
	struct pn_ipam_pool *pool = NULL;
	struct pn_problems ps = { 0 };

	(void)state;
	assert_int_equal(pn_ipam_pool_from_ippool(ipp, &pool, &ps), 0);
	assert_int_equal(ps.n, 0);
	assert_int_equal(pn_ipam_pool_nranges(pool), 2);
	assert_int_equal(size_of(pool, 0), 100); /* 101 minus .150 */
	expect_alloc(pool, PN_IP_FAMILY_V4, "a/n", "172.16.1.100", 0);
	expect_alloc(pool, PN_IP_FAMILY_V6, "a/n", "fd00:10::1", 1);
	assert_non_null(pn_ipam_range_gateway(pool, 0));
	pn_ipam_pool_free(pool);
	pn_ippool_free(ipp);

	ipp = ippool_of(
		"{\"apiVersion\":\"podnet.dev/v1alpha1\",\"kind\":\"IPPool\","
		"\"metadata\":{\"name\":\"bad\"},\"spec\":{\"ranges\":["
		"{\"cidr\":\"172.16.1.0/24\",\"start\":\"172.16.2.1\",\"end\":\"172.16.1.05\","
		"\"exclude\":[\"172.16.1.0/32\",\"fd00::/64\"]},"
		"{\"cidr\":\"10.0.0.1/8\"}]}}");
	assert_int_equal(pn_ipam_pool_from_ippool(ipp, &pool, &ps), -EINVAL);
	assert_null(pool);
	assert_int_equal(ps.n, 4);
	assert_string_equal(ps.v[0].path, "spec.ranges[0].start");
	assert_string_equal(ps.v[1].path, "spec.ranges[0].end");
	assert_string_equal(ps.v[2].path, "spec.ranges[0].exclude[1]");
	assert_string_equal(ps.v[3].path, "spec.ranges[1].cidr");
	pn_problems_clear(&ps);
	pn_ippool_free(ipp);

	ipp = ippool_of(
		"{\"apiVersion\":\"podnet.dev/v1alpha1\",\"kind\":\"IPPool\","
		"\"metadata\":{\"name\":\"overlap\"},\"spec\":{\"ranges\":["
		"{\"cidr\":\"10.0.0.0/16\"},{\"cidr\":\"10.0.3.0/24\"}]}}");
	assert_int_equal(pn_ipam_pool_from_ippool(ipp, &pool, &ps), -EINVAL);
	assert_int_equal(ps.n, 1);
	assert_string_equal(ps.v[0].path, "spec.ranges");
	pn_problems_clear(&ps);
	pn_ippool_free(ipp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__ipam__parse_v4_valid),
		cmocka_unit_test(unit__ipam__parse_v4_invalid),
		cmocka_unit_test(unit__ipam__parse_v6_valid),
		cmocka_unit_test(unit__ipam__parse_v6_invalid),
		cmocka_unit_test(unit__ipam__format_errors),
		cmocka_unit_test(unit__ipam__prefix_parse),
		cmocka_unit_test(unit__ipam__cmp),
		cmocka_unit_test(unit__ipam__pool_new_invalid),
		cmocka_unit_test(unit__ipam__v4_lowest_skips_network_broadcast),
		cmocka_unit_test(unit__ipam__v4_start_end_gateway_exclude),
		cmocka_unit_test(unit__ipam__v4_requested),
		cmocka_unit_test(unit__ipam__owner_length_cap),
		cmocka_unit_test(unit__ipam__release_and_reallocate_lowest),
		cmocka_unit_test(unit__ipam__v4_slash31_slash32),
		cmocka_unit_test(unit__ipam__v4_top_of_space),
		cmocka_unit_test(unit__ipam__exclude_overlaps_merge),
		cmocka_unit_test(unit__ipam__multiple_ranges_in_order),
		cmocka_unit_test(unit__ipam__v6_basic),
		cmocka_unit_test(unit__ipam__v6_huge_size_saturates),
		cmocka_unit_test(unit__ipam__v6_slash127_slash128),
		cmocka_unit_test(unit__ipam__v6_top_of_space),
		cmocka_unit_test(unit__ipam__v6_sparse_in_slash64),
		cmocka_unit_test(unit__ipam__slash16_60000_allocations),
		cmocka_unit_test(unit__ipam__rebuild_with_duplicates),
		cmocka_unit_test(unit__ipam__rebuild_large_unsorted),
		cmocka_unit_test(unit__ipam__foreach),
		cmocka_unit_test(unit__ipam__foreach_owner),
		cmocka_unit_test(unit__ipam__pool_from_ippool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
