/* node/agent_hotplug.c — the hot-plug queue: Pods whose plan changed,
 * deduplicated, reconciled one at a time on a thread of their own so that the
 * caller (the Pod watch's loop, the plans-dir watcher) never waits for a
 * provider. */
#include "agent/agent_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void *hp_main(void *arg)
{
	struct pn_agent *a = arg;

	pthread_mutex_lock(&a->hp_mu);
	for (;;) {
		struct pn_hp_item *it;
		int r;

		while (!a->hp_head && !a->hp_stop)
			pthread_cond_wait(&a->hp_cv, &a->hp_mu);
		if (a->hp_stop)
			break;
		it = a->hp_head;
		a->hp_head = it->next;
		pthread_mutex_unlock(&a->hp_mu);
		r = pn_agent_reconcile(a, it->ns, it->name);
		if (r < 0)
			pn_agent_log(PODNET_LOG_WARNING, "hot-plug of %s/%s: %s", it->ns, it->name, strerror(-r));
		free(it->ns);
		free(it->name);
		free(it);
		pthread_mutex_lock(&a->hp_mu);
	}
	pthread_mutex_unlock(&a->hp_mu);
	return NULL;
}

int pn_hotplug_start(struct pn_agent *a)
{
	pthread_mutex_init(&a->hp_mu, NULL);
	pthread_cond_init(&a->hp_cv, NULL);
	if (pthread_create(&a->hp_thread, NULL, hp_main, a) != 0)
		return -EAGAIN;
	a->hp_started = 1;
	return 0;
}

void pn_hotplug_stop(struct pn_agent *a)
{
	if (!a->hp_started)
		return;
	pthread_mutex_lock(&a->hp_mu);
	a->hp_stop = 1;
	pthread_cond_broadcast(&a->hp_cv);
	pthread_mutex_unlock(&a->hp_mu);
	pthread_join(a->hp_thread, NULL);
	while (a->hp_head) {
		struct pn_hp_item *it = a->hp_head;
		a->hp_head = it->next;
		free(it->ns);
		free(it->name);
		free(it);
	}
	pthread_cond_destroy(&a->hp_cv);
	pthread_mutex_destroy(&a->hp_mu);
	a->hp_started = 0;
}

void pn_agent_replan(struct pn_agent *a, const char *ns, const char *name)
{
	struct pn_hp_item **pp, *it;

	if (!a->hp_started)
		return;
	pthread_mutex_lock(&a->hp_mu);
	for (pp = &a->hp_head; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->ns, ns) && !strcmp((*pp)->name, name))
			goto out; /* already queued */
	it = calloc(1, sizeof(*it));
	if (!it || !(it->ns = strdup(ns)) || !(it->name = strdup(name))) {
		if (it)
			free(it->ns);
		free(it);
		goto out;
	}
	*pp = it;
	pthread_cond_signal(&a->hp_cv);
out:
	pthread_mutex_unlock(&a->hp_mu);
}
