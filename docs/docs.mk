# docs/: the user documentation. Its first test checks docs/api-reference.md
# against the CRDs of crds/ (docs/test/test_api_reference.c); it finds the
# files from the source tree's top, compiled in as PN_DOCS_TOP (the
# environment variable PODNET_SRC_TOP overrides it).

$(BUILD)/obj/docs/test/test_api_reference.o: CPPFLAGS += -DPN_DOCS_TOP='"$(CURDIR)"'

$(BUILD)/test/docs_api_reference: $(BUILD)/obj/docs/test/test_api_reference.o $(BUILD)/lib/libpnapi.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

UNIT_TESTS += $(BUILD)/test/docs_api_reference

# docs/kep-conformance.md against the tests it cites (docs/test/test_kep_conformance.c):
# every cited unit test, scenario check and test file must exist, every row's
# behaviour be one of four, ids unique, and the counts at the top match.
$(BUILD)/obj/docs/test/test_kep_conformance.o: CPPFLAGS += -DPN_DOCS_TOP='"$(CURDIR)"'

$(BUILD)/test/docs_kep_conformance: $(BUILD)/obj/docs/test/test_kep_conformance.o
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

UNIT_TESTS += $(BUILD)/test/docs_kep_conformance

# docs/pictures/: pictures drawn from Graphviz sources (NAME.dot -> NAME.svg,
# both committed; docs/pictures/render). `make docs-pictures` redraws them;
# the unit test docs_pictures (docs/test/pictures.sh) redraws them into
# $(BUILD)/docs/pictures and fails when a committed SVG differs.
DOCS_PICTURES := $(patsubst %.dot,%.svg,$(wildcard docs/pictures/*.dot))

.PHONY: docs-pictures
docs-pictures: $(DOCS_PICTURES)

docs/pictures/%.svg: docs/pictures/%.dot docs/pictures/render
	@echo "  DOT     $@"
	$(Q)docs/pictures/render $< $@

$(BUILD)/test/docs_pictures: docs/test/pictures.sh
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\nexec sh %s/docs/test/pictures.sh %s %s\n' "$(CURDIR)" "$(CURDIR)" \
	  "$(abspath $(BUILD))/docs/pictures" > $@
	$(Q)chmod +x $@

UNIT_TESTS += $(BUILD)/test/docs_pictures
