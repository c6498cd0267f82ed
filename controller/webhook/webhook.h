/* webhook.h: podnet-webhook's state, shared by main.c (flags, caches, the
 * review dispatch) and tls.c (the Secret, the reload and the caBundle). */
#ifndef PN_WEBHOOK_WEBHOOK_H
#define PN_WEBHOOK_WEBHOOK_H

#include <stdbool.h>
#include <ev.h>

#include "kube/client.h"
#include "kube/informer.h"
#include "webhook/cert.h"
#include "webhook/checks.h"
#include "webhook/server.h"

#define PN_WH_MAX_IDS 8

struct pn_wh {
	struct ev_loop *loop;
	struct pn_kube_client *c;
	struct pn_wh_server *srv;
	struct pn_informer *nets, *pnas, *nss, *reports;
	struct pn_wh_config cfg;
	const char *users[PN_WH_MAX_IDS];
	const char *groups[PN_WH_MAX_IDS];
	const char *agent_users[PN_WH_MAX_IDS];
	const char *agent_groups[PN_WH_MAX_IDS];
	int verbosity;

	/* TLS (tls.c) */
	const char *ns;              /* podnet-system */
	const char *secret;          /* podnet-webhook-tls */
	const char *vwc;             /* podnet-webhook */
	const char *dns[4];
	struct pn_cert_policy policy;
	double check_period;
	ev_timer tls_timer;
	bool tls_busy;               /* a check is running */
	int tls_conflicts;           /* 409s in a row */
	char *served_crt;            /* what the server runs with */
	char *served_key;
	char *bundle_b64;            /* caBundle wanted */
	bool vwc_missing_said;
};

void pn_wh_log(struct pn_wh *wh, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Starts the periodic check of the Secret (the first one now). */
void pn_wh_tls_start(struct pn_wh *wh);

#endif
