/* pn/ipam.h — address arithmetic and allocation for IPPools. Pure logic: no
 * I/O, no clock. The controller builds a pool from an IPPool's spec.ranges,
 * rebuilds its allocations from the plans it finds, and allocates and
 * releases addresses for attachments.
 *
 * What is never allocated in a range:
 *   - addresses outside [start, end] (when given) and outside the cidr;
 *   - IPv4, prefix length 0..30: the network (all-zero host) and broadcast
 *     (all-ones host) addresses. A /31 (RFC 3021, point-to-point) has both of
 *     its addresses allocatable; a /32 its single address;
 *   - IPv6, prefix length 0..126: the subnet-router anycast address (the
 *     all-zero host, RFC 4291). A /127 (RFC 6164) has both addresses
 *     allocatable; a /128 its single address. No other IPv6 address is
 *     reserved;
 *   - the gateway, when given;
 *   - every address of every exclude CIDR (parts of an exclude that lie
 *     outside the range are ignored).
 *
 * Storage is proportional to the allocations and excludes, never to the
 * size of a range: each range keeps a sorted array of allocated addresses and
 * a sorted, merged array of blocked intervals; the lowest-free search walks
 * the gaps between them from a cursor below which everything is known to be
 * taken, so allocating a whole /16 in order stays cheap and an IPv6 /64 costs
 * nothing up front.
 *
 * Ranges of one pool may not overlap (pn_ipam_pool_new refuses that), so an
 * address belongs to at most one range. "Lowest free" means: ranges of the
 * requested family are tried in the order they were given; in the first one
 * that has a free address, the numerically lowest free address is taken.
 *
 * Owners are opaque strings ("<pod-uid>/<network>"), 1..PN_IPAM_OWNER_MAX
 * bytes, without control characters; the pool keeps its own copies.
 */
#ifndef PN_IPAM_H
#define PN_IPAM_H

#include "pn/limits.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PN_IP_FAMILY_V4 4
#define PN_IP_FAMILY_V6 6

/* Longest text form of an address ("ffff:...:255.255.255.255") and of a
 * prefix, with the terminating NUL. */
#define PN_IP_STRLEN 46
#define PN_PREFIX_STRLEN 50

#define PN_IPAM_OWNER_MAX 512

/* Sizes saturate here: the largest integer a Kubernetes object (JSON int64,
 * IPPool status.ranges[].size) can hold. An IPv6 /64 reports this. */
#define PN_IPAM_SIZE_MAX INT64_MAX

/* An address: family PN_IP_FAMILY_V4 (bytes[0..3] in network order, the
 * rest zero) or PN_IP_FAMILY_V6 (bytes[0..15] in network order). */
struct pn_ip {
	uint8_t family;
	uint8_t bytes[16];
};

/* A prefix: an address with its host bits zero, and a length 0..32/0..128. */
struct pn_prefix {
	struct pn_ip addr;
	uint8_t len;
};

/* Parses "192.0.2.1" or "2001:db8::1" strictly: IPv4 as exactly four
 * decimal octets 0..255 without leading zeros, signs or spaces; IPv6 as RFC
 * 4291 text (1..4 hex digits per group, at most one "::", an optional
 * trailing dotted IPv4), without zone ids ("%eth0") or brackets.
 * Returns 0 or -EINVAL. */
int pn_ip_parse(const char *s, struct pn_ip *out);
/* Writes the canonical text (RFC 5952 for IPv6: lower case, longest run of
 * two or more zero groups compressed, IPv4-mapped as ::ffff:a.b.c.d) into
 * buf. Returns the length, -EINVAL for a bad family, -ENOSPC if len is too
 * short (PN_IP_STRLEN is always enough). */
int pn_ip_format(const struct pn_ip *ip, char *buf, size_t len);
/* -1, 0, 1 like memcmp; IPv4 sorts before IPv6. */
int pn_ip_cmp(const struct pn_ip *a, const struct pn_ip *b);

/* Parses "addr/len" with len a decimal 0..32 (IPv4) or 0..128 (IPv6)
 * without leading zeros. Host bits must be zero ("10.0.0.1/24" is refused
 * with -EINVAL: write 10.0.0.0/24). Returns 0 or -EINVAL. */
int pn_prefix_parse(const char *s, struct pn_prefix *out);
/* As pn_ip_format, with "/len" appended. */
int pn_prefix_format(const struct pn_prefix *p, char *buf, size_t len);
/* True when ip has the prefix's family and lies inside it. */
bool pn_prefix_contains(const struct pn_prefix *p, const struct pn_ip *ip);

/* The description of one range, as written in an IPPool's spec.ranges[]. */
struct pn_ipam_range_spec {
	struct pn_prefix cidr;
	bool has_start, has_end, has_gateway;
	struct pn_ip start, end, gateway;
	const struct pn_prefix *exclude; /* borrowed by pn_ipam_pool_new (copied) */
	size_t n_exclude;
};

struct pn_ipam_pool;

/* Builds a pool from n ranges (1..PN_IPAM_RANGES_MAX). Refused with
 * -EINVAL: start/end/gateway of another family or outside the cidr,
 * start > end, an exclude of another family, ranges that overlap.
 * On success *out is owned by the caller. Returns 0, -EINVAL or -ENOMEM. */
#define PN_IPAM_RANGES_MAX   PN_MAX_RANGES   /* pn/limits.h */
#define PN_IPAM_EXCLUDES_MAX PN_MAX_EXCLUDES
int pn_ipam_pool_new(const struct pn_ipam_range_spec *ranges, size_t n,
		     struct pn_ipam_pool **out);
void pn_ipam_pool_free(struct pn_ipam_pool *pool);

size_t pn_ipam_pool_nranges(const struct pn_ipam_pool *pool);
/* The cidr of range i (as given), or NULL when i is out of bounds. */
const struct pn_prefix *pn_ipam_range_cidr(const struct pn_ipam_pool *pool, size_t i);
/* The gateway of range i, or NULL when it has none or i is out of bounds. */
const struct pn_ip *pn_ipam_range_gateway(const struct pn_ipam_pool *pool, size_t i);
/* Number of allocatable addresses of range i (saturating at PN_IPAM_SIZE_MAX
 * for huge IPv6 ranges) and how many of them are allocated now.
 * Returns 0 or -EINVAL when i is out of bounds. */
int pn_ipam_range_stats(const struct pn_ipam_pool *pool, size_t i, uint64_t *size,
			uint64_t *allocated);
/* Total allocations in the pool. */
size_t pn_ipam_pool_nallocated(const struct pn_ipam_pool *pool);

/* Allocates the lowest free address of family for owner (see above for the
 * order). On success *ip is the address and *range (if not NULL) the index
 * of its range. Returns 0; -ENOSPC when no range of that family has a free
 * address (also when the pool has no range of that family); -EINVAL for a
 * bad family or owner; -ENOMEM. */
int pn_ipam_alloc(struct pn_ipam_pool *pool, int family, const char *owner, struct pn_ip *ip,
		  size_t *range);

/* Allocates exactly ip for owner. Returns:
 *   0        newly allocated (*range set when not NULL);
 *   1        already held by this same owner (idempotent; *range set);
 *  -ERANGE   outside every range (outside every cidr, or outside start..end);
 *  -EPERM    inside a range but reserved: excluded, the gateway, or a
 *            network/broadcast/subnet-router-anycast address;
 *  -EEXIST   held by another owner;
 *  -EINVAL   bad owner or address; -ENOMEM. */
int pn_ipam_alloc_addr(struct pn_ipam_pool *pool, const struct pn_ip *ip, const char *owner,
		       size_t *range);

/* Releases ip. When owner is not NULL, only if ip is held by that owner.
 * Returns 0; -ENOENT when ip is not allocated; -EPERM when it is held by
 * someone else (nothing released). */
int pn_ipam_release(struct pn_ipam_pool *pool, const struct pn_ip *ip, const char *owner);
/* Releases every address held by owner; returns how many (0 is fine). */
int pn_ipam_release_owner(struct pn_ipam_pool *pool, const char *owner);

/* The owner of ip (borrowed, valid until the allocation is released or the
 * pool changes), or NULL when ip is free or outside the pool. */
const char *pn_ipam_owner(const struct pn_ipam_pool *pool, const struct pn_ip *ip);
/* Whether ip could be allocated at all (inside a range and not reserved):
 * 0, -ERANGE or -EPERM, as pn_ipam_alloc_addr reports them. */
int pn_ipam_check(const struct pn_ipam_pool *pool, const struct pn_ip *ip);

/* One address in use, as found in an existing plan. */
struct pn_ipam_use {
	struct pn_ip ip;
	const char *owner;
};

/* One entry of uses[] that was not taken into the pool. */
struct pn_ipam_conflict {
	size_t index; /* into uses[] */
	int error;    /* -EEXIST (duplicate), -ERANGE, -EPERM or -EINVAL */
	size_t other; /* for -EEXIST: the index of the entry that kept the address */
};

/* Replaces every allocation by uses[0..n). Each address is kept for the
 * first entry naming it; a later entry with the same address (whatever its
 * owner) is a duplicate and is reported, never merged. Entries outside every
 * range, reserved, or with a bad owner are reported and not kept.
 * Conflicts are written to conflicts[0..cap) in uses[] order; the return
 * value is the total number of conflicts (which may exceed cap), or -ENOMEM
 * (the pool is then left empty of allocations). */
int pn_ipam_rebuild(struct pn_ipam_pool *pool, const struct pn_ipam_use *uses, size_t n,
		    struct pn_ipam_conflict *conflicts, size_t cap);

/* Builds a pool from a decoded IPPool's spec.ranges (pn/model.h), parsing
 * every address and CIDR with the strict parsers above. Problems name their
 * field (spec.ranges[1].gateway) and are added to ps when not NULL; any
 * problem makes the result -EINVAL with *out NULL. 0, -EINVAL or -ENOMEM. */
struct pn_ippool;
struct pn_problems;
int pn_ipam_pool_from_ippool(const struct pn_ippool *ippool, struct pn_ipam_pool **out,
			     struct pn_problems *ps);

/* Visits every allocation in order (range, then address); stops and returns
 * the callback's value when it is non-zero. */
typedef int (*pn_ipam_visit_fn)(const struct pn_ip *ip, const char *owner, size_t range,
				void *userdata);
int pn_ipam_foreach(const struct pn_ipam_pool *pool, pn_ipam_visit_fn fn, void *userdata);
/* The same, visiting only owner's allocations. Still a pass over the pool, but
 * over a hash kept beside each address: no owner string is read unless its
 * hash matches (a controller allocating for one Pod among thousands). */
int pn_ipam_foreach_owner(const struct pn_ipam_pool *pool, const char *owner, pn_ipam_visit_fn fn,
			  void *userdata);

#endif
