# e2e/e2e.mk: the end-to-end scenarios of podnet on the local cluster.
# Each e2e/test/sN-*.sh uses podnet installed from its image with
# `kubectl apply -k $(BUILD)/deploy` on the two-node cluster
# (e2e/lib/podnet.sh; the first scenario installs, the others reuse it) and
# prints "N passed, N failed" last. They run in the order of their names
# (s99-uninstall, which removes podnet, last).
INTEGRATION_TESTS += $(sort $(wildcard e2e/test/s[0-9]-*.sh e2e/test/s[0-9][0-9]-*.sh))
check-integration: image deploy-overlay

# `make run`: the local cluster (e2e/cluster/cluster.mk), then podnet on it
# with the examples of docs/examples/ and their status (e2e/run-podnet).
RUN_SCRIPT := e2e/run-podnet
RUN_DEPS   += $(BUILD)/bin/podnetctl image deploy-overlay
