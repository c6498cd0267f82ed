# e2e/cluster/cluster.mk: the local cluster's make targets.
#
#   make cluster-up     start (or reuse) the local cluster; prints the admin
#                       kubeconfig path. PODNET_SECOND_NODE=NAME adds a node.
#   make cluster-down   stop it and remove everything it created
#   make run            install (make deps) and build what is missing, bring the cluster up,
#                       then run $(RUN_SCRIPT)
#
# Later work extends `make run` without editing this file: set RUN_SCRIPT
# (a script run once the cluster is up, with KUBECONFIG and the cluster's env
# exported) and append make goals to RUN_DEPS (built before the cluster
# starts), from its own fragment.

RUN_SCRIPT ?= e2e/cluster/run-pod
RUN_DEPS   +=
CLUSTER_LOCK := /tmp/podnet-cluster.lock
# Take the machine-wide cluster lock unless the caller already holds it.
WITH_LOCK = $(if $(PODNET_CLUSTER_LOCKED),,flock -o $(CLUSTER_LOCK))

.PHONY: cluster-up cluster-down run
cluster-up:
	@$(WITH_LOCK) e2e/cluster/up

cluster-down:
	@$(WITH_LOCK) e2e/cluster/down

run:
	@$(MAKE) --no-print-directory deps
	$(if $(strip $(RUN_DEPS)),@$(MAKE) --no-print-directory $(RUN_DEPS))
	@e2e/cluster/run $(RUN_SCRIPT)

INTEGRATION_TESTS += e2e/test/cluster-pod.sh
