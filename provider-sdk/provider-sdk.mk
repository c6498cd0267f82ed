# provider-sdk/: the provider ABI header, podnet's own providers (built as
# $(BUILD)/providers/NAME.so with hidden visibility), the conformance kit
# (podnet-provider-conformance), the test providers, pkg-config and install.

PSDK_VERSION := 1.3.0
PREFIX  ?= /usr/local
DESTDIR ?=

PSDK_SPAWN_OBJS := $(BUILD)/obj/provider-sdk/lib/spawn.o
PSDK_EXAMPLE_OBJS := $(call objs,provider-sdk/providers/example)
PSDK_CNI_OBJS := $(call objs,provider-sdk/providers/cni)
PSDK_CONF_OBJS := $(call objs,provider-sdk/conformance)
# The provider host: loading a .so, the handshake and ABI checks, the call
# wrappers. The agent and the kit both use it; it needs nothing outside
# provider-sdk/ (and the C library's dlopen).
PSDK_HOST_OBJS := $(BUILD)/obj/provider-sdk/host/provider_host.o
PSDK_TESTPROV := old-minor other-major fail-half no-entry leaky
PSDK_TESTPROV_SO := $(patsubst %,$(BUILD)/test/providers/%.so,$(PSDK_TESTPROV))

# A provider links everything it needs, except under ASan, whose runtime the
# host executable carries.
PSDK_SO_LDFLAGS := $(if $(filter 1,$(SAN)),,-Wl,--no-undefined)

# Provider code exports one symbol only.
$(PSDK_EXAMPLE_OBJS) $(PSDK_CNI_OBJS) $(PSDK_SPAWN_OBJS) \
$(patsubst %,$(BUILD)/obj/provider-sdk/test/providers/%.o,$(PSDK_TESTPROV)): CFLAGS += -fvisibility=hidden

$(BUILD)/providers/example.so: $(PSDK_EXAMPLE_OBJS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -shared $(PSDK_SO_LDFLAGS) -o $@ $^ -lc

$(BUILD)/providers/cni.so: $(PSDK_CNI_OBJS) $(PSDK_SPAWN_OBJS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -shared $(PSDK_SO_LDFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs libcjson)

$(BUILD)/test/providers/%.so: $(BUILD)/obj/provider-sdk/test/providers/%.o
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -shared -o $@ $^

$(BUILD)/bin/podnet-provider-conformance: $(PSDK_CONF_OBJS) $(PSDK_SPAWN_OBJS) \
		$(PSDK_HOST_OBJS) $(PN_VERSION_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ -ldl

# Conformance runs of both providers, as scripts that know the build dir.
$(BUILD)/test/psdk_conformance_%: provider-sdk/test/conformance.sh $(BUILD)/bin/podnet-provider-conformance \
		$(BUILD)/providers/%.so
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\nexec sh %s/provider-sdk/test/conformance.sh %s %s\n' "$(CURDIR)" "$(abspath $(BUILD))" "$*" > $@
	$(Q)chmod +x $@

BINS += $(BUILD)/providers/example.so $(BUILD)/bin/podnet-provider-conformance
BINS += $(PSDK_TESTPROV_SO)
BINS += $(BUILD)/providers/cni.so
UNIT_TESTS += $(BUILD)/test/psdk_conformance_example
UNIT_TESTS += $(BUILD)/test/psdk_conformance_cni

.PHONY: install install-provider-sdk
install: install-provider-sdk
install-provider-sdk: $(BUILD)/bin/podnet-provider-conformance
	install -d $(DESTDIR)$(PREFIX)/include/podnet $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 0644 provider-sdk/include/podnet/provider.h $(DESTDIR)$(PREFIX)/include/podnet/provider.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(PSDK_VERSION)|' provider-sdk/podnet-provider.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/podnet-provider.pc
	chmod 0644 $(DESTDIR)$(PREFIX)/lib/pkgconfig/podnet-provider.pc
	install -m 0755 $(BUILD)/bin/podnet-provider-conformance $(DESTDIR)$(PREFIX)/bin/podnet-provider-conformance

# Unit tests of provider-side code (cJSON only, as in the providers).
$(BUILD)/test/psdk_cni_chain: $(BUILD)/obj/provider-sdk/test/test_cni_chain.o \
		$(BUILD)/obj/provider-sdk/providers/cni/chain.o
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/test/psdk_spawn: $(BUILD)/obj/provider-sdk/test/test_spawn.o $(PSDK_SPAWN_OBJS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# can_serve of the cni provider through the real loader (ABI v1.2).
$(BUILD)/obj/provider-sdk/test/test_cni_can_serve.o: CPPFLAGS += -DPN_TEST_BUILD='"$(abspath $(BUILD))"'
$(BUILD)/test/psdk_cni_can_serve: $(BUILD)/obj/provider-sdk/test/test_cni_can_serve.o \
		$(PSDK_HOST_OBJS) | $(BUILD)/providers/cni.so
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS) -ldl

# The provider host: handshake, version checks, ownership rules.
$(BUILD)/obj/provider-sdk/test/test_provider_host.o: CPPFLAGS += -DPN_TEST_BUILD='"$(abspath $(BUILD))"'
$(BUILD)/test/psdk_provider_host: $(BUILD)/obj/provider-sdk/test/test_provider_host.o $(PSDK_HOST_OBJS) \
		| $(BUILD)/providers/example.so \
		$(patsubst %,$(BUILD)/test/providers/%.so,old-minor other-major fail-half no-entry)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

UNIT_TESTS += $(BUILD)/test/psdk_cni_chain $(BUILD)/test/psdk_spawn $(BUILD)/test/psdk_cni_can_serve
UNIT_TESTS += $(BUILD)/test/psdk_provider_host

# libFuzzer harnesses (provider-sdk/fuzz/NAME.c), each also replayed over its
# seed corpus as a unit test; `make psdk-fuzz` builds the real fuzzers (clang).
PSDK_FUZZ := $(patsubst provider-sdk/fuzz/%.c,%,$(filter-out provider-sdk/fuzz/replay.c,$(wildcard provider-sdk/fuzz/*.c)))
$(BUILD)/obj/provider-sdk/fuzz/replay_%.o: provider-sdk/fuzz/replay.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -DPN_FUZZ_CORPUS='"$(CURDIR)/$(FUZZ_CORPUS_$*)"' -c -o $@ $<
FUZZ_CORPUS_cni_result := provider-sdk/fuzz/corpus/cni_result
$(BUILD)/test/psdk_fuzz-replay_cni_result: $(BUILD)/obj/provider-sdk/fuzz/cni_result.o \
		$(BUILD)/obj/provider-sdk/fuzz/replay_cni_result.o $(BUILD)/obj/provider-sdk/providers/cni/chain.o
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
UNIT_TESTS += $(patsubst %,$(BUILD)/test/psdk_fuzz-replay_%,$(PSDK_FUZZ))
FUZZERS    += $(PSDK_FUZZ)

.PHONY: psdk-fuzz
psdk-fuzz: $(BUILD)/fuzz/psdk_cni_result
$(BUILD)/fuzz/psdk_cni_result: provider-sdk/fuzz/cni_result.c provider-sdk/providers/cni/chain.c
	@mkdir -p $(@D)
	$(Q)clang $(CPPFLAGS) $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $^ -lcjson

# The vendor's path: install the header, build the example against it alone.
$(BUILD)/test/psdk_sdk_install: provider-sdk/test/sdk-install.sh $(BUILD)/bin/podnet-provider-conformance
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\nexec sh %s/provider-sdk/test/sdk-install.sh %s\n' "$(CURDIR)" "$(abspath $(BUILD))" > $@
	$(Q)chmod +x $@
UNIT_TESTS += $(BUILD)/test/psdk_sdk_install

# The kit itself must fail a provider that leaks.
$(BUILD)/test/psdk_conformance_catches: provider-sdk/test/conformance-catches.sh \
		$(BUILD)/bin/podnet-provider-conformance $(BUILD)/test/providers/leaky.so $(BUILD)/test/providers/fail-half.so
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\nexec sh %s/provider-sdk/test/conformance-catches.sh %s\n' "$(CURDIR)" "$(abspath $(BUILD))" > $@
	$(Q)chmod +x $@
UNIT_TESTS += $(BUILD)/test/psdk_conformance_catches

# The vendor's path as docs/provider-guide.md writes it, outside the tree:
# install into a scratch PREFIX, build the guide's snippet and the template
# with the guide's own commands, run the installed kit (root).
$(BUILD)/test/psdk_out-of-tree: provider-sdk/test/out-of-tree.sh docs/provider-guide.md \
		$(BUILD)/bin/podnet-provider-conformance provider-sdk/providers/example/example.c
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\nexec sh %s/provider-sdk/test/out-of-tree.sh %s\n' "$(CURDIR)" "$(abspath $(BUILD))" > $@
	$(Q)chmod +x $@
UNIT_TESTS += $(BUILD)/test/psdk_out-of-tree
