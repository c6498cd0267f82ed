# controller/cluster/: podnet-controller (the cluster controller).
#   controller/cluster/*.c               the program ($(BUILD)/bin/podnet-controller)
#   controller/cluster/test/test_NAME.c  cmocka unit tests -> $(BUILD)/test/cluster_NAME,
#                                        linked with the controller's pure modules
#   controller/cluster/test/*.sh         integration tests on the real cluster
#   e2e/bench/plan*.sh                   controller benchmarks (programs that print figures)

CLUSTER_BIN     := $(BUILD)/bin/podnet-controller
CLUSTER_OBJS    := $(call objs,controller/cluster)
# pure modules a unit test may link (no loop, no network)
CLUSTER_PURE    := $(BUILD)/obj/controller/cluster/addrs.o $(BUILD)/obj/controller/cluster/strmap.o \
                   $(BUILD)/obj/controller/cluster/nodecount.o
CLUSTER_TESTS   := $(patsubst controller/cluster/test/test_%.c,$(BUILD)/test/cluster_%,$(wildcard controller/cluster/test/test_*.c))
CLUSTER_ITS     := $(sort $(wildcard controller/cluster/test/it-*.sh))

$(CLUSTER_BIN): $(CLUSTER_OBJS) $(BUILD)/lib/libpnkube.a $(BUILD)/lib/libpnapi.a $(PN_VERSION_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lmicrohttpd

$(BUILD)/test/cluster_%: $(BUILD)/obj/controller/cluster/test/test_%.o $(CLUSTER_PURE) $(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The /metrics text needs metrics.c and what it reads (the queue, informers).
$(BUILD)/test/cluster_metrics: $(BUILD)/obj/controller/cluster/test/test_metrics.o \
		$(BUILD)/obj/controller/cluster/metrics.o $(CLUSTER_PURE) $(BUILD)/lib/libpnkube.a \
		$(BUILD)/lib/libpnapi.a $(PN_VERSION_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lmicrohttpd

BINS              += $(CLUSTER_BIN)
UNIT_TESTS        += $(CLUSTER_TESTS)
INTEGRATION_TESTS += $(CLUSTER_ITS)

# Benchmark helpers (programs under e2e/bench/plan*.c; the driver is e2e/bench/plan.sh).
PLAN_BENCH := $(patsubst e2e/bench/%.c,$(BUILD)/bench/%,$(wildcard e2e/bench/plan*.c))
$(PLAN_BENCH): $(BUILD)/bench/%: $(BUILD)/obj/e2e/bench/%.o $(BUILD)/lib/libpnkube.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
BINS += $(PLAN_BENCH)
