/* provider-sdk/lib/spawn.c — one supervised child process; see spawn.h. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_OUT_CAP (1u << 20)
#define DEFAULT_ERR_CAP (64u << 10)
#define DEFAULT_TIMEOUT_MS 30000

int pn_spawn_env_ok(const char *value, const char *seps)
{
	if (!value)
		return 0;
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if (seps && strchr(seps, *p))
			return 0;
	}
	return 1;
}

void pn_spawn_clear(struct pn_spawn *sp)
{
	if (!sp)
		return;
	free(sp->out);
	free(sp->err);
	sp->out = sp->err = NULL;
	sp->out_len = sp->err_len = 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Moves fd above 2 so that dup2() in the child never targets itself. */
static int lift(int fd)
{
	int n;

	if (fd > 2)
		return fd;
	n = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return n;
}

struct sink {
	char *buf;
	size_t len, cap;
	int fatal; /* overflow kills the child */
	int overflow;
};

static int sink_read(int fd, struct sink *s)
{
	char tmp[4096];
	ssize_t n = read(fd, tmp, sizeof(tmp));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : -errno;
	if (n == 0)
		return 0;
	if (s->len + (size_t)n > s->cap) {
		size_t room = s->cap - s->len;
		memcpy(s->buf + s->len, tmp, room);
		s->len += room;
		s->overflow = 1;
		return s->fatal ? -EMSGSIZE : 1;
	}
	memcpy(s->buf + s->len, tmp, (size_t)n);
	s->len += (size_t)n;
	return 1;
}

/* vfork: the child only dup2()s its stdio, execve()s and _exit()s, which is
 * all vfork allows, and the parent is spared copying its page tables. Kept
 * in a function of its own so that nothing of the caller lives across it. */
static __attribute__((noinline)) pid_t start_child(const char *root, const char *path, char *const *argv,
						     char *const *envp, int in, int out, int err)
{
	pid_t pid = vfork();

	if (pid == 0) {
		if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(126);
		/* vfork's child does not share the parent's root (no CLONE_FS) */
		if (root && (chroot(root) < 0 || chdir("/") < 0))
			_exit(126);
		execve(path, argv, envp);
		_exit(127);
	}
	return pid;
}

int pn_spawn_run(struct pn_spawn *sp)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
	struct sink so = {0}, se = {0};
	size_t written = 0;
	long long deadline;
	pid_t pid = -1;
	int r = 0, status = 0, reaped = 0;

	sp->out = sp->err = NULL;
	sp->out_len = sp->err_len = 0;
	sp->exit_code = -1;
	sp->timed_out = sp->overflow = 0;
	so.cap = sp->out_cap ? sp->out_cap : DEFAULT_OUT_CAP;
	se.cap = sp->err_cap ? sp->err_cap : DEFAULT_ERR_CAP;
	so.fatal = 1;
	so.buf = malloc(so.cap + 1);
	se.buf = malloc(se.cap + 1);
	if (!so.buf || !se.buf) {
		r = -ENOMEM;
		goto cleanup;
	}
	/* stdin is a socket so that writing to a dead child gives EPIPE through
	 * MSG_NOSIGNAL instead of a process-wide SIGPIPE. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
	    pipe2(err, O_CLOEXEC) < 0) {
		r = -errno;
		goto cleanup;
	}
	for (int i = 0; i < 2; i++) {
		in[i] = lift(in[i]);
		out[i] = lift(out[i]);
		err[i] = lift(err[i]);
		if (in[i] < 0 || out[i] < 0 || err[i] < 0) {
			r = -EMFILE;
			goto cleanup;
		}
	}
	shutdown(in[0], SHUT_WR);
	pid = start_child(sp->root && sp->root[0] ? sp->root : NULL, sp->path, sp->argv, sp->envp, in[0], out[1], err[1]);
	if (pid < 0) {
		r = -errno;
		goto cleanup;
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	in[0] = out[1] = err[1] = -1;
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	if (!sp->input || sp->input_len == 0) {
		close(in[1]);
		in[1] = -1;
	}

	deadline = now_ms() + (sp->timeout_ms > 0 ? sp->timeout_ms : DEFAULT_TIMEOUT_MS);
	while (out[0] >= 0 || err[0] >= 0 || in[1] >= 0) {
		struct pollfd pf[3];
		int n = 0, io = -1, oo = -1, eo = -1;
		long long left = deadline - now_ms();

		if (left <= 0) {
			r = -ETIMEDOUT;
			goto kill;
		}
		if (in[1] >= 0) {
			pf[n] = (struct pollfd){.fd = in[1], .events = POLLOUT};
			io = n++;
		}
		if (out[0] >= 0) {
			pf[n] = (struct pollfd){.fd = out[0], .events = POLLIN};
			oo = n++;
		}
		if (err[0] >= 0) {
			pf[n] = (struct pollfd){.fd = err[0], .events = POLLIN};
			eo = n++;
		}
		if (poll(pf, (nfds_t)n, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto kill;
		}
		if (io >= 0 && pf[io].revents) {
			ssize_t w = send(in[1], sp->input + written, sp->input_len - written, MSG_NOSIGNAL);
			if (w > 0)
				written += (size_t)w;
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == sp->input_len) {
				close(in[1]);
				in[1] = -1;
			}
		}
		if (oo >= 0 && pf[oo].revents) {
			int k = sink_read(out[0], &so);
			if (k < 0) {
				r = k;
				goto kill;
			}
			if (k == 0) {
				close(out[0]);
				out[0] = -1;
			}
		}
		if (eo >= 0 && pf[eo].revents) {
			int k = sink_read(err[0], &se);
			if (k <= 0) {
				close(err[0]);
				err[0] = -1;
			}
		}
	}
	/* Output closed: wait for the exit, still within the deadline. */
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid) {
			reaped = 1;
			break;
		}
		if (w < 0 && errno != EINTR) {
			r = -errno;
			goto kill;
		}
		if (now_ms() >= deadline) {
			r = -ETIMEDOUT;
			goto kill;
		}
		usleep(2000);
	}
	goto done;
kill:
	if (r == -ETIMEDOUT)
		sp->timed_out = 1;
	if (r == -EMSGSIZE)
		sp->overflow = 1;
	kill(pid, SIGKILL);
done:
	if (!reaped && pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	if (WIFEXITED(status))
		sp->exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		sp->exit_code = 128 + WTERMSIG(status);
	so.buf[so.len] = '\0';
	se.buf[se.len] = '\0';
	sp->out = so.buf;
	sp->out_len = so.len;
	sp->err = se.buf;
	sp->err_len = se.len;
	so.buf = se.buf = NULL;
cleanup:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	free(so.buf);
	free(se.buf);
	return r;
}
