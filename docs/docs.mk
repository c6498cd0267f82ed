# docs/: the user documentation. Its one test checks docs/api-reference.md
# against the CRDs of crds/ (docs/test/test_api_reference.c); it finds the
# files from the source tree's top, compiled in as PN_DOCS_TOP (the
# environment variable PODNET_SRC_TOP overrides it).

$(BUILD)/obj/docs/test/test_api_reference.o: CPPFLAGS += -DPN_DOCS_TOP='"$(CURDIR)"'

$(BUILD)/test/docs_api_reference: $(BUILD)/obj/docs/test/test_api_reference.o $(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

UNIT_TESTS += $(BUILD)/test/docs_api_reference
