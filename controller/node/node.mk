# controller/node/: podnet-agent (the node agent), podnet-cni (the shim the
# container runtime runs), the provider loader, and their tests.

# The provider host (loader, handshake) is the SDK's: provider-sdk/host/.
NODE_HOST_OBJS := $(BUILD)/obj/provider-sdk/host/provider_host.o

$(BUILD)/obj/controller/node/test/%.o: CPPFLAGS += -DPN_TEST_BUILD='"$(abspath $(BUILD))"'

# Tests of agent internals link the objects they test (they bring their own
# pn_agent_log, so they do not take the whole library).
$(BUILD)/test/node_agent_plan: $(BUILD)/obj/controller/node/test/test_agent_plan.o \
		$(BUILD)/obj/controller/node/agent_plan.o $(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/test/node_proto_record: $(BUILD)/obj/controller/node/test/test_proto_record.o \
		$(BUILD)/obj/controller/node/proto.o $(BUILD)/obj/controller/node/agent_record.o
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# /metrics text (the test includes agent_http.c; no server is started).
$(BUILD)/test/node_agent_http: $(BUILD)/obj/controller/node/test/test_agent_http.o \
		$(BUILD)/obj/controller/node/agent_record.o $(NODE_HOST_OBJS) $(BUILD)/lib/libpnkube.a $(PN_VERSION_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lmicrohttpd

# The availability report (agent_avail.c) with the node asked through a stub.
$(BUILD)/test/node_avail: $(BUILD)/obj/controller/node/test/test_avail.o \
		$(BUILD)/obj/controller/node/agent_avail.o $(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

UNIT_TESTS += $(BUILD)/test/node_agent_plan $(BUILD)/test/node_proto_record $(BUILD)/test/node_agent_http
UNIT_TESTS += $(BUILD)/test/node_avail

# The agent core and the shim's framing, as a library; *_main.c are programs.
NODE_LIB  := $(BUILD)/lib/libpnnode.a
NODE_OBJS := $(filter-out %_main.o,$(call objs,controller/node)) $(NODE_HOST_OBJS)
$(NODE_LIB): $(NODE_OBJS)

$(BUILD)/bin/podnet-agent: $(BUILD)/obj/controller/node/agent_main.o $(NODE_LIB) $(BUILD)/lib/libpnkube.a $(BUILD)/lib/libpnapi.a \
		$(PN_VERSION_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lmicrohttpd

# The shim stays small: framing, jansson and the version string only.
$(BUILD)/bin/podnet-cni: $(BUILD)/obj/controller/node/shim_main.o $(BUILD)/obj/controller/node/proto.o $(PN_VERSION_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ -ljansson

BINS += $(BUILD)/bin/podnet-agent $(BUILD)/bin/podnet-cni

# The shim driven as containerd drives it, against a running agent, in real
# netns with the real plugins (root; a few seconds): a script that knows the
# build dir.
$(BUILD)/test/node_shim_netns: controller/node/test/shim-netns.sh $(BUILD)/bin/podnet-agent $(BUILD)/bin/podnet-cni \
		$(BUILD)/providers/cni.so $(BUILD)/providers/example.so $(BUILD)/test/providers/fail-half.so
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\nexec sh %s/controller/node/test/shim-netns.sh %s\n' "$(CURDIR)" "$(abspath $(BUILD))" > $@
	$(Q)chmod +x $@

UNIT_TESTS += $(BUILD)/test/node_shim_netns

# SIGKILL of the agent at every step of an ADD and a DEL (strace injects it),
# then the runtime's retry: nothing may leak (root, strace; about 10 s)
$(BUILD)/test/node_kill_steps: controller/node/test/kill-steps.sh $(BUILD)/bin/podnet-agent $(BUILD)/bin/podnet-cni \
		$(BUILD)/providers/cni.so
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\nexec sh %s/controller/node/test/kill-steps.sh %s\n' "$(CURDIR)" "$(abspath $(BUILD))" > $@
	$(Q)chmod +x $@

UNIT_TESTS += $(BUILD)/test/node_kill_steps

# libFuzzer harness for plans (outside input), replayed over its seed corpus
# as a unit test (the replay driver is provider-sdk/fuzz/replay.c).
FUZZ_CORPUS_node_plan := controller/node/fuzz/corpus/plan
$(BUILD)/test/node_fuzz-replay_plan: $(BUILD)/obj/controller/node/fuzz/plan.o \
		$(BUILD)/obj/provider-sdk/fuzz/replay_node_plan.o $(BUILD)/obj/controller/node/agent_plan.o \
		$(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
UNIT_TESTS += $(BUILD)/test/node_fuzz-replay_plan
FUZZ_CORPUS_node_avail := controller/node/fuzz/corpus/avail
$(BUILD)/test/node_fuzz-replay_avail: $(BUILD)/obj/controller/node/fuzz/avail.o \
		$(BUILD)/obj/provider-sdk/fuzz/replay_node_avail.o $(BUILD)/obj/controller/node/agent_avail.o \
		$(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
UNIT_TESTS += $(BUILD)/test/node_fuzz-replay_avail

.PHONY: node-fuzz
node-fuzz: $(BUILD)/fuzz/node_plan $(BUILD)/fuzz/node_avail
$(BUILD)/fuzz/node_plan: controller/node/fuzz/plan.c controller/node/agent_plan.c $(wildcard api/*.c)
	@mkdir -p $(@D)
	$(Q)clang $(CPPFLAGS) $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $^ \
	  $(shell $(PKG_CONFIG) --libs jansson yaml-0.1 libcrypto) -lpthread -lm
$(BUILD)/fuzz/node_avail: controller/node/fuzz/avail.c controller/node/agent_avail.c $(wildcard api/*.c)
	@mkdir -p $(@D)
	$(Q)clang $(CPPFLAGS) $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $^ \
	  $(shell $(PKG_CONFIG) --libs jansson yaml-0.1 libcrypto) -lpthread -lm

# The agent with its Pod watch on the real cluster (kubelet, containerd, the
# shim installed with deploy/agent/install-cni, RBAC of deploy/agent): run by
# make check-integration under e2e/lib/with-cluster.
$(BUILD)/test/node-it_agent-kube: controller/node/test/agent-kube.sh $(BUILD)/bin/podnet-agent $(BUILD)/bin/podnet-cni \
		$(BUILD)/providers/cni.so
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\nexec sh %s/controller/node/test/agent-kube.sh %s\n' "$(CURDIR)" "$(abspath $(BUILD))" > $@
	$(Q)chmod +x $@

INTEGRATION_TESTS += $(BUILD)/test/node-it_agent-kube

# The watch's decisions (transform, which plan door) with the doors stubbed:
# the test includes agent_kube.c itself.
$(BUILD)/test/node_agent_kube: $(BUILD)/obj/controller/node/test/test_agent_kube.o $(BUILD)/lib/libpnkube.a \
		$(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
UNIT_TESTS += $(BUILD)/test/node_agent_kube

# deploy/agent/install-cni in throw-away directories (no cluster, no root needed).
$(BUILD)/test/node_install-cni: controller/node/test/install-cni.sh deploy/agent/install-cni
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\nexec sh %s/controller/node/test/install-cni.sh\n' "$(CURDIR)" > $@
	$(Q)chmod +x $@
UNIT_TESTS += $(BUILD)/test/node_install-cni
