# e2e/e2e.mk: the end-to-end scenarios of podnet on the local cluster.
# Each e2e/test/sN-*.sh runs podnet (controller, agent, shim) on the cluster
# through e2e/lib/podnet.sh and prints "N passed, N failed" last.
INTEGRATION_TESTS += $(sort $(wildcard e2e/test/s[0-9]-*.sh))
