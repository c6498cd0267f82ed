/* A broken provider for testing the conformance kit itself: the example
 * provider with its link deletion turned into a lookup, so detach and gc
 * report success and leave the interface behind. The kit must catch it. */
#include <linux/rtnetlink.h>
#undef RTM_DELLINK
#define RTM_DELLINK RTM_GETLINK
#include "../../providers/example/example.c"
