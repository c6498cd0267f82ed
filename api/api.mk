# api/: the object model, pure C, no I/O. Every api/*.c goes into libpnapi.a;
# every api/test/test_NAME.c is a cmocka program $(BUILD)/test/api_NAME.
# api/fuzz/NAME.c are libFuzzer harnesses (LLVMFuzzerTestOneInput); each is
# also linked with a replay driver and run over api/fuzz/corpus/NAME/ as an
# ordinary unit test.

API_LIB   := $(BUILD)/lib/libpnapi.a
API_OBJS  := $(call objs,api)
API_TESTS := $(patsubst api/test/test_%.c,$(BUILD)/test/api_%,$(wildcard api/test/test_*.c))
API_TEST_HELPERS := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out api/test/test_%.c,$(wildcard api/test/*.c)))
API_FUZZ  := $(patsubst api/fuzz/%.c,%,$(filter-out api/fuzz/replay.c,$(wildcard api/fuzz/*.c)))

$(API_LIB): $(API_OBJS)

$(BUILD)/test/api_%: $(BUILD)/obj/api/test/test_%.o $(API_TEST_HELPERS) $(API_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Seed-corpus replay: the harness + a main() that feeds it every file.
$(BUILD)/test/fuzz-replay_%: $(BUILD)/obj/api/fuzz/%.o $(BUILD)/obj/api/fuzz/replay.o $(API_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

UNIT_TESTS += $(API_TESTS) $(patsubst %,$(BUILD)/test/fuzz-replay_%,$(API_FUZZ))
FUZZERS    += $(API_FUZZ)
