# controller/kube/: the Kubernetes client library, libpnkube.a.
#   controller/kube/*.c                 the library
#   controller/kube/test/test_NAME.c    cmocka unit tests -> $(BUILD)/test/kube_NAME
#   controller/kube/test/it_NAME.c      programs run against the real cluster
#   controller/kube/test/*.c (others)   helpers linked into every test (the
#                                       scripted fault-injecting HTTP server)
#   controller/kube/fuzz/NAME.c         libFuzzer harnesses; each is also linked
#                                       with fuzz/replay.c and run over
#                                       fuzz/corpus/NAME/ as a unit test
#   e2e/bench/listwatch.c               LIST+WATCH benchmark (a program)

KUBE_LIB   := $(BUILD)/lib/libpnkube.a
KUBE_OBJS  := $(call objs,controller/kube)
KUBE_TEST_HELPERS := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out controller/kube/test/test_%.c controller/kube/test/it_%.c,$(wildcard controller/kube/test/*.c)))
KUBE_TESTS := $(patsubst controller/kube/test/test_%.c,$(BUILD)/test/kube_%,$(wildcard controller/kube/test/test_*.c))
KUBE_ITS   := $(patsubst controller/kube/test/it_%.c,$(BUILD)/test/kube-it_%,$(wildcard controller/kube/test/it_*.c))
KUBE_FUZZ  := $(patsubst controller/kube/fuzz/%.c,%,$(filter-out controller/kube/fuzz/replay.c,$(wildcard controller/kube/fuzz/*.c)))
KUBE_BENCH := $(patsubst e2e/bench/%.c,$(BUILD)/bench/%,$(wildcard e2e/bench/listwatch*.c))

# Exec credential plugins run through the project's one careful child
# runner (provider-sdk/lib/spawn.c: vfork+execve, deadline, capped output).
KUBE_SPAWN_OBJ := $(BUILD)/obj/provider-sdk/lib/spawn.o
$(KUBE_OBJS): CPPFLAGS += -Iprovider-sdk/lib

$(KUBE_LIB): $(KUBE_OBJS) $(KUBE_SPAWN_OBJ)

$(BUILD)/test/kube_%: $(BUILD)/obj/controller/kube/test/test_%.o $(KUBE_TEST_HELPERS) $(KUBE_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/test/kube-it_%: $(BUILD)/obj/controller/kube/test/it_%.o $(KUBE_TEST_HELPERS) $(KUBE_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Seed-corpus replay of each harness, as an ordinary unit test. The corpus
# folder is compiled in (tests run from the top of the tree).
$(BUILD)/obj/controller/kube/fuzz/replay.o: CPPFLAGS += -DKUBE_FUZZ_CORPUS_DIR='"controller/kube/fuzz/corpus"'
$(BUILD)/test/kube_fuzz-replay_%: $(BUILD)/obj/controller/kube/fuzz/%.o $(BUILD)/obj/controller/kube/fuzz/replay.o $(KUBE_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The real fuzzers (clang only): make kube-fuzz; run e.g.
#   build/fuzz/kube_watch_event controller/kube/fuzz/corpus/watch_event -max_total_time=60
#   build/fuzz/kube_kubeconfig controller/kube/fuzz/corpus/kubeconfig -max_total_time=60
.PHONY: kube-fuzz
kube-fuzz: $(patsubst %,$(BUILD)/fuzz/kube_%,$(KUBE_FUZZ))
$(BUILD)/fuzz/kube_%: controller/kube/fuzz/%.c $(wildcard controller/kube/*.c controller/kube/*.h)
	@mkdir -p $(@D)
	@echo "  FUZZ    $@"
	$(Q)clang $(CPPFLAGS) -Iprovider-sdk/lib $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $< \
	  $(wildcard controller/kube/*.c) provider-sdk/lib/spawn.c $(LDLIBS)

$(KUBE_BENCH): $(BUILD)/bench/%: $(BUILD)/obj/e2e/bench/%.o $(KUBE_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

BINS              += $(KUBE_LIB) $(KUBE_BENCH) $(KUBE_ITS)
UNIT_TESTS        += $(KUBE_TESTS) $(patsubst %,$(BUILD)/test/kube_fuzz-replay_%,$(KUBE_FUZZ))
INTEGRATION_TESTS += $(KUBE_ITS)

# The daemons' /metrics text, as their unit tests render it, parsed by the
# Prometheus client's text parser (python3-prometheus-client): a script
# that knows the build dir.
$(BUILD)/test/kube_metrics_parse: controller/kube/test/metrics-parse.sh e2e/lib/prom-check \
		$(BUILD)/test/cluster_metrics $(BUILD)/test/agent_http $(BUILD)/test/webhook_server
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\nexec sh %s/controller/kube/test/metrics-parse.sh %s\n' "$(CURDIR)" "$(abspath $(BUILD))" > $@
	$(Q)chmod +x $@

UNIT_TESTS += $(BUILD)/test/kube_metrics_parse
