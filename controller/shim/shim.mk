# controller/shim/: podnet-cni, the CNI plugin the container runtime runs, and
# the frames of the shim socket (proto.c, shared with the agent).

SHIM_OBJS := $(BUILD)/obj/controller/shim/proto.o

# The shim stays small: framing, jansson and the version string only.
$(BUILD)/bin/podnet-cni: $(BUILD)/obj/controller/shim/shim_main.o $(SHIM_OBJS) $(PN_VERSION_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ -ljansson

BINS += $(BUILD)/bin/podnet-cni
