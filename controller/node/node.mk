# controller/node/: podnet-agent (the node agent), podnet-cni (the shim the
# container runtime runs), the provider loader, and their tests.

NODE_HOST_OBJS := $(BUILD)/obj/controller/node/provider_host.o

NODE_UNIT := provider_host
NODE_UNIT_BINS := $(patsubst %,$(BUILD)/test/node_%,$(NODE_UNIT))

$(BUILD)/obj/controller/node/test/%.o: CPPFLAGS += -DPN_TEST_BUILD='"$(abspath $(BUILD))"'

$(BUILD)/test/node_provider_host: $(BUILD)/obj/controller/node/test/test_provider_host.o $(NODE_HOST_OBJS) \
		| $(BUILD)/providers/example.so \
		$(patsubst %,$(BUILD)/test/providers/%.so,old-minor other-major fail-half no-entry)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

UNIT_TESTS += $(NODE_UNIT_BINS)
