/* itlib.h: helpers for the integration tests against the real local cluster
 * (run under e2e/lib/with-cluster: KUBECONFIG and PODNET_CLUSTER_DIR set).
 *
 * - a client on the admin kubeconfig and a namespace of the test's own;
 * - restarting kube-apiserver with extra flags, through the pid and command
 *   line e2e/cluster/up recorded in the run directory (the restarted process
 *   keeps the same command line plus the flags, so e2e/cluster/down stops it);
 * - compacting etcd (its JSON gateway) so old resourceVersions expire;
 * - a TCP proxy whose connections can be cut, to partition the client;
 * - the writer process: creates, updates and deletes ConfigMaps and logs every
 *   write the server acknowledged with its resourceVersion;
 * - the checker: compares the events an informer delivered with that log. */
#ifndef PN_KUBE_TEST_ITLIB_H
#define PN_KUBE_TEST_ITLIB_H

#include <stdio.h>
#include <sys/types.h>

#include "kube/client.h"
#include "kube/informer.h"

struct it {
	struct ev_loop *loop;
	struct pn_kube_config *cfg;
	struct pn_kube_client *c;
	char ns[96];
};

/* Fills t, creates namespace "pn-kube-<name>-<pid>". 0 or -errno. */
int it_setup(struct it *t, const char *name);
void it_teardown(struct it *t);
/* Runs the loop until *flag becomes non-zero or timeout seconds pass. */
int it_run_until(struct it *t, const int *flag, double timeout);
/* Runs the loop for seconds. */
void it_run_for(struct it *t, double seconds);
/* Same for a condition function. */
int it_run_until_fn(struct it *t, int (*cond)(void *), void *ud, double timeout);
double it_now(void);

/* Restarts kube-apiserver with its original command line plus extra (NULL-
 * terminated, may be NULL) and waits until /readyz answers. 0 or -errno. */
int it_apiserver_restart(const char *const *extra);
/* Compacts etcd at its current revision; returns the revision or -errno. */
long it_etcd_compact(void);

struct it_proxy;
struct it_proxy *it_proxy_start(const char *host, int port);
int it_proxy_port(const struct it_proxy *p);
/* 1: cut every connection and refuse new ones; 0: forward again. */
void it_proxy_block(struct it_proxy *p, int blocked);
void it_proxy_stop(struct it_proxy *p);

/* The writer labels its objects; informers under test select them with this
 * (namespaces also hold ConfigMaps of their own, such as kube-root-ca.crt). */
#define IT_WRITER_SELECTOR "pn-it=w"

/* Starts this program again as "PROG writer NS COUNT QPS LOGFILE" (see
 * it_writer_main); returns the pid. */
pid_t it_spawn_writer(const char *ns, int count, double qps, const char *logfile);
/* Same with object names PREFIX-N instead of cm-N. */
pid_t it_spawn_writer_prefix(const char *ns, int count, double qps, const char *logfile, const char *prefix);
/* The writer: for each of count ConfigMaps cm-N: create, update, and delete
 * every other one; each acknowledged write is logged as "cm-N C|U|D rv". A
 * write whose answer was lost (server restarted) is resolved by reading the
 * object back. Returns 0 when every write was acknowledged. */
int it_writer_main(int argc, char **argv);

/* Event log an informer fills: per key, the sequence "A rv", "U rv", "D". */
struct it_seen {
	json_t *seq;      /* key -> array of strings */
	long events;
};
void it_seen_init(struct it_seen *s);
void it_seen_free(struct it_seen *s);
void it_seen_handlers(struct it_seen *s, struct pn_informer_handlers *h);

/* Compares the writer's log with what was seen. exact: the sequences must be
 * equal; otherwise each seen sequence must be an in-order subsequence without
 * repeats ending in the final state. Prints mismatches to stderr; returns the
 * number of objects that differ (or -errno). *expected_events gets the
 * number of writes logged. */
int it_check_sequences(const char *logfile, struct it_seen *s, int exact, long *expected_events);
/* Compares the informer's store with a fresh LIST of the writer's objects (keys and
 * resourceVersions); returns the number of differences or -errno. */
int it_check_cache_equals_list(struct it *t, struct pn_informer *inf);

#endif
