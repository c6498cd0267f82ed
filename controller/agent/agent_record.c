/* node/agent_record.c — what the agent attached, on local disk, one JSON
 * file per sandbox (<records dir>/<container id>.json), written atomically
 * (temp file, fsync, rename, fsync of the directory) so that DEL and GC never
 * depend on the Pod, its plan or the network still existing. */
#include "agent/agent_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int pn_record_valid_cid(const char *cid)
{
	size_t n = cid ? strlen(cid) : 0;

	if (n == 0 || n > 200 || cid[0] == '.')
		return 0;
	for (; *cid; cid++)
		if (!((*cid >= 'a' && *cid <= 'z') || (*cid >= 'A' && *cid <= 'Z') || (*cid >= '0' && *cid <= '9') ||
		      *cid == '_' || *cid == '.' || *cid == '-'))
			return 0;
	return 1;
}

static int path_of(const char *dir, const char *cid, char *buf, size_t len)
{
	int n;

	if (!pn_record_valid_cid(cid))
		return -EINVAL;
	n = snprintf(buf, len, "%s/%s.json", dir, cid);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int pn_record_save(const char *dir, const json_t *rec)
{
	const char *cid = json_string_value(json_object_get(rec, "containerID"));
	char path[1024], tmp[1100];
	char *text = NULL;
	size_t len, off = 0;
	int fd = -1, dfd, r;

	r = path_of(dir, cid, path, sizeof(path));
	if (r < 0)
		return r;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text)
		return -ENOMEM;
	len = strlen(text);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0) {
		r = -errno;
		goto out;
	}
	close(fd);
	fd = -1;
	if (rename(tmp, path) < 0) {
		r = -errno;
		goto out;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	if (r < 0)
		unlink(tmp);
	free(text);
	return r;
}

int pn_record_load(const char *dir, const char *cid, json_t **rec)
{
	char path[1024];
	json_error_t je;
	int r;

	*rec = NULL;
	r = path_of(dir, cid, path, sizeof(path));
	if (r < 0)
		return r;
	if (access(path, F_OK) < 0)
		return errno == ENOENT ? 0 : -errno;
	*rec = json_load_file(path, 0, &je);
	if (!*rec || !json_is_object(*rec)) {
		json_decref(*rec);
		*rec = NULL;
		pn_agent_log(3, "record %s is unreadable: %s", path, je.text);
		return -EBADMSG;
	}
	return 0;
}

int pn_record_remove(const char *dir, const char *cid)
{
	char path[1024];
	int r = path_of(dir, cid, path, sizeof(path)), dfd;

	if (r < 0)
		return r;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

void pn_record_drop_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[1400];

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n > 4 && !strcmp(de->d_name + n - 4, ".tmp") &&
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < sizeof(path))
			unlink(path);
	}
	closedir(d);
}

int pn_record_list(const char *dir, json_t **ids)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	*ids = json_array();
	if (!*ids) {
		if (d)
			closedir(d);
		return -ENOMEM;
	}
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		char cid[256];

		if (n <= 5 || n - 5 >= sizeof(cid) || strcmp(de->d_name + n - 5, ".json"))
			continue;
		memcpy(cid, de->d_name, n - 5);
		cid[n - 5] = '\0';
		if (pn_record_valid_cid(cid))
			json_array_append_new(*ids, json_string(cid));
	}
	closedir(d);
	return 0;
}
