/* example — the smallest podnet provider that works, and the template to copy.
 *
 * attach: creates a dummy interface (an ifb one on kernels without dummy) named after the attachment inside the
 * Pod's network namespace, gives it the planned addresses and MAC, sets it up
 * and adds the planned routes. detach deletes it. check verifies that the link
 * and its addresses are still there. gc deletes what is not in the keep list.
 *
 * It talks rtnetlink directly (no child process): a netlink socket created
 * while the thread is inside the target namespace stays bound to that
 * namespace, so the thread enters it only for socket(), then returns.
 *
 * State: one small file per attachment in the stateDir the agent gives at
 * init, named "<container id>%<interface>", holding the netns path, so that
 * detach and gc work even when the agent no longer knows the namespace.
 *
 * Build (docs/provider-guide.md, section 2):
 *   cc -std=c99 -O2 -fPIC -shared -fvisibility=hidden -Wl,--no-undefined \
 *      $(pkg-config --cflags podnet-provider) example.c -o example.so
 */
/* setns() and the CLONE_NEWNET of <sched.h> are Linux (GNU) extensions that
 * -std=c99 hides: the source asks for them itself, before any header, so the
 * plain build line above works. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <podnet/provider.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

struct ex_state {
	const struct podnet_host_api *host;
	char state_dir[PODNET_PATH_LEN];
};

static void msg(struct podnet_result *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void msg(struct podnet_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->message, sizeof(res->message), fmt, ap);
	va_end(ap);
}

/* One line into the agent's log. */
static void ex_log(struct ex_state *st, int32_t level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void ex_log(struct ex_state *st, int32_t level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!st->host->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	st->host->log(st->host->host, level, line);
}

/* ---- rtnetlink ----------------------------------------------------------- */

struct nlreq {
	struct nlmsghdr nh;
	char buf[1024];
};

static void nl_attr(struct nlmsghdr *nh, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static struct rtattr *nl_nest_begin(struct nlmsghdr *nh, unsigned short type)
{
	struct rtattr *a = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));

	nl_attr(nh, type, NULL, 0);
	return a;
}

static void nl_nest_end(struct nlmsghdr *nh, struct rtattr *a)
{
	a->rta_len = (unsigned short)((char *)nh + nh->nlmsg_len - (char *)a);
}

/* Opens a NETLINK_ROUTE socket inside the namespace at path. */
static int nl_open_in(const char *netns_path)
{
	int self = -1, target = -1, s = -1, e = 0;

	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	target = open(netns_path, O_RDONLY | O_CLOEXEC);
	if (target < 0) {
		e = -errno;
		goto out;
	}
	if (setns(target, CLONE_NEWNET) < 0) {
		e = -errno;
		goto out;
	}
	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		e = -errno;
	if (setns(self, CLONE_NEWNET) < 0) {
		/* Cannot happen short of a kernel bug; never return in the wrong netns. */
		abort();
	}
out:
	if (target >= 0)
		close(target);
	close(self);
	return s >= 0 ? s : e;
}

/* Sends one request and reads until its ACK; for a dump, calls cb per message. */
static int nl_talk(int s, struct nlmsghdr *nh, int (*cb)(struct nlmsghdr *, void *), void *ctx)
{
	static const struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	union {
		struct nlmsghdr nh;
		char b[16384];
	} buf;
	int done = 0, r = 0;

	nh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nh->nlmsg_seq = 1;
	if (sendto(s, nh, nh->nlmsg_len, 0, (const struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	while (!done) {
		ssize_t n = recv(s, buf.b, sizeof(buf.b), 0);
		size_t off = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		while (!done && off + sizeof(struct nlmsghdr) <= (size_t)n) {
			struct nlmsghdr *m = (struct nlmsghdr *)(void *)(buf.b + off);

			if (m->nlmsg_len < sizeof(*m) || m->nlmsg_len > (size_t)n - off)
				break;
			off += NLMSG_ALIGN(m->nlmsg_len);
			if (m->nlmsg_type == NLMSG_DONE) {
				done = 1;
			} else if (m->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *ne = NLMSG_DATA(m);
				if (ne->error)
					r = ne->error;
				done = 1;
			} else if (cb && r == 0) {
				r = cb(m, ctx);
			}
		}
	}
	return r;
}

struct link_info {
	int index;
	unsigned flags;
	char mac[PODNET_MAC_LEN];
};

static int link_cb(struct nlmsghdr *m, void *ctx)
{
	struct link_info *li = ctx;
	struct ifinfomsg *ifi = NLMSG_DATA(m);
	int len = (int)IFLA_PAYLOAD(m);

	if (m->nlmsg_type != RTM_NEWLINK)
		return 0;
	li->index = ifi->ifi_index;
	li->flags = ifi->ifi_flags;
	for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_ADDRESS && RTA_PAYLOAD(a) == 6) {
			unsigned char *b = RTA_DATA(a);
			snprintf(li->mac, sizeof(li->mac), "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3],
				 b[4], b[5]);
		}
	}
	return 0;
}

static int link_get(int s, const char *name, struct link_info *li)
{
	struct nlreq q;
	struct ifinfomsg *ifi;

	memset(&q, 0, sizeof(q));
	memset(li, 0, sizeof(*li));
	q.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	q.nh.nlmsg_type = RTM_GETLINK;
	ifi = NLMSG_DATA(&q.nh);
	ifi->ifi_family = AF_UNSPEC;
	nl_attr(&q.nh, IFLA_IFNAME, name, strlen(name) + 1);
	return nl_talk(s, &q.nh, link_cb, li);
}

static int parse_mac(const char *s, unsigned char b[6])
{
	unsigned v[6];
	char tail;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (v[i] > 255)
			return -EINVAL;
		b[i] = (unsigned char)v[i];
	}
	return 0;
}

static int link_add(int s, const char *name, const char *mac, const char *kind)
{
	struct nlreq q;
	struct ifinfomsg *ifi;
	struct rtattr *li;
	unsigned char hw[6];

	memset(&q, 0, sizeof(q));
	q.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	q.nh.nlmsg_type = RTM_NEWLINK;
	q.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifi = NLMSG_DATA(&q.nh);
	ifi->ifi_family = AF_UNSPEC;
	nl_attr(&q.nh, IFLA_IFNAME, name, strlen(name) + 1);
	if (mac && mac[0]) {
		if (parse_mac(mac, hw) < 0)
			return -EINVAL;
		nl_attr(&q.nh, IFLA_ADDRESS, hw, 6);
	}
	li = nl_nest_begin(&q.nh, IFLA_LINKINFO);
	nl_attr(&q.nh, IFLA_INFO_KIND, kind, strlen(kind) + 1);
	nl_nest_end(&q.nh, li);
	return nl_talk(s, &q.nh, NULL, NULL);
}

static int link_set_up(int s, int index)
{
	struct nlreq q;
	struct ifinfomsg *ifi;

	memset(&q, 0, sizeof(q));
	q.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	q.nh.nlmsg_type = RTM_NEWLINK;
	ifi = NLMSG_DATA(&q.nh);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return nl_talk(s, &q.nh, NULL, NULL);
}

static int link_del(int s, const char *name)
{
	struct nlreq q;
	struct ifinfomsg *ifi;

	memset(&q, 0, sizeof(q));
	q.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	q.nh.nlmsg_type = RTM_DELLINK;
	ifi = NLMSG_DATA(&q.nh);
	ifi->ifi_family = AF_UNSPEC;
	nl_attr(&q.nh, IFLA_IFNAME, name, strlen(name) + 1);
	return nl_talk(s, &q.nh, NULL, NULL);
}

/* "10.1.2.3/24" -> family, bytes, prefix length. */
static int parse_cidr(const char *cidr, int *family, unsigned char addr[16], int *plen)
{
	char buf[PODNET_ADDR_LEN];
	char *slash, *end;
	long l;

	if (strlen(cidr) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, cidr);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		*family = AF_INET6;
	else
		return -EINVAL;
	l = *family == AF_INET ? 32 : 128;
	if (slash) {
		long max = l;
		errno = 0;
		l = strtol(slash + 1, &end, 10);
		if (errno || *end || end == slash + 1 || l < 0 || l > max)
			return -EINVAL;
	}
	*plen = (int)l;
	return 0;
}

static int addr_add(int s, int index, const char *cidr)
{
	struct nlreq q;
	struct ifaddrmsg *ifa;
	unsigned char a[16];
	int family, plen, r;

	r = parse_cidr(cidr, &family, a, &plen);
	if (r < 0)
		return r;
	memset(&q, 0, sizeof(q));
	q.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	q.nh.nlmsg_type = RTM_NEWADDR;
	q.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = NLMSG_DATA(&q.nh);
	ifa->ifa_family = (unsigned char)family;
	ifa->ifa_prefixlen = (unsigned char)plen;
	ifa->ifa_index = (unsigned)index;
	nl_attr(&q.nh, IFA_LOCAL, a, family == AF_INET ? 4 : 16);
	nl_attr(&q.nh, IFA_ADDRESS, a, family == AF_INET ? 4 : 16);
	return nl_talk(s, &q.nh, NULL, NULL);
}

static int route_add(int s, int index, const char *dst, const char *gw)
{
	struct nlreq q;
	struct rtmsg *rt;
	unsigned char d[16], g[16];
	int family, gfamily, plen, gplen, r;
	uint32_t oif = (uint32_t)index;

	r = parse_cidr(dst, &family, d, &plen);
	if (r < 0)
		return r;
	memset(&q, 0, sizeof(q));
	q.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*rt));
	q.nh.nlmsg_type = RTM_NEWROUTE;
	q.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	rt = NLMSG_DATA(&q.nh);
	rt->rtm_family = (unsigned char)family;
	rt->rtm_dst_len = (unsigned char)plen;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rt->rtm_type = RTN_UNICAST;
	if (plen)
		nl_attr(&q.nh, RTA_DST, d, family == AF_INET ? 4 : 16);
	if (gw) {
		r = parse_cidr(gw, &gfamily, g, &gplen);
		if (r < 0 || gfamily != family)
			return -EINVAL;
		nl_attr(&q.nh, RTA_GATEWAY, g, family == AF_INET ? 4 : 16);
	}
	nl_attr(&q.nh, RTA_OIF, &oif, sizeof(oif));
	return nl_talk(s, &q.nh, NULL, NULL);
}

struct addr_list {
	int index;
	int n;
	char v[PODNET_MAX_IPS][PODNET_ADDR_LEN];
};

static int addr_cb(struct nlmsghdr *m, void *ctx)
{
	struct addr_list *al = ctx;
	struct ifaddrmsg *ifa = NLMSG_DATA(m);
	int len = (int)IFA_PAYLOAD(m);
	char txt[INET6_ADDRSTRLEN];

	if (m->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != al->index)
		return 0;
	for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type != IFA_ADDRESS || al->n >= PODNET_MAX_IPS)
			continue;
		if (!inet_ntop(ifa->ifa_family, RTA_DATA(a), txt, sizeof(txt)))
			continue;
		snprintf(al->v[al->n++], PODNET_ADDR_LEN, "%s/%u", txt, ifa->ifa_prefixlen);
	}
	return 0;
}

static int addr_dump(int s, struct addr_list *al)
{
	struct nlreq q;
	struct ifaddrmsg *ifa;

	memset(&q, 0, sizeof(q));
	q.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	q.nh.nlmsg_type = RTM_GETADDR;
	q.nh.nlmsg_flags = NLM_F_DUMP;
	ifa = NLMSG_DATA(&q.nh);
	ifa->ifa_family = AF_UNSPEC;
	return nl_talk(s, &q.nh, addr_cb, al);
}

/* ---- state files ---------------------------------------------------------- */

static int valid_name(const char *s, size_t max, int ifname)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n >= max || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (const char *p = s; *p; p++) {
		if (ifname ? (*p == '/' || *p == ':' || *p <= ' ' || *p == 0x7f)
			   : !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			       *p == '_' || *p == '.' || *p == '-'))
			return 0;
	}
	return 1;
}

static int state_path(const struct ex_state *st, const char *cid, const char *ifname, char *out, size_t len)
{
	int n = snprintf(out, len, "%s/%s%%%s", st->state_dir, cid, ifname);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int state_write(const struct ex_state *st, const char *cid, const char *ifname, const char *netns)
{
	char path[PODNET_PATH_LEN * 2], tmp[PODNET_PATH_LEN * 2 + 8];
	FILE *f;
	int r;

	r = state_path(st, cid, ifname, path, sizeof(path));
	if (r < 0)
		return r;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "%s\n", netns);
	if (fflush(f) != 0 || fsync(fileno(f)) < 0) {
		r = -errno;
		fclose(f);
		unlink(tmp);
		return r;
	}
	fclose(f);
	if (rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	return 0;
}

/* Reads the recorded netns path; -ENOENT when there is no record. */
static int state_read(const struct ex_state *st, const char *cid, const char *ifname, char *netns, size_t len)
{
	char path[PODNET_PATH_LEN * 2];
	FILE *f;
	int r;

	r = state_path(st, cid, ifname, path, sizeof(path));
	if (r < 0)
		return r;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(netns, (int)len, f))
		netns[0] = '\0';
	fclose(f);
	netns[strcspn(netns, "\n")] = '\0';
	return 0;
}

static void state_remove(const struct ex_state *st, const char *cid, const char *ifname)
{
	char path[PODNET_PATH_LEN * 2];

	if (state_path(st, cid, ifname, path, sizeof(path)) == 0)
		unlink(path);
}

/* ---- operations ------------------------------------------------------------ */

static int32_t ex_init(const struct podnet_host_api *host, const char *config_json, void **state,
		       struct podnet_result *res)
{
	struct ex_state *st;
	const char *k, *v, *e;
	size_t n;

	/* The template keeps to libc: find "stateDir":"..." in the config (a real
	 * provider would use a JSON library of its choice). */
	k = strstr(config_json, "\"stateDir\"");
	if (!k || !(v = strchr(k + 10, '"')) || !(e = strchr(v + 1, '"')) || (n = (size_t)(e - v - 1)) == 0 ||
	    n >= PODNET_PATH_LEN || memchr(v + 1, '\\', n)) {
		msg(res, "init: the config has no usable \"stateDir\"");
		return -EINVAL;
	}
	st = host->alloc(host->host, sizeof(*st));
	if (!st)
		return -ENOMEM;
	memset(st, 0, sizeof(*st));
	st->host = host;
	memcpy(st->state_dir, v + 1, n);
	st->state_dir[n] = '\0';
	if (mkdir(st->state_dir, 0700) < 0 && errno != EEXIST) {
		int r = -errno;
		msg(res, "init: cannot create %s: %s", st->state_dir, strerror(-r));
		host->free(host->host, st);
		return r;
	}
	*state = st;
	return 0;
}

static void ex_fini(void *state)
{
	struct ex_state *st = state;

	if (st)
		st->host->free(st->host->host, st);
}

static int32_t ex_attach(void *state, const struct podnet_request *req, struct podnet_result *res)
{
	struct ex_state *st = state;
	const struct podnet_attachment *a = req->attachment;
	const char *cid = req->sandbox->container_id, *ifname = a->interface;
	struct link_info li;
	const char *kind;
	int s, r;

	if (!valid_name(cid, 128, 0) || !valid_name(ifname, PODNET_IFNAME_LEN, 1)) {
		msg(res, "invalid container id or interface name");
		return -EINVAL;
	}
	/* ABI 1.3: references of the kinds in ex_param_kinds, for the provider
	 * to read (an older agent's attachment has no such fields). */
	if (PODNET_HAS_FIELD(a, struct podnet_attachment, n_param_refs))
		for (uint32_t i = 0; i < a->n_param_refs; i++)
			ex_log(st, PODNET_LOG_INFO, "attach %s: parameters %s/%s %s%s%s", a->network,
			       a->param_refs[i].group, a->param_refs[i].kind, a->param_refs[i].ref_namespace,
			       a->param_refs[i].ref_namespace[0] ? "/" : "", a->param_refs[i].name);
	s = nl_open_in(req->sandbox->netns_path);
	if (s < 0) {
		msg(res, "cannot enter netns %s: %s", req->sandbox->netns_path, strerror(-s));
		return s;
	}
	/* A dummy link; kernels built without it get an ifb, as inert. */
	kind = "dummy";
	r = link_add(s, ifname, a->mac, kind);
	if (r == -EOPNOTSUPP) {
		kind = "ifb";
		r = link_add(s, ifname, a->mac, kind);
	}
	if (r < 0) {
		msg(res, "cannot create link %s: %s", ifname, strerror(-r));
		goto out; /* not ours: do not delete a link that existed before */
	}
	r = link_get(s, ifname, &li);
	if (r < 0) {
		msg(res, "cannot read link %s: %s", ifname, strerror(-r));
		goto undo;
	}
	for (uint32_t i = 0; i < a->n_ips; i++) {
		r = addr_add(s, li.index, a->ips[i]);
		if (r < 0) {
			msg(res, "cannot add address %s to %s: %s", a->ips[i], ifname, strerror(-r));
			goto undo;
		}
		if (res->n_ips < PODNET_MAX_IPS) {
			struct podnet_result_ip *ip = &res->ips[res->n_ips++];
			snprintf(ip->address, sizeof(ip->address), "%s", a->ips[i]);
			ip->interface = 0;
		}
	}
	r = link_set_up(s, li.index);
	if (r < 0) {
		msg(res, "cannot set %s up: %s", ifname, strerror(-r));
		goto undo;
	}
	for (uint32_t i = 0; i < a->n_routes; i++) {
		r = route_add(s, li.index, a->routes[i].dst, a->routes[i].gw);
		if (r < 0) {
			msg(res, "cannot add route to %s: %s", a->routes[i].dst, strerror(-r));
			goto undo;
		}
		if (res->n_routes < PODNET_MAX_ROUTES) {
			struct podnet_result_route *rt = &res->routes[res->n_routes++];
			snprintf(rt->dst, sizeof(rt->dst), "%s", a->routes[i].dst);
			snprintf(rt->gw, sizeof(rt->gw), "%s", a->routes[i].gw ? a->routes[i].gw : "");
		}
	}
	r = state_write(st, cid, ifname, req->sandbox->netns_path);
	if (r < 0) {
		msg(res, "cannot record the attachment in %s: %s", st->state_dir, strerror(-r));
		goto undo;
	}
	snprintf(res->interfaces[0].name, PODNET_IFNAME_LEN, "%s", ifname);
	snprintf(res->interfaces[0].sandbox, PODNET_PATH_LEN, "%s", req->sandbox->netns_path);
	snprintf(res->interfaces[0].mac, PODNET_MAC_LEN, "%s", li.mac);
	res->n_interfaces = 1;
	snprintf(res->device_info, sizeof(res->device_info), "{\"type\":\"%s\",\"version\":\"1.1.0\"}", kind);
	r = 0;
	goto out;
undo:
	/* Leave nothing behind: the link (and with it its addresses and routes). */
	link_del(s, ifname);
	res->n_ips = res->n_routes = 0;
out:
	close(s);
	return r;
}

static int detach_one(struct ex_state *st, const char *cid, const char *ifname, const char *netns_hint,
		      struct podnet_result *res)
{
	char netns[PODNET_PATH_LEN] = "";
	int s, r;

	if (state_read(st, cid, ifname, netns, sizeof(netns)) < 0 || !netns[0])
		snprintf(netns, sizeof(netns), "%s", netns_hint ? netns_hint : "");
	if (netns[0]) {
		s = nl_open_in(netns);
		if (s >= 0) {
			r = link_del(s, ifname);
			close(s);
			if (r < 0 && r != -ENODEV) {
				msg(res, "cannot delete %s in %s: %s", ifname, netns, strerror(-r));
				return r;
			}
		} else if (s != -ENOENT) {
			msg(res, "cannot enter netns %s: %s", netns, strerror(-s));
			return s;
		}
	}
	state_remove(st, cid, ifname);
	return 0;
}

static int32_t ex_detach(void *state, const struct podnet_request *req, struct podnet_result *res)
{
	const char *cid = req->sandbox->container_id, *ifname = req->attachment->interface;

	if (!valid_name(cid, 128, 0) || !valid_name(ifname, PODNET_IFNAME_LEN, 1)) {
		msg(res, "invalid container id or interface name");
		return -EINVAL;
	}
	return detach_one(state, cid, ifname, req->sandbox->netns_path, res);
}

static int32_t ex_check(void *state, const struct podnet_request *req, struct podnet_result *res)
{
	const struct podnet_attachment *a = req->attachment;
	struct link_info li;
	struct addr_list al;
	int s, r;

	(void)state;
	s = nl_open_in(req->sandbox->netns_path);
	if (s < 0) {
		msg(res, "cannot enter netns %s: %s", req->sandbox->netns_path, strerror(-s));
		return s;
	}
	r = link_get(s, a->interface, &li);
	if (r < 0) {
		msg(res, "interface %s is missing: %s", a->interface, strerror(-r));
		goto out;
	}
	if (!(li.flags & IFF_UP)) {
		msg(res, "interface %s is down", a->interface);
		r = -ENETDOWN;
		goto out;
	}
	memset(&al, 0, sizeof(al));
	al.index = li.index;
	r = addr_dump(s, &al);
	if (r < 0) {
		msg(res, "cannot list addresses: %s", strerror(-r));
		goto out;
	}
	for (uint32_t i = 0; i < a->n_ips; i++) {
		int found = 0;
		for (int j = 0; j < al.n && !found; j++)
			found = !strcmp(al.v[j], a->ips[i]);
		if (!found) {
			msg(res, "interface %s lacks address %s", a->interface, a->ips[i]);
			r = -ENOENT;
			goto out;
		}
	}
out:
	close(s);
	return r;
}

static int32_t ex_gc(void *state, const struct podnet_request *req, struct podnet_result *res)
{
	struct ex_state *st = state;
	DIR *d;
	struct dirent *de;
	int r = 0;

	d = opendir(st->state_dir);
	if (!d) {
		msg(res, "cannot list %s: %s", st->state_dir, strerror(errno));
		return -errno;
	}
	while ((de = readdir(d))) {
		char cid[256], *ifname;
		int keep = 0;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(cid) || strstr(de->d_name, ".tmp"))
			continue;
		strcpy(cid, de->d_name);
		ifname = strchr(cid, '%');
		if (!ifname)
			continue;
		*ifname++ = '\0';
		for (uint32_t i = 0; i < req->n_keep && !keep; i++)
			keep = !strcmp(req->keep[i].container_id, cid) && !strcmp(req->keep[i].interface, ifname);
		if (!keep) {
			int e = detach_one(st, cid, ifname, NULL, res);
			if (e < 0 && r == 0)
				r = e;
		}
	}
	closedir(d);
	return r;
}

static int32_t ex_status(void *state, struct podnet_result *res)
{
	struct ex_state *st = state;

	if (access(st->state_dir, W_OK) < 0) {
		msg(res, "state directory %s is not writable", st->state_dir);
		return -EAGAIN;
	}
	return 0;
}

/* ABI 1.3: the parameters kinds this provider accepts in a PodNetwork's
 * parametersRefs besides podnet's own. A PodNetwork of this provider may
 * name an ExampleParams object (the example reads nothing from it: attach
 * logs the reference it gets); a vendor lists its own CRD kinds here. */
static const char *const ex_param_kinds[] = {"example.podnet.dev/ExampleParams", NULL};

static const struct podnet_provider_ops ex_ops = {
	.size = sizeof(struct podnet_provider_ops),
	.abi_major = PODNET_ABI_MAJOR,
	.abi_minor = PODNET_ABI_MINOR,
	.name = "podnet.dev/example",
	.version = "1.0.0",
	.init = ex_init,
	.fini = ex_fini,
	.attach = ex_attach,
	.detach = ex_detach,
	.check = ex_check,
	.gc = ex_gc,
	.status = ex_status,
	.param_kinds = ex_param_kinds,
};

PODNET_PROVIDER_EXPORT const struct podnet_provider_ops *podnet_provider_entry(const struct podnet_host_api *host)
{
	/* Refuse a host of another major: its table may not mean what we think. */
	if (!host || host->abi_major != PODNET_ABI_MAJOR)
		return NULL;
	return &ex_ops;
}
