/* run_podnetctl.c — runs controller/cli/test/podnetctl.sh as a unit test
 * program. A compiled front keeps `make check-valgrind` meaningful: valgrind
 * would otherwise check the shell (which leaks by design); instead, when
 * this program finds itself under valgrind, it asks the script to run every
 * podnetctl invocation under valgrind (PODNETCTL_WRAP), and execs the shell
 * natively (valgrind does not follow exec without --trace-children). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* run_convert.c includes this file with its own script. */
#ifndef PN_TEST_SCRIPT
#define PN_TEST_SCRIPT "controller/cli/test/podnetctl.sh"
#endif

int main(void)
{
	const char *pre = getenv("LD_PRELOAD");

	if (pre && strstr(pre, "vgpreload"))
		setenv("PODNETCTL_WRAP",
		       "valgrind -q --error-exitcode=99 --leak-check=full "
		       "--errors-for-leak-kinds=definite",
		       1);
	execl("/bin/sh", "sh", PN_TEST_SCRIPT, (char *)NULL);
	perror("run_podnetctl: /bin/sh");
	return 127;
}
