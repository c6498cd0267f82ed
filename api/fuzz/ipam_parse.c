/* ipam_parse.c — libFuzzer harness for the address and prefix parsers of
 * pn/ipam.h. Beyond "no crash": whatever parses formats to canonical text
 * that parses back to the same value and formats to the same text again; a
 * parsed prefix makes a pool whose first allocation lies inside it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pn/ipam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                      \
	do {                          \
		if (!(c))             \
			abort();      \
	} while (0)

static void check_ip(const char *s)
{
	struct pn_ip a, b;
	char t1[PN_IP_STRLEN], t2[PN_IP_STRLEN];

	if (pn_ip_parse(s, &a) != 0)
		return;
	CHECK(pn_ip_format(&a, t1, sizeof(t1)) > 0);
	CHECK(pn_ip_parse(t1, &b) == 0);
	CHECK(pn_ip_cmp(&a, &b) == 0);
	CHECK(pn_ip_format(&b, t2, sizeof(t2)) > 0);
	CHECK(strcmp(t1, t2) == 0);
}

static void check_prefix(const char *s)
{
	struct pn_prefix p, q;
	struct pn_ipam_range_spec r;
	struct pn_ipam_pool *pool = NULL;
	char t[PN_PREFIX_STRLEN];
	struct pn_ip ip;
	uint64_t size = 0, alloc = 0;

	if (pn_prefix_parse(s, &p) != 0)
		return;
	CHECK(pn_prefix_format(&p, t, sizeof(t)) > 0);
	CHECK(pn_prefix_parse(t, &q) == 0);
	CHECK(q.len == p.len && pn_ip_cmp(&q.addr, &p.addr) == 0);
	memset(&r, 0, sizeof(r));
	r.cidr = p;
	CHECK(pn_ipam_pool_new(&r, 1, &pool) == 0);
	CHECK(pn_ipam_range_stats(pool, 0, &size, &alloc) == 0);
	for (int i = 0; i < 3; i++) {
		int rc = pn_ipam_alloc(pool, p.addr.family, "fuzz/n", &ip, NULL);
		CHECK(rc == 0 || rc == -28 /* ENOSPC */);
		if (rc == 0) {
			CHECK(pn_prefix_contains(&p, &ip));
			CHECK(pn_ipam_check(pool, &ip) == 0);
		}
	}
	CHECK(pn_ipam_range_stats(pool, 0, &size, &alloc) == 0);
	CHECK(alloc <= 3 && alloc <= size);
	pn_ipam_pool_free(pool);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 256)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_ip(s);
	check_prefix(s);
	free(s);
	return 0;
}
