/* provider-sdk/lib/spawn.h — running one child process (a CNI plugin, `ip`)
 * the careful way: every descriptor close-on-exec, the child only dup2()s its
 * stdio, execve()s and _exit()s; argv and envp built by the caller; no shell;
 * a kill deadline; capped stdout and stderr. Internal to podnet's own
 * providers and tools; not part of the provider ABI. */
#ifndef PN_SPAWN_H
#define PN_SPAWN_H

#include <stddef.h>

struct pn_spawn {
	/* in */
	const char *path;    /* absolute path of the program */
	char *const *argv;   /* NULL-terminated */
	char *const *envp;   /* NULL-terminated, exact environment */
	const char *input;   /* written to the child's stdin, then closed; may be NULL */
	size_t input_len;
	size_t out_cap;      /* hard caps: more output kills the child (0: 1 MiB) */
	size_t err_cap;      /* (0: 64 KiB; stderr beyond the cap is dropped, not fatal) */
	int timeout_ms;      /* kill deadline (0: 30 s) */
	const char *root;    /* if set, the child chroot()s here first and `path`
	                        names the program inside it (the host's root, for an
	                        agent in a container running the node's plugins) */
	/* out: owned, NUL-terminated; free with pn_spawn_clear() */
	char *out;
	size_t out_len;
	char *err;
	size_t err_len;
	int exit_code;       /* exit status, or 128+signal */
	int timed_out;       /* killed at the deadline */
	int overflow;        /* killed because stdout passed out_cap */
};

/* Runs the child to completion. Returns 0 when it ran (look at exit_code),
 * -errno when it could not be started or supervised, -ETIMEDOUT when killed
 * at the deadline, -EMSGSIZE when its stdout passed the cap. */
int pn_spawn_run(struct pn_spawn *sp);
void pn_spawn_clear(struct pn_spawn *sp);

/* 1 when value may go into an environment variable: no control bytes and
 * none of the characters in seps (e.g. ";=" for a CNI_ARGS part, ":" for a
 * CNI_PATH entry). */
int pn_spawn_env_ok(const char *value, const char *seps);

#endif
