# controller/cli: podnetctl, the offline `validate` and `plan` commands and
# `status` on a live cluster (statuscmd.c, through libpnkube.a); also the
# kubectl plugin kubectl-podnet (a link to the same program).
# Its script test finds the binary through PODNETCTL, so the ASan build
# (BUILD=build/asan) tests its own podnetctl.

CLI_OBJS := $(call objs,controller/cli)

$(BUILD)/bin/podnetctl: $(CLI_OBJS) $(BUILD)/lib/libpnkube.a $(BUILD)/lib/libpnapi.a $(PN_VERSION_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# kubectl finds plugins as kubectl-NAME on PATH: `kubectl podnet status`.
$(BUILD)/bin/kubectl-podnet: $(BUILD)/bin/podnetctl
	@echo "  LN      $@"
	$(Q)ln -sf podnetctl $@

BINS += $(BUILD)/bin/podnetctl $(BUILD)/bin/kubectl-podnet

# make install (PREFIX, DESTDIR as for the provider SDK): podnetctl and the
# kubectl-podnet link beside it.
PREFIX ?= /usr/local
.PHONY: install install-podnetctl
install: install-podnetctl
install-podnetctl: $(BUILD)/bin/podnetctl
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BUILD)/bin/podnetctl $(DESTDIR)$(PREFIX)/bin/podnetctl
	ln -sf podnetctl $(DESTDIR)$(PREFIX)/bin/kubectl-podnet

# `status` on the real cluster (no controller or agent needed).
INTEGRATION_TESTS += controller/cli/test/status-it.sh
# `status` through a kubeconfig whose user is an exec credential plugin.
INTEGRATION_TESTS += controller/cli/test/exec-credential-it.sh

# yaml2json: YAML on stdin as JSON, for status-it.sh to compare -o yaml
# with -o json.
$(BUILD)/test/yaml2json: $(BUILD)/obj/controller/cli/test/yaml2json.o $(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

TEST_TOOLS += $(BUILD)/test/yaml2json

# The script test controller/cli/test/podnetctl.sh, started by a small
# compiled front (see run_podnetctl.c: under check-valgrind it runs each
# podnetctl under valgrind instead of valgrinding the shell).
export PODNETCTL := $(abspath $(BUILD))/bin/podnetctl

$(BUILD)/test/cli_podnetctl: $(BUILD)/obj/controller/cli/test/run_podnetctl.o \
		controller/cli/test/podnetctl.sh $(BUILD)/bin/podnetctl
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $<

UNIT_TESTS += $(BUILD)/test/cli_podnetctl

# `podnetctl convert` on the Multus fixtures of controller/cli/test/convert
# (controller/cli/test/convert.sh, the same kind of front).
$(BUILD)/test/cli_convert: $(BUILD)/obj/controller/cli/test/run_convert.o \
		controller/cli/test/convert.sh $(BUILD)/bin/podnetctl
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $<

UNIT_TESTS += $(BUILD)/test/cli_convert

# cmocka tests of the pieces: controller/cli/test/test_NAME.c -> $(BUILD)/test/cli_NAME
CLI_LIB_OBJS := $(filter-out $(BUILD)/obj/controller/cli/podnetctl.o $(BUILD)/obj/controller/cli/statuscmd.o,$(CLI_OBJS))
CLI_TESTS    := $(patsubst controller/cli/test/test_%.c,$(BUILD)/test/cli_%,$(wildcard controller/cli/test/test_*.c))

$(CLI_TESTS): $(BUILD)/test/cli_%: $(BUILD)/obj/controller/cli/test/test_%.o $(CLI_LIB_OBJS) $(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

UNIT_TESTS += $(CLI_TESTS)

# controller/cli/fuzz/NAME.c: libFuzzer harnesses over the files podnetctl
# reads (convert: NADs' spec.config and Multus annotations); each is also
# linked with controller/kube/fuzz/replay.c and run over
# controller/cli/fuzz/corpus/NAME/ as a unit test.
CLI_FUZZ := $(patsubst controller/cli/fuzz/%.c,%,$(wildcard controller/cli/fuzz/*.c))

$(BUILD)/obj/controller/cli/fuzz/replay.o: controller/kube/fuzz/replay.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) -DKUBE_FUZZ_CORPUS_DIR='"controller/cli/fuzz/corpus"' $(CFLAGS) -c -o $@ $<
$(BUILD)/test/cli_fuzz-replay_%: $(BUILD)/obj/controller/cli/fuzz/%.o \
		$(BUILD)/obj/controller/cli/fuzz/replay.o $(CLI_LIB_OBJS) $(BUILD)/lib/libpnkube.a \
		$(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The real fuzzers (clang only): make cli-fuzz; run e.g.
#   build/fuzz/cli_convert controller/cli/fuzz/corpus/convert -max_total_time=60
.PHONY: cli-fuzz
cli-fuzz: $(patsubst %,$(BUILD)/fuzz/cli_%,$(CLI_FUZZ))
$(BUILD)/fuzz/cli_%: controller/cli/fuzz/%.c $(patsubst $(BUILD)/obj/%.o,%.c,$(CLI_LIB_OBJS))
	@mkdir -p $(@D)
	@echo "  FUZZ    $@"
	$(Q)clang $(CPPFLAGS) $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $^ \
	  $(wildcard api/*.c) $(LDLIBS)

UNIT_TESTS += $(patsubst %,$(BUILD)/test/cli_fuzz-replay_%,$(CLI_FUZZ))
