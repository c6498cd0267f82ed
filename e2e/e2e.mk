# e2e/e2e.mk: the end-to-end scenarios of podnet on the local cluster.
# Each e2e/test/sN-*.sh runs podnet (controller, agent, shim) on the cluster
# through e2e/lib/podnet.sh and prints "N passed, N failed" last.
INTEGRATION_TESTS += $(sort $(wildcard e2e/test/s[0-9]-*.sh e2e/test/s[0-9][0-9]-*.sh))

# `make run`: the local cluster (e2e/cluster/cluster.mk), then podnet on it
# with the examples of docs/examples/ and their status (e2e/run-podnet).
RUN_SCRIPT := e2e/run-podnet
RUN_DEPS   += $(BUILD)/bin/podnet-controller $(BUILD)/bin/podnet-agent $(BUILD)/bin/podnet-cni \
              $(BUILD)/bin/podnetctl $(BUILD)/providers/cni.so
