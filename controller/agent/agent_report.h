/* node/agent_report.h — the writer of this node's PodNetworkNode report
 * (agent_avail.h decides what it says). Lives on the Kubernetes side's loop:
 * informers on PodNetworks and CNIConfigs, a GET of its Node (the report's
 * owner), the report created once and then updated only when what it says
 * changes. It evaluates when a PodNetwork or CNIConfig changes (after a
 * short delay that gathers bursts) and every period seconds, so a link
 * removed on the node shows within one period. */
#ifndef PN_NODE_AGENT_REPORT_H
#define PN_NODE_AGENT_REPORT_H

#include <ev.h>
#include <stdio.h>

#include "kube/client.h"
#include "agent/agent.h"

struct pn_report;

struct pn_report_stats {
	unsigned long evaluations; /* reports computed */
	unsigned long writes;      /* creates and updates accepted */
	unsigned long errors;      /* failed reads and writes */
	unsigned long networks, available; /* in the last report */
};

/* period: seconds between evaluations (0: 30). Nothing starts yet. */
struct pn_report *pn_report_new(struct pn_agent *a, struct ev_loop *loop, struct pn_kube_client *c,
				const char *node, double period);
int pn_report_start(struct pn_report *r);
/* Loop thread: stops the informers and timers. */
void pn_report_stop(struct pn_report *r);
/* With the loop no longer running (its requests are cancelled with the
 * client, without callbacks). */
void pn_report_free(struct pn_report *r);
/* Any thread. */
void pn_report_get_stats(struct pn_report *r, struct pn_report_stats *out);
void pn_report_metrics(struct pn_report *r, FILE *out);

#endif
