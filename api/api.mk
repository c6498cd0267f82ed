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

# libFuzzer builds (clang): `make fuzz` builds $(BUILD)/fuzz/NAME for each
# api/fuzz/NAME.c, with the whole library compiled in with coverage;
# `make fuzz-run FUZZ_SECONDS=60` runs each one from its seed corpus; new
# finds land in $(BUILD)/fuzz/corpus-NAME (never in git), crashes in
# $(BUILD)/fuzz/NAME-crash-*, and a crash fails the target.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS  := $(CSTD) $(WARN) -O1 -g -fno-omit-frame-pointer \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
API_SRCS     := $(wildcard api/*.c)

$(BUILD)/fuzz/%: api/fuzz/%.c $(API_SRCS) $(wildcard api/*.h api/include/pn/*.h)
	@mkdir -p $(@D)
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -o $@ $< $(API_SRCS) $(LDLIBS)

.PHONY: fuzz fuzz-run
fuzz: $(patsubst %,$(BUILD)/fuzz/%,$(API_FUZZ))

fuzz-run: fuzz
	@for f in $(API_FUZZ); do \
	  mkdir -p $(BUILD)/fuzz/corpus-$$f; \
	  echo "== $$f ($(FUZZ_SECONDS)s, log $(BUILD)/fuzz/$$f.log)"; \
	  $(BUILD)/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
	    -artifact_prefix=$(BUILD)/fuzz/$$f- $(BUILD)/fuzz/corpus-$$f api/fuzz/corpus/$$f \
	    >$(BUILD)/fuzz/$$f.log 2>&1; rc=$$?; \
	  grep -E '^Done|ERROR|SUMMARY' $(BUILD)/fuzz/$$f.log; \
	  [ $$rc = 0 ] || exit 1; \
	done

# plan-sign: signs plans with a key file, for tests that write plans by hand.
$(BUILD)/test/plan-sign: $(BUILD)/obj/api/tools/plan-sign.o $(API_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

TEST_TOOLS += $(BUILD)/test/plan-sign

# test_limits reads crds/*.yaml from the source tree's top (PODNET_SRC_TOP overrides).
$(BUILD)/obj/api/test/test_limits.o: CPPFLAGS += -DPN_SRC_TOP='"$(CURDIR)"'
