# controller/cli: podnetctl, the offline `validate` and `plan` command.
# Its script test finds the binary through PODNETCTL, so the ASan build
# (BUILD=build/asan) tests its own podnetctl.

CLI_OBJS := $(call objs,controller/cli)

$(BUILD)/bin/podnetctl: $(CLI_OBJS) $(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

BINS += $(BUILD)/bin/podnetctl

export PODNETCTL := $(abspath $(BUILD))/bin/podnetctl
controller/cli/test/podnetctl.sh: $(BUILD)/bin/podnetctl
UNIT_TESTS += controller/cli/test/podnetctl.sh
