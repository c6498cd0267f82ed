/* faultsrv.c: the scripted HTTP server used by the transport tests. */
#include "faultsrv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_REQ 64
#define MAX_HANG 64

struct pn_faultsrv {
	int lfd;
	int stop_pipe[2];
	int port;
	pthread_t th;
	pthread_mutex_t mu;
	const struct pn_faultsrv_step *steps;
	size_t nsteps, next;
	char *reqs[MAX_REQ];
	char *bodies[MAX_REQ];
	char *auths[MAX_REQ];
	size_t nreq;
	int hang[MAX_HANG];
	size_t nhang;
};

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads one request (headers and a Content-Length body). */
static int read_request(int fd, char **line, char **body, char **auth)
{
	char buf[65536];
	size_t len = 0;
	char *end = NULL;
	*line = *body = *auth = NULL;
	while (!end) {
		if (len == sizeof(buf) - 1)
			return -1;
		ssize_t r = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
		if (r <= 0)
			return -1;
		len += (size_t)r;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	size_t hlen = (size_t)(end - buf) + 4;
	char *eol = strstr(buf, "\r\n");
	*line = strndup(buf, (size_t)(eol - buf));
	size_t clen = 0;
	for (char *h = eol + 2; h < end; h = strstr(h, "\r\n") + 2) {
		if (strncasecmp(h, "content-length:", 15) == 0)
			clen = strtoul(h + 15, NULL, 10);
		if (strncasecmp(h, "authorization: ", 15) == 0 && !*auth)
			*auth = strndup(h + 15, (size_t)(strstr(h, "\r\n") - h - 15));
	}
	if (clen > sizeof(buf) - 1 - hlen)
		return -1;
	while (len < hlen + clen) {
		ssize_t r = recv(fd, buf + len, hlen + clen - len, 0);
		if (r <= 0)
			return -1;
		len += (size_t)r;
	}
	*body = strndup(buf + hlen, clen);
	return 0;
}

static void serve(struct pn_faultsrv *s, int fd)
{
	char *line = NULL, *body = NULL, *auth = NULL;
	const struct pn_faultsrv_step *st = NULL;
	char hdr[2048];
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (read_request(fd, &line, &body, &auth) < 0) {
		free(line);
		free(body);
		free(auth);
		close(fd);
		return;
	}
	pthread_mutex_lock(&s->mu);
	if (s->nreq < MAX_REQ) {
		s->reqs[s->nreq] = line;
		s->bodies[s->nreq] = body;
		s->auths[s->nreq] = auth;
		s->nreq++;
		line = body = auth = NULL;
	}
	if (s->next < s->nsteps)
		st = &s->steps[s->next++];
	pthread_mutex_unlock(&s->mu);
	free(line);
	free(body);
	free(auth);
	if (!st)
		goto hang;
	snprintf(hdr, sizeof(hdr),
		 "HTTP/1.1 %s\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
		 "Connection: close\r\n%s\r\n",
		 st->status, st->headers ? st->headers : "");
	if (send_all(fd, hdr, strlen(hdr)) < 0)
		goto out;
	if (st->headers_only)
		goto hang;
	if (st->body) {
		size_t n = strlen(st->body);
		size_t piece = st->chunk ? st->chunk : (n ? n : 1);
		for (size_t off = 0; off < n; off += piece) {
			size_t k = n - off < piece ? n - off : piece;
			char sz[32];
			snprintf(sz, sizeof(sz), "%zx\r\n", k);
			if (send_all(fd, sz, strlen(sz)) < 0 || send_all(fd, st->body + off, k) < 0 ||
			    send_all(fd, "\r\n", 2) < 0)
				goto out;
			if (st->chunk && st->chunk < 16)
				usleep(200); /* let the pieces arrive as separate reads */
		}
	}
	if (st->end == FS_TRUNCATE)
		goto out;
	if (st->end == FS_HANG)
		goto hang;
	send_all(fd, "0\r\n\r\n", 5);
	shutdown(fd, SHUT_WR);
	usleep(10000);
	goto out;
hang:
	pthread_mutex_lock(&s->mu);
	if (s->nhang < MAX_HANG) {
		s->hang[s->nhang++] = fd;
		fd = -1;
	}
	pthread_mutex_unlock(&s->mu);
out:
	if (fd >= 0)
		close(fd);
}

static void *run(void *arg)
{
	struct pn_faultsrv *s = arg;
	for (;;) {
		struct pollfd p[2] = { { s->lfd, POLLIN, 0 }, { s->stop_pipe[0], POLLIN, 0 } };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		if (p[0].revents & POLLIN) {
			int fd = accept(s->lfd, NULL, NULL);
			if (fd >= 0)
				serve(s, fd);
		}
	}
	return NULL;
}

struct pn_faultsrv *pn_faultsrv_start(const struct pn_faultsrv_step *steps, size_t n)
{
	struct pn_faultsrv *s = calloc(1, sizeof(*s));
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int one = 1;
	if (!s)
		return NULL;
	s->steps = steps;
	s->nsteps = n;
	pthread_mutex_init(&s->mu, NULL);
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s->lfd, 16) < 0 ||
	    getsockname(s->lfd, (struct sockaddr *)&a, &al) < 0 || pipe(s->stop_pipe) < 0) {
		if (s->lfd >= 0)
			close(s->lfd);
		free(s);
		return NULL;
	}
	s->port = ntohs(a.sin_port);
	if (pthread_create(&s->th, NULL, run, s) != 0) {
		close(s->lfd);
		close(s->stop_pipe[0]);
		close(s->stop_pipe[1]);
		free(s);
		return NULL;
	}
	return s;
}

int pn_faultsrv_port(const struct pn_faultsrv *s)
{
	return s->port;
}

size_t pn_faultsrv_nreq(struct pn_faultsrv *s)
{
	pthread_mutex_lock(&s->mu);
	size_t n = s->nreq;
	pthread_mutex_unlock(&s->mu);
	return n;
}

void pn_faultsrv_req(struct pn_faultsrv *s, size_t i, char *buf, size_t len)
{
	pthread_mutex_lock(&s->mu);
	snprintf(buf, len, "%s", i < s->nreq ? s->reqs[i] : "");
	pthread_mutex_unlock(&s->mu);
}

void pn_faultsrv_req_body(struct pn_faultsrv *s, size_t i, char *buf, size_t len)
{
	pthread_mutex_lock(&s->mu);
	snprintf(buf, len, "%s", i < s->nreq ? s->bodies[i] : "");
	pthread_mutex_unlock(&s->mu);
}

void pn_faultsrv_req_auth(struct pn_faultsrv *s, size_t i, char *buf, size_t len)
{
	pthread_mutex_lock(&s->mu);
	snprintf(buf, len, "%s", i < s->nreq && s->auths[i] ? s->auths[i] : "");
	pthread_mutex_unlock(&s->mu);
}

void pn_faultsrv_stop(struct pn_faultsrv *s)
{
	if (!s)
		return;
	if (write(s->stop_pipe[1], "x", 1) < 0) {
		/* the thread will still see the pipe closed below */
	}
	pthread_join(s->th, NULL);
	close(s->lfd);
	close(s->stop_pipe[0]);
	close(s->stop_pipe[1]);
	for (size_t i = 0; i < s->nhang; i++)
		close(s->hang[i]);
	for (size_t i = 0; i < s->nreq; i++) {
		free(s->reqs[i]);
		free(s->bodies[i]);
		free(s->auths[i]);
	}
	pthread_mutex_destroy(&s->mu);
	free(s);
}
