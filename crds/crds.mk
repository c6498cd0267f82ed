# crds/: podnet's CustomResourceDefinitions. Nothing to build; the
# integration test applies them to the real local cluster.
INTEGRATION_TESTS += crds/test/crds.sh
