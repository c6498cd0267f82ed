# controller/agent/: podnet-agent (the node agent) and its tests. The shim the
# container runtime runs is controller/shim/ (its frames, proto.c, are linked
# here too); the provider loader is the SDK's (provider-sdk/host/).

# The provider host (loader, handshake) is the SDK's: provider-sdk/host/.
AGENT_HOST_OBJS := $(BUILD)/obj/provider-sdk/host/provider_host.o

$(BUILD)/obj/controller/agent/test/%.o: CPPFLAGS += -DPN_TEST_BUILD='"$(abspath $(BUILD))"'

# Tests of agent internals link the objects they test (they bring their own
# pn_agent_log, so they do not take the whole library).
$(BUILD)/test/agent_plan: $(BUILD)/obj/controller/agent/test/test_agent_plan.o \
		$(BUILD)/obj/controller/agent/agent_plan.o $(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/test/agent_proto_record: $(BUILD)/obj/controller/agent/test/test_proto_record.o \
		$(BUILD)/obj/controller/shim/proto.o $(BUILD)/obj/controller/agent/agent_record.o
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# /metrics text (the test includes agent_http.c; no server is started).
$(BUILD)/test/agent_http: $(BUILD)/obj/controller/agent/test/test_agent_http.o \
		$(BUILD)/obj/controller/agent/agent_record.o $(AGENT_HOST_OBJS) $(BUILD)/lib/libpnkube.a $(PN_VERSION_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lmicrohttpd

# The availability report (agent_avail.c) with the node asked through a stub.
$(BUILD)/test/agent_avail: $(BUILD)/obj/controller/agent/test/test_avail.o \
		$(BUILD)/obj/controller/agent/agent_avail.o $(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

UNIT_TESTS += $(BUILD)/test/agent_plan $(BUILD)/test/agent_proto_record $(BUILD)/test/agent_http
UNIT_TESTS += $(BUILD)/test/agent_avail

# The agent core and the shim's framing, as a library; *_main.c are programs.
AGENT_LIB  := $(BUILD)/lib/libpnagent.a
AGENT_OBJS := $(filter-out %_main.o,$(call objs,controller/agent)) $(AGENT_HOST_OBJS) $(BUILD)/obj/controller/shim/proto.o
$(AGENT_LIB): $(AGENT_OBJS)

$(BUILD)/bin/podnet-agent: $(BUILD)/obj/controller/agent/agent_main.o $(AGENT_LIB) $(BUILD)/lib/libpnkube.a $(BUILD)/lib/libpnapi.a \
		$(PN_VERSION_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lmicrohttpd

BINS += $(BUILD)/bin/podnet-agent

# The shim driven as containerd drives it, against a running agent, in real
# netns with the real plugins (root; a few seconds): a script that knows the
# build dir.
$(BUILD)/test/agent_shim_netns: controller/agent/test/shim-netns.sh $(BUILD)/bin/podnet-agent $(BUILD)/bin/podnet-cni \
		$(BUILD)/providers/cni.so $(BUILD)/providers/example.so $(BUILD)/test/providers/fail-half.so
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\nexec sh %s/controller/agent/test/shim-netns.sh %s\n' "$(CURDIR)" "$(abspath $(BUILD))" > $@
	$(Q)chmod +x $@

UNIT_TESTS += $(BUILD)/test/agent_shim_netns

# SIGKILL of the agent at every step of an ADD and a DEL (strace injects it),
# then the runtime's retry: nothing may leak (root, strace; about 10 s)
$(BUILD)/test/agent_kill_steps: controller/agent/test/kill-steps.sh $(BUILD)/bin/podnet-agent $(BUILD)/bin/podnet-cni \
		$(BUILD)/providers/cni.so
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\nexec sh %s/controller/agent/test/kill-steps.sh %s\n' "$(CURDIR)" "$(abspath $(BUILD))" > $@
	$(Q)chmod +x $@

UNIT_TESTS += $(BUILD)/test/agent_kill_steps

# libFuzzer harness for plans (outside input), replayed over its seed corpus
# as a unit test (the replay driver is provider-sdk/fuzz/replay.c).
FUZZ_CORPUS_agent_plan := controller/agent/fuzz/corpus/plan
$(BUILD)/test/agent_fuzz-replay_plan: $(BUILD)/obj/controller/agent/fuzz/plan.o \
		$(BUILD)/obj/provider-sdk/fuzz/replay_agent_plan.o $(BUILD)/obj/controller/agent/agent_plan.o \
		$(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
UNIT_TESTS += $(BUILD)/test/agent_fuzz-replay_plan
FUZZ_CORPUS_agent_avail := controller/agent/fuzz/corpus/avail
$(BUILD)/test/agent_fuzz-replay_avail: $(BUILD)/obj/controller/agent/fuzz/avail.o \
		$(BUILD)/obj/provider-sdk/fuzz/replay_agent_avail.o $(BUILD)/obj/controller/agent/agent_avail.o \
		$(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
UNIT_TESTS += $(BUILD)/test/agent_fuzz-replay_avail

.PHONY: agent-fuzz
agent-fuzz: $(BUILD)/fuzz/agent_plan $(BUILD)/fuzz/agent_avail
$(BUILD)/fuzz/agent_plan: controller/agent/fuzz/plan.c controller/agent/agent_plan.c $(wildcard api/*.c)
	@mkdir -p $(@D)
	$(Q)clang $(CPPFLAGS) $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $^ \
	  $(shell $(PKG_CONFIG) --libs jansson yaml-0.1 libcrypto) -lpthread -lm
$(BUILD)/fuzz/agent_avail: controller/agent/fuzz/avail.c controller/agent/agent_avail.c $(wildcard api/*.c)
	@mkdir -p $(@D)
	$(Q)clang $(CPPFLAGS) $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $^ \
	  $(shell $(PKG_CONFIG) --libs jansson yaml-0.1 libcrypto) -lpthread -lm

# The agent with its Pod watch on the real cluster (kubelet, containerd, the
# shim installed with deploy/agent/install-cni, RBAC of deploy/agent): run by
# make check-integration under e2e/lib/with-cluster.
$(BUILD)/test/agent-it_agent-kube: controller/agent/test/agent-kube.sh $(BUILD)/bin/podnet-agent $(BUILD)/bin/podnet-cni \
		$(BUILD)/providers/cni.so
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\nexec sh %s/controller/agent/test/agent-kube.sh %s\n' "$(CURDIR)" "$(abspath $(BUILD))" > $@
	$(Q)chmod +x $@

INTEGRATION_TESTS += $(BUILD)/test/agent-it_agent-kube

# The watch's decisions (transform, which plan door) with the doors stubbed:
# the test includes agent_kube.c itself.
$(BUILD)/test/agent_kube: $(BUILD)/obj/controller/agent/test/test_agent_kube.o $(BUILD)/lib/libpnkube.a \
		$(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
UNIT_TESTS += $(BUILD)/test/agent_kube

# deploy/agent/install-cni in throw-away directories (no cluster, no root needed).
$(BUILD)/test/agent_install-cni: controller/agent/test/install-cni.sh deploy/agent/install-cni
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\nexec sh %s/controller/agent/test/install-cni.sh\n' "$(CURDIR)" > $@
	$(Q)chmod +x $@
UNIT_TESTS += $(BUILD)/test/agent_install-cni
