/* run_convert.c — runs controller/cli/test/convert.sh as a unit test
 * program, the way run_podnetctl.c runs podnetctl.sh (valgrind included). */
#define PN_TEST_SCRIPT "controller/cli/test/convert.sh"
#include "run_podnetctl.c"
