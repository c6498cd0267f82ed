/* statuscmd.h — `podnetctl status` on the live cluster (statuscmd.c). */
#ifndef PN_CLI_STATUSCMD_H
#define PN_CLI_STATUSCMD_H

/* argv[0] is "status"; prog is the name to show in usage lines
 * ("podnetctl" or "kubectl podnet"). Returns the exit status: 0 every Pod
 * shown is fine, 1 some Pod is wrong, 2 usage, kubeconfig or API errors. */
int cli_cmd_status(int argc, char **argv, const char *prog);

#endif
