/* ipam.c — address parsing/formatting and IPPool allocation (see pn/ipam.h).
 *
 * Inside this file an address is a 128-bit unsigned integer (IPv4 in the low
 * 32 bits), which keeps the arithmetic on ranges, gaps and sizes simple. Every
 * "+ 1" is guarded by a comparison with the upper bound first, so ranges that
 * end at 255.255.255.255 or ffff:...:ffff never wrap.
 */
#include "pn/ipam.h"
#include "pn/model.h"
#include "pn/problem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Arithmetic type for addresses; a scalar, not a struct. */
typedef unsigned __int128 u128;

#define U128_MAX (~(u128)0)

struct ipam_ival {
	u128 lo, hi; /* inclusive */
};

struct ipam_alloc {
	u128 addr;
	char *owner;
	uint64_t owner_hash; /* of owner: scans by owner compare this first (it
			      * fits in the padding a u128 member leaves) */
};

struct ipam_range {
	struct pn_prefix cidr;
	bool has_gateway;
	struct pn_ip gateway;
	int family;
	u128 wlo, whi;    /* the window: start..end, or the whole cidr */
	u128 lo, hi;      /* allocatable bounds: the window minus network/broadcast */
	bool empty;       /* lo > hi: nothing allocatable */
	struct ipam_ival *blocked; /* gateway and excludes within lo..hi, sorted, merged */
	size_t nblocked;
	struct ipam_alloc *a; /* sorted by addr */
	size_t n, cap;
	u128 cursor;      /* every allocatable address in [lo, cursor) is taken */
	uint64_t size;
};

struct pn_ipam_pool {
	struct ipam_range *r;
	size_t nr;
};

/* ---- addresses ------------------------------------------------------------ */

static u128 ip_to_u128(const struct pn_ip *ip)
{
	u128 v = 0;
	size_t n = ip->family == PN_IP_FAMILY_V4 ? 4 : 16;

	for (size_t i = 0; i < n; i++)
		v = (v << 8) | ip->bytes[i];
	return v;
}

static void u128_to_ip(u128 v, int family, struct pn_ip *ip)
{
	size_t n = family == PN_IP_FAMILY_V4 ? 4 : 16;

	memset(ip, 0, sizeof(*ip));
	ip->family = (uint8_t)family;
	for (size_t i = n; i-- > 0;) {
		ip->bytes[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

static unsigned family_bits(int family)
{
	return family == PN_IP_FAMILY_V4 ? 32 : 128;
}

/* Mask of the host bits of a prefix of length len. */
static u128 host_mask(int family, unsigned len)
{
	unsigned bits = family_bits(family);
	unsigned host = bits - len;

	if (host == 0)
		return 0;
	if (host >= 128)
		return U128_MAX;
	return ((u128)1 << host) - 1;
}

static int parse_v4(const char *s, size_t len, uint8_t out[4])
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0;
		size_t start = i;

		if (part > 0) {
			if (i >= len || s[i] != '.')
				return -EINVAL;
			start = ++i;
		}
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			v = v * 10 + (unsigned)(s[i] - '0');
			if (v > 255)
				return -EINVAL;
			i++;
		}
		if (i == start || i - start > 3)
			return -EINVAL;
		if (i - start > 1 && s[start] == '0')
			return -EINVAL; /* leading zero: ambiguous (octal to some parsers) */
		out[part] = (uint8_t)v;
	}
	return i == len ? 0 : -EINVAL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_v6(const char *s, size_t len, uint8_t out[16])
{
	uint16_t groups[8] = { 0 };
	int ngroups = 0;
	int gap = -1; /* index in groups[] where "::" stands */
	size_t i = 0;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
		if (i == len)
			goto done;
	} else if (len >= 1 && s[0] == ':') {
		return -EINVAL;
	}
	for (;;) {
		size_t start = i;
		unsigned v = 0;

		/* A trailing dotted IPv4 takes the last two groups. */
		size_t j = i;
		while (j < len && s[j] != ':' && s[j] != '.')
			j++;
		if (j < len && s[j] == '.') {
			uint8_t v4[4];
			if (ngroups > 6 || parse_v4(s + i, len - i, v4) < 0)
				return -EINVAL;
			groups[ngroups++] = (uint16_t)(v4[0] << 8 | v4[1]);
			groups[ngroups++] = (uint16_t)(v4[2] << 8 | v4[3]);
			break;
		}
		while (i < len && hexval(s[i]) >= 0) {
			v = (v << 4) | (unsigned)hexval(s[i]);
			i++;
			if (i - start > 4)
				return -EINVAL;
		}
		if (i == start || ngroups == 8)
			return -EINVAL;
		groups[ngroups++] = (uint16_t)v;
		if (i == len)
			break;
		if (s[i] != ':')
			return -EINVAL;
		i++;
		if (i < len && s[i] == ':') {
			if (gap >= 0)
				return -EINVAL; /* a second "::" */
			gap = ngroups;
			i++;
			if (i == len)
				break;
		} else if (i == len) {
			return -EINVAL; /* trailing single ':' */
		}
	}
done:
	if (gap < 0 && ngroups != 8)
		return -EINVAL;
	if (gap >= 0 && ngroups > 7)
		return -EINVAL; /* "::" must stand for at least one group */
	if (gap >= 0) {
		int tail = ngroups - gap;
		memmove(&groups[8 - tail], &groups[gap], (size_t)tail * sizeof(groups[0]));
		for (int k = gap; k < 8 - tail; k++)
			groups[k] = 0;
	}
	for (int k = 0; k < 8; k++) {
		out[2 * k] = (uint8_t)(groups[k] >> 8);
		out[2 * k + 1] = (uint8_t)(groups[k] & 0xff);
	}
	return 0;
}

static int ip_parse_n(const char *s, size_t len, struct pn_ip *out)
{
	struct pn_ip ip;

	memset(&ip, 0, sizeof(ip));
	if (!s || len == 0 || len >= 64)
		return -EINVAL;
	if (memchr(s, ':', len)) {
		if (parse_v6(s, len, ip.bytes) < 0)
			return -EINVAL;
		ip.family = PN_IP_FAMILY_V6;
	} else {
		if (parse_v4(s, len, ip.bytes) < 0)
			return -EINVAL;
		ip.family = PN_IP_FAMILY_V4;
	}
	*out = ip;
	return 0;
}

int pn_ip_parse(const char *s, struct pn_ip *out)
{
	if (!s || !out)
		return -EINVAL;
	return ip_parse_n(s, strnlen(s, 64), out);
}

int pn_ip_format(const struct pn_ip *ip, char *buf, size_t len)
{
	char tmp[PN_IP_STRLEN];
	int n = 0;

	if (!ip || !buf)
		return -EINVAL;
	if (ip->family == PN_IP_FAMILY_V4) {
		n = snprintf(tmp, sizeof(tmp), "%u.%u.%u.%u", ip->bytes[0], ip->bytes[1],
			     ip->bytes[2], ip->bytes[3]);
	} else if (ip->family == PN_IP_FAMILY_V6) {
		unsigned g[8];
		int best = -1, bestlen = 0;
		bool mapped = true;

		for (int k = 0; k < 8; k++)
			g[k] = (unsigned)ip->bytes[2 * k] << 8 | ip->bytes[2 * k + 1];
		for (int k = 0; k < 5; k++)
			mapped = mapped && g[k] == 0;
		mapped = mapped && g[5] == 0xffff;
		for (int k = 0; k < 8;) {
			int e = k;
			while (e < 8 && g[e] == 0)
				e++;
			if (e - k > bestlen) {
				best = k;
				bestlen = e - k;
			}
			k = e > k ? e : k + 1;
		}
		if (bestlen < 2)
			best = -1;
		if (mapped) {
			n = snprintf(tmp, sizeof(tmp), "::ffff:%u.%u.%u.%u", ip->bytes[12],
				     ip->bytes[13], ip->bytes[14], ip->bytes[15]);
		} else {
			for (int k = 0; k < 8; k++) {
				if (k == best) {
					n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, "::");
					k += bestlen - 1;
					continue;
				}
				if (k > 0 && k != best + bestlen)
					n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, ":");
				n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, "%x", g[k]);
			}
		}
	} else {
		return -EINVAL;
	}
	if ((size_t)n >= len)
		return -ENOSPC;
	memcpy(buf, tmp, (size_t)n + 1);
	return n;
}

int pn_ip_cmp(const struct pn_ip *a, const struct pn_ip *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	int c = memcmp(a->bytes, b->bytes, 16);
	return c < 0 ? -1 : c > 0;
}

int pn_prefix_parse(const char *s, struct pn_prefix *out)
{
	struct pn_prefix p;
	const char *slash;
	size_t len;
	unsigned v = 0;

	if (!s || !out)
		return -EINVAL;
	memset(&p, 0, sizeof(p));
	len = strnlen(s, 80);
	if (len >= 80)
		return -EINVAL;
	slash = memchr(s, '/', len);
	if (!slash || ip_parse_n(s, (size_t)(slash - s), &p.addr) < 0)
		return -EINVAL;
	const char *d = slash + 1;
	size_t dl = len - (size_t)(d - s);
	if (dl == 0 || dl > 3 || (dl > 1 && d[0] == '0'))
		return -EINVAL;
	for (size_t i = 0; i < dl; i++) {
		if (d[i] < '0' || d[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(d[i] - '0');
	}
	if (v > family_bits(p.addr.family))
		return -EINVAL;
	p.len = (uint8_t)v;
	if (ip_to_u128(&p.addr) & host_mask(p.addr.family, p.len))
		return -EINVAL;
	*out = p;
	return 0;
}

int pn_prefix_format(const struct pn_prefix *p, char *buf, size_t len)
{
	char tmp[PN_PREFIX_STRLEN];
	int n;

	if (!p || !buf)
		return -EINVAL;
	n = pn_ip_format(&p->addr, tmp, sizeof(tmp));
	if (n < 0)
		return n;
	n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, "/%u", p->len);
	if ((size_t)n >= len)
		return -ENOSPC;
	memcpy(buf, tmp, (size_t)n + 1);
	return n;
}

static bool prefix_valid(const struct pn_prefix *p)
{
	return (p->addr.family == PN_IP_FAMILY_V4 || p->addr.family == PN_IP_FAMILY_V6) &&
	       p->len <= family_bits(p->addr.family);
}

bool pn_prefix_contains(const struct pn_prefix *p, const struct pn_ip *ip)
{
	if (!p || !ip || !prefix_valid(p) || p->addr.family != ip->family)
		return false;
	u128 m = ~host_mask(ip->family, p->len);
	return (ip_to_u128(ip) & m) == (ip_to_u128(&p->addr) & m);
}

/* ---- ranges --------------------------------------------------------------- */

static int ival_cmp(const void *a, const void *b)
{
	const struct ipam_ival *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return 0;
}

/* Adds [lo,hi] clipped to the range's allocatable bounds. */
static void block_add(struct ipam_range *r, u128 lo, u128 hi)
{
	if (r->empty || hi < r->lo || lo > r->hi)
		return;
	if (lo < r->lo)
		lo = r->lo;
	if (hi > r->hi)
		hi = r->hi;
	r->blocked[r->nblocked++] = (struct ipam_ival){ lo, hi };
}

static void block_merge(struct ipam_range *r)
{
	size_t w = 0;

	if (r->nblocked == 0)
		return;
	qsort(r->blocked, r->nblocked, sizeof(r->blocked[0]), ival_cmp);
	for (size_t i = 1; i < r->nblocked; i++) {
		struct ipam_ival *cur = &r->blocked[w];
		/* adjacent or overlapping: cur->hi + 1 >= next.lo, without overflow */
		if (r->blocked[i].lo <= cur->hi || r->blocked[i].lo - 1 <= cur->hi) {
			if (r->blocked[i].hi > cur->hi)
				cur->hi = r->blocked[i].hi;
		} else {
			r->blocked[++w] = r->blocked[i];
		}
	}
	r->nblocked = w + 1;
}

static void range_size(struct ipam_range *r)
{
	u128 sum = 0, t;
	size_t k = r->nblocked;

	if (r->empty) {
		r->size = 0;
		return;
	}
	/* free = (hi - lo + 1) - sum(bhi - blo + 1), arranged so nothing wraps */
	for (size_t i = 0; i < k; i++)
		sum += r->blocked[i].hi - r->blocked[i].lo;
	t = (r->hi - r->lo) - sum;
	if (k == 0) {
		if (t >= (u128)PN_IPAM_SIZE_MAX)
			r->size = PN_IPAM_SIZE_MAX;
		else
			r->size = (uint64_t)(t + 1);
		return;
	}
	t -= (u128)(k - 1);
	r->size = t >= (u128)PN_IPAM_SIZE_MAX ? PN_IPAM_SIZE_MAX : (uint64_t)t;
}

static void range_clear_allocs(struct ipam_range *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->a[i].owner);
	r->n = 0;
	r->cursor = r->lo;
}

static int range_init(struct ipam_range *r, const struct pn_ipam_range_spec *s)
{
	int fam = s->cidr.addr.family;
	u128 net, last, mask;

	memset(r, 0, sizeof(*r));
	if (!prefix_valid(&s->cidr))
		return -EINVAL;
	mask = host_mask(fam, s->cidr.len);
	net = ip_to_u128(&s->cidr.addr);
	if (net & mask)
		return -EINVAL;
	last = net | mask;
	r->cidr = s->cidr;
	r->family = fam;
	r->wlo = net;
	r->whi = last;
	if (s->has_start) {
		if (!pn_prefix_contains(&s->cidr, &s->start))
			return -EINVAL;
		r->wlo = ip_to_u128(&s->start);
	}
	if (s->has_end) {
		if (!pn_prefix_contains(&s->cidr, &s->end))
			return -EINVAL;
		r->whi = ip_to_u128(&s->end);
	}
	if (r->wlo > r->whi)
		return -EINVAL;
	if (s->has_gateway) {
		if (!pn_prefix_contains(&s->cidr, &s->gateway))
			return -EINVAL;
		r->has_gateway = true;
		r->gateway = s->gateway;
	}
	if (s->n_exclude > PN_IPAM_EXCLUDES_MAX || (s->n_exclude && !s->exclude))
		return -EINVAL;
	for (size_t i = 0; i < s->n_exclude; i++) {
		const struct pn_prefix *e = &s->exclude[i];
		if (!prefix_valid(e) || e->addr.family != fam ||
		    (ip_to_u128(&e->addr) & host_mask(fam, e->len)))
			return -EINVAL;
	}

	/* Network/broadcast (IPv4 up to /30) and subnet-router anycast (IPv6 up
	 * to /126) are cut off the ends of the window. */
	r->lo = r->wlo;
	r->hi = r->whi;
	r->empty = false;
	unsigned reserve_len = fam == PN_IP_FAMILY_V4 ? 30 : 126;
	if (s->cidr.len <= reserve_len) {
		if (r->lo == net) {
			if (r->lo == r->hi)
				r->empty = true;
			else
				r->lo++;
		}
		if (fam == PN_IP_FAMILY_V4 && !r->empty && r->hi == last) {
			if (r->lo == r->hi)
				r->empty = true;
			else
				r->hi--;
		}
	}

	r->blocked = calloc(s->n_exclude + 1, sizeof(*r->blocked));
	if (!r->blocked)
		return -ENOMEM;
	if (r->has_gateway) {
		u128 g = ip_to_u128(&s->gateway);
		block_add(r, g, g);
	}
	for (size_t i = 0; i < s->n_exclude; i++) {
		u128 lo = ip_to_u128(&s->exclude[i].addr);
		block_add(r, lo, lo | host_mask(fam, s->exclude[i].len));
	}
	block_merge(r);
	range_size(r);
	r->cursor = r->lo;
	return 0;
}

static void range_destroy(struct ipam_range *r)
{
	range_clear_allocs(r);
	free(r->a);
	free(r->blocked);
	r->a = NULL;
	r->blocked = NULL;
}

/* First allocation with addr >= v. */
static size_t alloc_lower_bound(const struct ipam_range *r, u128 v)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->a[mid].addr < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* First blocked interval with hi >= v. */
static size_t block_lower_bound(const struct ipam_range *r, u128 v)
{
	size_t lo = 0, hi = r->nblocked;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->blocked[mid].hi < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool range_blocked(const struct ipam_range *r, u128 v)
{
	size_t j = block_lower_bound(r, v);
	return j < r->nblocked && r->blocked[j].lo <= v;
}

/* The lowest free address at or above the cursor; -ENOSPC when none. */
static int range_find_free(struct ipam_range *r, u128 *out)
{
	u128 c;
	size_t i, j;

	if (r->empty)
		return -ENOSPC;
	c = r->cursor < r->lo ? r->lo : r->cursor;
	if (c > r->hi)
		return -ENOSPC;
	i = alloc_lower_bound(r, c);
	j = block_lower_bound(r, c);
	for (;;) {
		if (j < r->nblocked && r->blocked[j].lo <= c) {
			if (r->blocked[j].hi >= r->hi)
				goto full;
			c = r->blocked[j].hi + 1;
			j++;
			/* allocations never lie in blocked intervals, so a[i] >= c still */
			continue;
		}
		if (i < r->n && r->a[i].addr == c) {
			if (c == r->hi)
				goto full;
			c++;
			i++;
			continue;
		}
		break;
	}
	r->cursor = c;
	*out = c;
	return 0;
full:
	/* Everything from the cursor up is taken; remember that. */
	r->cursor = r->hi;
	return -ENOSPC;
}

/* FNV-1a, 64 bits. */
static uint64_t owner_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int range_insert(struct ipam_range *r, size_t at, u128 v, const char *owner)
{
	char *o = strdup(owner);

	if (!o)
		return -ENOMEM;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct ipam_alloc *a = realloc(r->a, cap * sizeof(*a));
		if (!a) {
			free(o);
			return -ENOMEM;
		}
		r->a = a;
		r->cap = cap;
	}
	memmove(&r->a[at + 1], &r->a[at], (r->n - at) * sizeof(r->a[0]));
	r->a[at] = (struct ipam_alloc){ v, o, owner_hash(o) };
	r->n++;
	return 0;
}

static void range_remove(struct ipam_range *r, size_t at)
{
	u128 v = r->a[at].addr;

	free(r->a[at].owner);
	memmove(&r->a[at], &r->a[at + 1], (r->n - at - 1) * sizeof(r->a[0]));
	r->n--;
	if (v < r->cursor)
		r->cursor = v;
}

/* ---- pool ----------------------------------------------------------------- */

static bool owner_valid(const char *owner)
{
	size_t n;

	if (!owner)
		return false;
	n = strnlen(owner, PN_IPAM_OWNER_MAX + 1);
	if (n == 0 || n > PN_IPAM_OWNER_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)owner[i];
		if (c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

static bool family_valid(int f)
{
	return f == PN_IP_FAMILY_V4 || f == PN_IP_FAMILY_V6;
}

int pn_ipam_pool_new(const struct pn_ipam_range_spec *ranges, size_t n, struct pn_ipam_pool **out)
{
	struct pn_ipam_pool *p = NULL;
	int r = -EINVAL;

	if (!out || !ranges || n == 0 || n > PN_IPAM_RANGES_MAX)
		return -EINVAL;
	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->r = calloc(n, sizeof(*p->r));
	if (!p->r) {
		r = -ENOMEM;
		goto free_pool;
	}
	for (size_t i = 0; i < n; i++) {
		r = range_init(&p->r[i], &ranges[i]);
		p->nr = i + 1; /* range_init leaves a destroyable range on failure */
		if (r < 0)
			goto free_pool;
		for (size_t k = 0; k < i; k++) {
			const struct ipam_range *a = &p->r[k], *b = &p->r[i];
			if (a->family == b->family && a->wlo <= b->whi && b->wlo <= a->whi) {
				r = -EINVAL;
				goto free_pool;
			}
		}
	}
	*out = p;
	return 0;
free_pool:
	pn_ipam_pool_free(p);
	return r;
}

void pn_ipam_pool_free(struct pn_ipam_pool *pool)
{
	if (!pool)
		return;
	for (size_t i = 0; i < pool->nr; i++)
		range_destroy(&pool->r[i]);
	free(pool->r);
	free(pool);
}

size_t pn_ipam_pool_nranges(const struct pn_ipam_pool *pool)
{
	return pool ? pool->nr : 0;
}

const struct pn_prefix *pn_ipam_range_cidr(const struct pn_ipam_pool *pool, size_t i)
{
	if (!pool || i >= pool->nr)
		return NULL;
	return &pool->r[i].cidr;
}

const struct pn_ip *pn_ipam_range_gateway(const struct pn_ipam_pool *pool, size_t i)
{
	if (!pool || i >= pool->nr || !pool->r[i].has_gateway)
		return NULL;
	return &pool->r[i].gateway;
}

int pn_ipam_range_stats(const struct pn_ipam_pool *pool, size_t i, uint64_t *size,
			uint64_t *allocated)
{
	if (!pool || i >= pool->nr)
		return -EINVAL;
	if (size)
		*size = pool->r[i].size;
	if (allocated)
		*allocated = pool->r[i].n;
	return 0;
}

size_t pn_ipam_pool_nallocated(const struct pn_ipam_pool *pool)
{
	size_t n = 0;

	for (size_t i = 0; pool && i < pool->nr; i++)
		n += pool->r[i].n;
	return n;
}

/* The range whose window holds ip, or -1. */
static long pool_find_range(const struct pn_ipam_pool *pool, const struct pn_ip *ip)
{
	u128 v = ip_to_u128(ip);

	for (size_t i = 0; i < pool->nr; i++) {
		const struct ipam_range *r = &pool->r[i];
		if (r->family == ip->family && v >= r->wlo && v <= r->whi)
			return (long)i;
	}
	return -1;
}

/* 0 when ip is allocatable in range *ri, -ERANGE or -EPERM otherwise. */
static int pool_classify(const struct pn_ipam_pool *pool, const struct pn_ip *ip, long *ri)
{
	const struct ipam_range *r;
	u128 v;

	if (!family_valid(ip->family))
		return -EINVAL;
	*ri = pool_find_range(pool, ip);
	if (*ri < 0)
		return -ERANGE;
	r = &pool->r[*ri];
	v = ip_to_u128(ip);
	if (r->empty || v < r->lo || v > r->hi)
		return -EPERM; /* network, broadcast or anycast */
	if (range_blocked(r, v))
		return -EPERM;
	return 0;
}

int pn_ipam_check(const struct pn_ipam_pool *pool, const struct pn_ip *ip)
{
	long ri;

	if (!pool || !ip)
		return -EINVAL;
	return pool_classify(pool, ip, &ri);
}

int pn_ipam_alloc(struct pn_ipam_pool *pool, int family, const char *owner, struct pn_ip *ip,
		  size_t *range)
{
	if (!pool || !ip || !family_valid(family) || !owner_valid(owner))
		return -EINVAL;
	for (size_t i = 0; i < pool->nr; i++) {
		struct ipam_range *r = &pool->r[i];
		u128 v;
		int rc;

		if (r->family != family)
			continue;
		rc = range_find_free(r, &v);
		if (rc == -ENOSPC)
			continue;
		rc = range_insert(r, alloc_lower_bound(r, v), v, owner);
		if (rc < 0)
			return rc;
		u128_to_ip(v, family, ip);
		if (range)
			*range = i;
		return 0;
	}
	return -ENOSPC;
}

int pn_ipam_alloc_addr(struct pn_ipam_pool *pool, const struct pn_ip *ip, const char *owner,
		       size_t *range)
{
	struct ipam_range *r;
	long ri;
	size_t at;
	u128 v;
	int rc;

	if (!pool || !ip || !owner_valid(owner))
		return -EINVAL;
	rc = pool_classify(pool, ip, &ri);
	if (rc < 0)
		return rc;
	r = &pool->r[ri];
	v = ip_to_u128(ip);
	at = alloc_lower_bound(r, v);
	if (at < r->n && r->a[at].addr == v) {
		if (strcmp(r->a[at].owner, owner) != 0)
			return -EEXIST;
		if (range)
			*range = (size_t)ri;
		return 1;
	}
	rc = range_insert(r, at, v, owner);
	if (rc < 0)
		return rc;
	if (range)
		*range = (size_t)ri;
	return 0;
}

int pn_ipam_release(struct pn_ipam_pool *pool, const struct pn_ip *ip, const char *owner)
{
	struct ipam_range *r;
	long ri;
	size_t at;
	u128 v;

	if (!pool || !ip || !family_valid(ip->family))
		return -EINVAL;
	ri = pool_find_range(pool, ip);
	if (ri < 0)
		return -ENOENT;
	r = &pool->r[ri];
	v = ip_to_u128(ip);
	at = alloc_lower_bound(r, v);
	if (at >= r->n || r->a[at].addr != v)
		return -ENOENT;
	if (owner && strcmp(owner, r->a[at].owner) != 0)
		return -EPERM;
	range_remove(r, at);
	return 0;
}

int pn_ipam_release_owner(struct pn_ipam_pool *pool, const char *owner)
{
	int count = 0;
	uint64_t h;

	if (!pool || !owner)
		return -EINVAL;
	h = owner_hash(owner);
	for (size_t i = 0; i < pool->nr; i++) {
		struct ipam_range *r = &pool->r[i];
		size_t w = 0;

		for (size_t k = 0; k < r->n; k++) {
			if (r->a[k].owner_hash == h && strcmp(r->a[k].owner, owner) == 0) {
				if (r->a[k].addr < r->cursor)
					r->cursor = r->a[k].addr;
				free(r->a[k].owner);
				count++;
			} else {
				r->a[w++] = r->a[k];
			}
		}
		r->n = w;
	}
	return count;
}

const char *pn_ipam_owner(const struct pn_ipam_pool *pool, const struct pn_ip *ip)
{
	const struct ipam_range *r;
	long ri;
	size_t at;
	u128 v;

	if (!pool || !ip || !family_valid(ip->family))
		return NULL;
	ri = pool_find_range(pool, ip);
	if (ri < 0)
		return NULL;
	r = &pool->r[ri];
	v = ip_to_u128(ip);
	at = alloc_lower_bound(r, v);
	if (at >= r->n || r->a[at].addr != v)
		return NULL;
	return r->a[at].owner;
}

struct rebuild_ent {
	size_t range;
	u128 addr;
	size_t index;
};

static int rebuild_ent_cmp(const void *a, const void *b)
{
	const struct rebuild_ent *x = a, *y = b;

	if (x->range != y->range)
		return x->range < y->range ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return 0;
}

static int conflict_cmp(const void *a, const void *b)
{
	const struct pn_ipam_conflict *x = a, *y = b;

	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return 0;
}

int pn_ipam_rebuild(struct pn_ipam_pool *pool, const struct pn_ipam_use *uses, size_t n,
		    struct pn_ipam_conflict *conflicts, size_t cap)
{
	struct rebuild_ent *ents = NULL;
	struct pn_ipam_conflict *cf = NULL;
	size_t ne = 0, nc = 0;
	int rc = 0;

	if (!pool || (n && !uses) || (cap && !conflicts))
		return -EINVAL;
	if (n > (size_t)INT32_MAX)
		return -EINVAL;
	for (size_t i = 0; i < pool->nr; i++)
		range_clear_allocs(&pool->r[i]);
	if (n == 0)
		return 0;
	ents = calloc(n, sizeof(*ents));
	cf = calloc(n, sizeof(*cf));
	if (!ents || !cf) {
		rc = -ENOMEM;
		goto free_arrays;
	}
	for (size_t i = 0; i < n; i++) {
		long ri = -1;
		int e = owner_valid(uses[i].owner) ? pool_classify(pool, &uses[i].ip, &ri) : -EINVAL;
		if (e < 0) {
			cf[nc++] = (struct pn_ipam_conflict){ .index = i, .error = e, .other = i };
			continue;
		}
		ents[ne++] = (struct rebuild_ent){ (size_t)ri, ip_to_u128(&uses[i].ip), i };
	}
	qsort(ents, ne, sizeof(*ents), rebuild_ent_cmp);
	/* Count per range, size the arrays once, then fill in order. */
	for (size_t k = 0; k < ne;) {
		size_t ri = ents[k].range, cnt = 0, e = k;
		struct ipam_range *r = &pool->r[ri];

		while (e < ne && ents[e].range == ri)
			e++;
		cnt = e - k;
		if (cnt > r->cap) {
			struct ipam_alloc *a = realloc(r->a, cnt * sizeof(*a));
			if (!a) {
				rc = -ENOMEM;
				goto fail;
			}
			r->a = a;
			r->cap = cnt;
		}
		for (size_t q = k, keep = k; q < e; q++) {
			if (q > k && ents[q].addr == ents[keep].addr) {
				/* the first of a run of equal addresses keeps it */
				cf[nc++] = (struct pn_ipam_conflict){ .index = ents[q].index,
								      .error = -EEXIST,
								      .other = ents[keep].index };
				continue;
			}
			keep = q;
			char *o = strdup(uses[ents[q].index].owner);
			if (!o) {
				rc = -ENOMEM;
				goto fail;
			}
			r->a[r->n++] = (struct ipam_alloc){ ents[q].addr, o, owner_hash(o) };
		}
		k = e;
	}
	qsort(cf, nc, sizeof(*cf), conflict_cmp);
	for (size_t i = 0; i < nc && i < cap; i++)
		conflicts[i] = cf[i];
	rc = nc > (size_t)INT32_MAX ? INT32_MAX : (int)nc;
	goto free_arrays;
fail:
	for (size_t i = 0; i < pool->nr; i++)
		range_clear_allocs(&pool->r[i]);
free_arrays:
	free(cf);
	free(ents);
	return rc;
}

int pn_ipam_foreach(const struct pn_ipam_pool *pool, pn_ipam_visit_fn fn, void *userdata)
{
	if (!pool || !fn)
		return -EINVAL;
	for (size_t i = 0; i < pool->nr; i++) {
		const struct ipam_range *r = &pool->r[i];
		for (size_t k = 0; k < r->n; k++) {
			struct pn_ip ip;
			int rc;

			u128_to_ip(r->a[k].addr, r->family, &ip);
			rc = fn(&ip, r->a[k].owner, i, userdata);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int pn_ipam_foreach_owner(const struct pn_ipam_pool *pool, const char *owner, pn_ipam_visit_fn fn,
			  void *userdata)
{
	uint64_t h;

	if (!pool || !owner || !fn)
		return -EINVAL;
	h = owner_hash(owner);
	for (size_t i = 0; i < pool->nr; i++) {
		const struct ipam_range *r = &pool->r[i];

		for (size_t k = 0; k < r->n; k++) {
			struct pn_ip ip;
			int rc;

			if (r->a[k].owner_hash != h || strcmp(r->a[k].owner, owner) != 0)
				continue;
			u128_to_ip(r->a[k].addr, r->family, &ip);
			rc = fn(&ip, r->a[k].owner, i, userdata);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* ---- from an IPPool object ------------------------------------------------- */

static int ippool_problem(struct pn_problems *ps, size_t i, const char *leaf, long k,
			  const char *msg, const char *value)
{
	char base[64], path[96];

	if (!ps)
		return 0;
	if (pn_path_index(base, sizeof(base), "spec.ranges", i) < 0 ||
	    pn_path_key(path, sizeof(path), base, leaf) < 0)
		return -ENOMEM;
	if (k >= 0)
		return pn_problems_addf(ps, path, NULL, k, "%s, not \"%.64s\"", msg, value);
	return pn_problems_add(ps, path, "%s, not \"%.64s\"", msg, value);
}

int pn_ipam_pool_from_ippool(const struct pn_ippool *ippool, struct pn_ipam_pool **out,
			     struct pn_problems *ps)
{
	struct pn_ipam_range_spec *specs = NULL;
	struct pn_prefix *ex = NULL;
	size_t n, nex = 0, used = 0;
	int bad = 0, r;

	if (!ippool || !out)
		return -EINVAL;
	*out = NULL;
	n = ippool->spec.n_ranges;
	if (n == 0 || n > PN_IPAM_RANGES_MAX) {
		if (ps && pn_problems_add(ps, "spec.ranges", "must have 1 to %d ranges",
					  PN_IPAM_RANGES_MAX) < 0)
			return -ENOMEM;
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		nex += ippool->spec.ranges[i].n_exclude;
	specs = calloc(n, sizeof(*specs));
	ex = calloc(nex + 1, sizeof(*ex));
	if (!specs || !ex) {
		r = -ENOMEM;
		goto free_arrays;
	}
	for (size_t i = 0; i < n; i++) {
		const struct pn_ippool_range *pr = &ippool->spec.ranges[i];
		struct pn_ipam_range_spec *rs = &specs[i];
		struct {
			const char *leaf, *value;
			bool *has;
			struct pn_ip *ip;
		} addrs[] = {
			{ "start", pr->start, &rs->has_start, &rs->start },
			{ "end", pr->end, &rs->has_end, &rs->end },
			{ "gateway", pr->gateway, &rs->has_gateway, &rs->gateway },
		};

		if (!pr->cidr || pn_prefix_parse(pr->cidr, &rs->cidr) < 0) {
			bad++;
			r = ippool_problem(ps, i, "cidr",
					   -1, "must be a CIDR with host bits zero, like 10.0.0.0/24",
					   pr->cidr ? pr->cidr : "");
			if (r < 0)
				goto free_arrays;
			continue;
		}
		for (size_t k = 0; k < sizeof(addrs) / sizeof(addrs[0]); k++) {
			if (!addrs[k].value)
				continue;
			if (pn_ip_parse(addrs[k].value, addrs[k].ip) < 0 ||
			    !pn_prefix_contains(&rs->cidr, addrs[k].ip)) {
				bad++;
				r = ippool_problem(ps, i, addrs[k].leaf, -1,
						   "must be an address inside the cidr", addrs[k].value);
				if (r < 0)
					goto free_arrays;
				continue;
			}
			*addrs[k].has = true;
		}
		if (rs->has_start && rs->has_end && pn_ip_cmp(&rs->start, &rs->end) > 0) {
			bad++;
			r = ippool_problem(ps, i, "end", -1, "must not be before start", pr->end);
			if (r < 0)
				goto free_arrays;
		}
		if (pr->n_exclude > PN_IPAM_EXCLUDES_MAX) {
			bad++;
			if (ps && pn_problems_addf(ps, "spec.ranges", NULL, (long)i,
						   "must have at most %d excludes",
						   PN_IPAM_EXCLUDES_MAX) < 0) {
				r = -ENOMEM;
				goto free_arrays;
			}
			continue;
		}
		rs->exclude = &ex[used];
		for (size_t k = 0; k < pr->n_exclude; k++) {
			struct pn_prefix *x = &ex[used + rs->n_exclude];
			if (!pr->exclude[k] || pn_prefix_parse(pr->exclude[k], x) < 0 ||
			    x->addr.family != rs->cidr.addr.family) {
				bad++;
				r = ippool_problem(ps, i, "exclude", (long)k,
						   "must be a CIDR of the range's family",
						   pr->exclude[k] ? pr->exclude[k] : "");
				if (r < 0)
					goto free_arrays;
				continue;
			}
			rs->n_exclude++;
		}
		used += rs->n_exclude;
	}
	if (bad) {
		r = -EINVAL;
		goto free_arrays;
	}
	r = pn_ipam_pool_new(specs, n, out);
	if (r == -EINVAL && ps &&
	    pn_problems_add(ps, "spec.ranges", "ranges of one family must not overlap") < 0)
		r = -ENOMEM;
free_arrays:
	free(ex);
	free(specs);
	return r;
}
