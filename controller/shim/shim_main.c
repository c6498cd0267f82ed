/* podnet-cni — the CNI plugin the container runtime runs (spec 1.0 and 1.1).
 *
 * It has no logic of its own: VERSION is answered here; ADD, DEL, CHECK, GC
 * and STATUS go, with the CNI environment and the config from stdin, to
 * podnet-agent over its unix socket (PROTOCOL.md), and the agent's answer is
 * printed. When the agent cannot be reached: ADD fails with code 11 (try
 * again later); DEL succeeds only if the agent recorded nothing for the
 * container (the record directory is read, never written); CHECK and GC
 * fail with 11; STATUS fails with 50. No API access.
 *
 * Plugin config keys: "agentSocket" (default /run/podnet/agent.sock),
 * "recordDir" (default /var/lib/podnet/records), "timeoutSeconds" (default 240).
 *
 * `podnet-cni --version` (for people: runtimes pass no arguments) prints
 * "podnet-cni VERSION" and exits 0, whatever the environment holds; CNI's
 * VERSION command is unchanged (the spec's JSON, cniVersion and
 * supportedVersions only).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "shim/proto.h"
#include "pn/version.h"

#define STDIN_CAP (1u << 20)

static const char *const supported[] = {"1.0.0", "1.1.0"};

static int version_supported(const char *v)
{
	for (size_t i = 0; i < sizeof(supported) / sizeof(supported[0]); i++)
		if (v && !strcmp(v, supported[i]))
			return 1;
	return 0;
}

/* The CNI error format on stdout; exit status 1. */
static int fail(const char *version, int code, const char *msg, const char *details)
{
	json_t *e = json_pack("{s:s, s:i, s:s}", "cniVersion", version_supported(version) ? version : "1.1.0", "code",
			      code, "msg", msg);

	if (details && *details)
		json_object_set_new(e, "details", json_string(details));
	json_dumpf(e, stdout, JSON_COMPACT);
	fputc('\n', stdout);
	json_decref(e);
	return 1;
}

static char *read_stdin(size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);

	while (buf) {
		ssize_t r;
		if (n == cap) {
			char *nb;
			if (cap >= STDIN_CAP) {
				free(buf);
				return NULL;
			}
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		r = read(0, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (buf)
		buf[n] = '\0';
	*len = n;
	return buf;
}

static int connect_agent(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

static int valid_cid(const char *s)
{
	if (!s || !*s || strlen(s) > 200 || *s == '.')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '.' || *s == '-'))
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	const char *cmd = getenv("CNI_COMMAND"), *cid = getenv("CNI_CONTAINERID"), *netns = getenv("CNI_NETNS");
	const char *ifname = getenv("CNI_IFNAME"), *args = getenv("CNI_ARGS"), *path = getenv("CNI_PATH");
	const char *version, *sock, *records;
	char *in = NULL, *req_text = NULL, *resp_text = NULL, msg[1024];
	json_t *conf = NULL, *req = NULL, *resp = NULL;
	json_error_t je;
	size_t len = 0;
	int fd = -1, rc = 1, r, timeout_s;

	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("podnet-cni %s\n", pn_version());
		return 0;
	}
	if (!cmd)
		return fail("1.1.0", 4, "CNI_COMMAND is not set", NULL);
	in = read_stdin(&len);
	if (!in) {
		rc = fail("1.1.0", 5, "cannot read the network configuration from stdin", "too large or unreadable");
		goto out;
	}
	conf = len ? json_loadb(in, len, 0, &je) : NULL;
	if (!strcmp(cmd, "VERSION")) {
		const char *v = json_string_value(json_object_get(conf, "cniVersion"));
		json_t *o = json_pack("{s:s, s:[s,s]}", "cniVersion", version_supported(v) ? v : "1.1.0",
				      "supportedVersions", supported[0], supported[1]);
		json_dumpf(o, stdout, JSON_COMPACT);
		fputc('\n', stdout);
		json_decref(o);
		rc = 0;
		goto out;
	}
	if (!json_is_object(conf)) {
		rc = fail("1.1.0", 6, "cannot decode the network configuration", conf ? "not an object" : je.text);
		goto out;
	}
	version = json_string_value(json_object_get(conf, "cniVersion"));
	if (!version_supported(version)) {
		snprintf(msg, sizeof(msg), "podnet-cni supports CNI versions 1.0.0 and 1.1.0, not %s",
			 version ? version : "(none)");
		rc = fail("1.1.0", 1, msg, NULL);
		goto out;
	}
	if ((!strcmp(cmd, "GC") || !strcmp(cmd, "STATUS")) && !strcmp(version, "1.0.0")) {
		snprintf(msg, sizeof(msg), "%s needs cniVersion 1.1.0", cmd);
		rc = fail(version, 1, msg, NULL);
		goto out;
	}
	if (strcmp(cmd, "ADD") && strcmp(cmd, "DEL") && strcmp(cmd, "CHECK") && strcmp(cmd, "GC") &&
	    strcmp(cmd, "STATUS")) {
		snprintf(msg, sizeof(msg), "unknown CNI_COMMAND %.64s", cmd);
		rc = fail(version, 4, msg, NULL);
		goto out;
	}
	if (!strcmp(cmd, "ADD") || !strcmp(cmd, "DEL") || !strcmp(cmd, "CHECK")) {
		if (!valid_cid(cid)) {
			rc = fail(version, 4, "CNI_CONTAINERID is missing or invalid", NULL);
			goto out;
		}
		if (!ifname || !*ifname) {
			rc = fail(version, 4, "CNI_IFNAME is not set", NULL);
			goto out;
		}
		if (strcmp(cmd, "DEL") && (!netns || !*netns)) {
			rc = fail(version, 4, "CNI_NETNS is not set", NULL);
			goto out;
		}
	}
	sock = json_string_value(json_object_get(conf, "agentSocket"));
	if (!sock)
		sock = "/run/podnet/agent.sock";
	records = json_string_value(json_object_get(conf, "recordDir"));
	if (!records)
		records = "/var/lib/podnet/records";
	timeout_s = (int)json_integer_value(json_object_get(conf, "timeoutSeconds"));
	if (timeout_s <= 0 || timeout_s > 3600)
		timeout_s = 240;

	fd = connect_agent(sock);
	if (fd < 0) {
		char rp[1024];
		struct stat st;

		if (!strcmp(cmd, "DEL")) {
			snprintf(rp, sizeof(rp), "%s/%s.json", records, cid);
			if (stat(rp, &st) < 0 && errno == ENOENT) {
				rc = 0; /* nothing was recorded: nothing to undo */
				goto out;
			}
			snprintf(msg, sizeof(msg),
				 "podnet-agent is not reachable at %s (%s) and container %s has attachments recorded; "
				 "DEL must be retried when the agent is back",
				 sock, strerror(-fd), cid);
			rc = fail(version, 11, msg, NULL);
			goto out;
		}
		snprintf(msg, sizeof(msg), "podnet-agent is not reachable at %s (%s); try again later", sock, strerror(-fd));
		rc = fail(version, !strcmp(cmd, "STATUS") ? 50 : 11, msg, NULL);
		goto out;
	}
	req = json_pack("{s:i, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:O}", "v", PN_PROTO_VERSION, "command", cmd,
			"containerID", cid, "netns", netns, "ifname", ifname, "args", args, "path", path, "config", conf);
	req_text = req ? json_dumps(req, JSON_COMPACT) : NULL;
	if (!req_text) {
		rc = fail(version, 5, "out of memory", NULL);
		goto out;
	}
	r = pn_proto_write(fd, req_text, strlen(req_text), 10000);
	if (r == 0)
		r = pn_proto_read(fd, &resp_text, &len, PN_PROTO_MAX_FRAME, timeout_s * 1000);
	if (r < 0) {
		snprintf(msg, sizeof(msg), "no answer from podnet-agent at %s: %s", sock, strerror(-r));
		rc = fail(version, 11, msg, NULL);
		goto out;
	}
	resp = json_loadb(resp_text, len, 0, NULL);
	if (!json_is_object(resp)) {
		rc = fail(version, 6, "podnet-agent sent a malformed answer", NULL);
		goto out;
	}
	if (json_is_true(json_object_get(resp, "ok"))) {
		json_t *result = json_object_get(resp, "result");
		if (json_is_object(result)) {
			json_object_set_new(result, "cniVersion", json_string(version));
			json_dumpf(result, stdout, JSON_COMPACT);
			fputc('\n', stdout);
		}
		rc = 0;
	} else {
		json_t *e = json_object_get(resp, "error");
		int code = (int)json_integer_value(json_object_get(e, "code"));
		rc = fail(version, code > 0 ? code : 999, json_string_value(json_object_get(e, "msg")) ?: "podnet-agent failed",
			  json_string_value(json_object_get(e, "details")));
	}
out:
	if (fd >= 0)
		close(fd);
	fflush(stdout);
	free(in);
	free(req_text);
	free(resp_text);
	json_decref(req);
	json_decref(resp);
	json_decref(conf);
	return rc;
}
