# controller/webhook/: podnet-webhook, the validating admission webhook.
#   controller/webhook/*.c               the program ($(BUILD)/bin/podnet-webhook)
#   controller/webhook/test/test_NAME.c  cmocka unit tests -> $(BUILD)/test/webhook_NAME,
#                                        linked with the pure modules (cert, review, checks,
#                                        filter)
#   controller/webhook/fuzz/NAME.c       libFuzzer harnesses; each is also linked with
#                                        controller/kube/fuzz/replay.c and run over
#                                        controller/webhook/fuzz/corpus/NAME/ as a unit test
# TLS: libmicrohttpd (its GnuTLS support) serves; OpenSSL libcrypto makes
# the certificates.

WEBHOOK_BIN   := $(BUILD)/bin/podnet-webhook
WEBHOOK_OBJS  := $(call objs,controller/webhook)
WEBHOOK_PURE  := $(BUILD)/obj/controller/webhook/cert.o $(BUILD)/obj/controller/webhook/review.o \
                 $(BUILD)/obj/controller/webhook/checks.o $(BUILD)/obj/controller/webhook/filter.o
WEBHOOK_TESTS := $(patsubst controller/webhook/test/test_%.c,$(BUILD)/test/webhook_%,$(wildcard controller/webhook/test/test_*.c))
WEBHOOK_FUZZ  := $(patsubst controller/webhook/fuzz/%.c,%,$(wildcard controller/webhook/fuzz/*.c))

$(WEBHOOK_BIN): $(WEBHOOK_OBJS) $(BUILD)/lib/libpnkube.a $(BUILD)/lib/libpnapi.a $(PN_VERSION_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lmicrohttpd -lcrypto

$(BUILD)/test/webhook_%: $(BUILD)/obj/controller/webhook/test/test_%.o $(WEBHOOK_PURE) $(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcrypto

# The server test runs the real HTTPS server on a loopback port.
$(BUILD)/test/webhook_server: $(BUILD)/obj/controller/webhook/test/test_server.o \
		$(BUILD)/obj/controller/webhook/server.o $(WEBHOOK_PURE) $(BUILD)/lib/libpnkube.a $(PN_VERSION_LIB) \
		$(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lmicrohttpd -lcrypto

# Seed-corpus replay, as ordinary unit tests (the corpus folder compiled in).
$(BUILD)/obj/controller/webhook/fuzz/replay.o: controller/kube/fuzz/replay.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) -DKUBE_FUZZ_CORPUS_DIR='"controller/webhook/fuzz/corpus"' $(CFLAGS) -c -o $@ $<
$(BUILD)/test/webhook_fuzz-replay_%: $(BUILD)/obj/controller/webhook/fuzz/%.o \
		$(BUILD)/obj/controller/webhook/fuzz/replay.o $(WEBHOOK_PURE) $(BUILD)/lib/libpnkube.a \
		$(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcrypto

# The real fuzzers (clang only): make webhook-fuzz; run e.g.
#   build/fuzz/webhook_review controller/webhook/fuzz/corpus/review -max_total_time=60
.PHONY: webhook-fuzz
webhook-fuzz: $(patsubst %,$(BUILD)/fuzz/webhook_%,$(WEBHOOK_FUZZ))
$(BUILD)/fuzz/webhook_%: controller/webhook/fuzz/%.c controller/webhook/review.c \
		controller/webhook/checks.c controller/webhook/filter.c $(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  FUZZ    $@"
	$(Q)clang $(CPPFLAGS) $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $< \
	  controller/webhook/review.c controller/webhook/checks.c controller/webhook/filter.c \
	  $(wildcard api/*.c) $(LDLIBS)

BINS       += $(WEBHOOK_BIN)
UNIT_TESTS += $(WEBHOOK_TESTS) $(patsubst %,$(BUILD)/test/webhook_fuzz-replay_%,$(WEBHOOK_FUZZ))
