# controller/cli: podnetctl, the offline `validate` and `plan` command.
# Its script test finds the binary through PODNETCTL, so the ASan build
# (BUILD=build/asan) tests its own podnetctl.

CLI_OBJS := $(call objs,controller/cli)

$(BUILD)/bin/podnetctl: $(CLI_OBJS) $(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

BINS += $(BUILD)/bin/podnetctl

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

# cmocka tests of the pieces: controller/cli/test/test_NAME.c -> $(BUILD)/test/cli_NAME
CLI_LIB_OBJS := $(filter-out $(BUILD)/obj/controller/cli/podnetctl.o,$(CLI_OBJS))
CLI_TESTS    := $(patsubst controller/cli/test/test_%.c,$(BUILD)/test/cli_%,$(wildcard controller/cli/test/test_*.c))

$(CLI_TESTS): $(BUILD)/test/cli_%: $(BUILD)/obj/controller/cli/test/test_%.o $(CLI_LIB_OBJS) $(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

UNIT_TESTS += $(CLI_TESTS)
