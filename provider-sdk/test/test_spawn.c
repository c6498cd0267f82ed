/* Unit tests of provider-sdk/lib/spawn.c: stdin/stdout, exact environment,
 * the kill deadline, the stdout cap, env value rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/spawn.h"

static void unit__cat__stdin_comes_back_on_stdout(void **state)
{
	char *argv[] = {"cat", NULL}, *envp[] = {NULL};
	struct pn_spawn sp = {.path = "/bin/cat", .argv = argv, .envp = envp, .input = "hello", .input_len = 5};

	(void)state;
	assert_int_equal(pn_spawn_run(&sp), 0);
	assert_int_equal(sp.exit_code, 0);
	assert_string_equal(sp.out, "hello");
	pn_spawn_clear(&sp);
}

static void unit__env__exactly_what_was_given(void **state)
{
	char *argv[] = {"env", NULL}, *envp[] = {"CNI_COMMAND=ADD", "A=b", NULL};
	struct pn_spawn sp = {.path = "/usr/bin/env", .argv = argv, .envp = envp};

	(void)state;
	assert_int_equal(pn_spawn_run(&sp), 0);
	assert_string_equal(sp.out, "CNI_COMMAND=ADD\nA=b\n");
	pn_spawn_clear(&sp);
}

static void unit__hung_child__killed_at_deadline(void **state)
{
	char *argv[] = {"sleep", "10", NULL}, *envp[] = {NULL};
	struct pn_spawn sp = {.path = "/bin/sleep", .argv = argv, .envp = envp, .timeout_ms = 100};

	(void)state;
	assert_int_equal(pn_spawn_run(&sp), -ETIMEDOUT);
	assert_true(sp.timed_out);
	assert_int_equal(sp.exit_code, 128 + 9);
	pn_spawn_clear(&sp);
}

static void unit__chatty_child__killed_at_the_stdout_cap(void **state)
{
	char *argv[] = {"yes", NULL}, *envp[] = {NULL};
	struct pn_spawn sp = {.path = "/usr/bin/yes", .argv = argv, .envp = envp, .out_cap = 4096, .timeout_ms = 5000};

	(void)state;
	assert_int_equal(pn_spawn_run(&sp), -EMSGSIZE);
	assert_true(sp.overflow);
	assert_true(sp.out_len <= 4096);
	pn_spawn_clear(&sp);
}

static void unit__missing_program__exit_127(void **state)
{
	char *argv[] = {"nope", NULL}, *envp[] = {NULL};
	struct pn_spawn sp = {.path = "/nonexistent/pnt-nope", .argv = argv, .envp = envp};

	(void)state;
	assert_int_equal(pn_spawn_run(&sp), 0);
	assert_int_equal(sp.exit_code, 127);
	pn_spawn_clear(&sp);
}

static void unit__child_exits_before_reading_stdin__no_sigpipe(void **state)
{
	static char big[1 << 20];
	char *argv[] = {"true", NULL}, *envp[] = {NULL};
	struct pn_spawn sp = {.path = "/bin/true", .argv = argv, .envp = envp, .input = big, .input_len = sizeof(big)};

	(void)state;
	memset(big, 'x', sizeof(big));
	assert_int_equal(pn_spawn_run(&sp), 0);
	assert_int_equal(sp.exit_code, 0);
	pn_spawn_clear(&sp);
}

static void unit__env_values__separators_and_controls_refused(void **state)
{
	(void)state;
	assert_true(pn_spawn_env_ok("team-a", ";="));
	assert_false(pn_spawn_env_ok("a;K8S_POD_NAME=evil", ";="));
	assert_false(pn_spawn_env_ok("a=b", ";="));
	assert_false(pn_spawn_env_ok("line\nbreak", NULL));
	assert_false(pn_spawn_env_ok("del\x7f", NULL));
	assert_true(pn_spawn_env_ok("/run/netns/cni-1234", NULL));
	assert_false(pn_spawn_env_ok(NULL, NULL));
}

/* A root holding only a static busybox as /bin/x: the child runs /bin/x of
 * that root, and sees nothing of ours (its "/" lists only bin). Needs root
 * (chroot) and busybox-static, both of which `make deps` provides. */
static void unit__root__child_runs_chrooted(void **state)
{
	char dir[] = "/tmp/pn-spawn-root-XXXXXX", cmd[256];
	char *argv[] = {"busybox", "ls", "/", NULL}, *envp[] = {NULL};
	struct pn_spawn sp = {.path = "/bin/x", .argv = argv, .envp = envp};

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "mkdir %s/bin && cp /bin/busybox %s/bin/x", dir, dir);
	assert_int_equal(system(cmd), 0);
	sp.root = dir;
	assert_int_equal(pn_spawn_run(&sp), 0);
	assert_int_equal(sp.exit_code, 0);
	assert_string_equal(sp.out, "bin\n");
	pn_spawn_clear(&sp);
	/* without the root, /bin/x is not there */
	sp.root = NULL;
	assert_int_equal(pn_spawn_run(&sp), 0);
	assert_int_equal(sp.exit_code, 127);
	pn_spawn_clear(&sp);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__cat__stdin_comes_back_on_stdout),
		cmocka_unit_test(unit__env__exactly_what_was_given),
		cmocka_unit_test(unit__hung_child__killed_at_deadline),
		cmocka_unit_test(unit__chatty_child__killed_at_the_stdout_cap),
		cmocka_unit_test(unit__missing_program__exit_127),
		cmocka_unit_test(unit__child_exits_before_reading_stdin__no_sigpipe),
		cmocka_unit_test(unit__env_values__separators_and_controls_refused),
		cmocka_unit_test(unit__root__child_runs_chrooted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
