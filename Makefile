# podnet — top-level build.
#
#   make deps          install build and test dependencies (Debian, apt-get)
#   make               build everything into build/
#   make check-unit    the quick tests (unit tests, fuzz seed corpora)
#   make check         (installs deps first) every test: unit, ASan+UBSan, clang build, valgrind,
#                      and the integration/e2e tests on a real local cluster
#   make run           a local cluster running podnet with the example networks
#   make cluster-up / cluster-down
#
# Each subsystem keeps its rules in a fragment beside its code (api/api.mk,
# controller/*/*.mk, ...); this file only holds the shared machinery. A
# fragment appends to these lists:
#   BINS               programs installed into $(BUILD)/bin
#   UNIT_TESTS         test programs run by check-unit (and under ASan, valgrind)
#   INTEGRATION_TESTS  programs/scripts that need the local cluster
#   FUZZERS            libFuzzer harness names (source fuzz/NAME.c style)
#   TEST_TOOLS         helper programs the tests run (built, never installed)

BUILD    ?= build
CC       ?= cc
SAN      ?=
V        ?=

PKG_CONFIG ?= pkg-config
PKGS       := jansson yaml-0.1 libcurl libcjson cmocka libcrypto

CSTD     := -std=gnu11
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-unused-parameter -Wformat=2 -Wvla
OPT      ?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE -Iapi/include -Icontroller -Iprovider-sdk -Iprovider-sdk/include \
            $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
CFLAGS   += $(CSTD) $(WARN) $(OPT) -fPIC -fno-strict-aliasing -MMD -MP
LDLIBS   += $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lev -lpthread -lm -ldl

ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

ifeq ($(V),)
Q := @
else
Q :=
endif

BINS              :=
UNIT_TESTS        :=
INTEGRATION_TESTS :=
FUZZERS           :=
TEST_TOOLS        :=

.PHONY: all
all: build-all

# Objects: $(BUILD)/obj/<path>.o from <path>.c, dependencies tracked.
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Static libraries: a fragment sets the objects as prerequisites.
$(BUILD)/lib/%.a:
	@mkdir -p $(@D)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# objs DIR...: every .c in the given folders, as objects.
objs = $(patsubst %.c,$(BUILD)/obj/%.o,$(foreach d,$(1),$(wildcard $(d)/*.c)))

# ---- version ---------------------------------------------------------------
# PODNET_VERSION is `git describe --tags --always --dirty` of the tree
# (0.0.0-unknown without git or outside a clone); characters other than
# letters, digits, "._-" become "_", so it is a valid image tag and a metric
# label as it is. A release build may set it (`make PODNET_VERSION=v1.2.0`,
# same characters). It is exported, so sub-makes (check-asan, check-clang)
# build the same string. GIT_OPTIONAL_LOCKS=0: describe must not take the
# index lock from someone committing meanwhile.
ifeq ($(origin PODNET_VERSION),undefined)
PODNET_VERSION := $(shell v=$$(GIT_OPTIONAL_LOCKS=0 git describe --tags --always --dirty 2>/dev/null) || v=; \
                    printf '%s' "$${v:-0.0.0-unknown}" | tr -c 'A-Za-z0-9._-' '_')
endif
export PODNET_VERSION
ifeq ($(origin PODNET_COMMIT),undefined)
PODNET_COMMIT := $(shell v=$$(GIT_OPTIONAL_LOCKS=0 git rev-parse --short=12 HEAD 2>/dev/null) || v=; \
                   printf '%s' "$${v:-unknown}" | tr -c 'A-Za-z0-9._-' '_')
endif
export PODNET_COMMIT

# Programs get it from pn_version() (api/include/pn/version.h), defined in
# the generated $(BUILD)/gen/version.c. That file is rewritten only when the
# string changes (make sees its mtime unchanged otherwise), so a new commit
# recompiles one file and relinks the programs, nothing else. A program's
# link rule lists $(PN_VERSION_LIB) among its inputs.
PN_VERSION_LIB := $(BUILD)/lib/libpnversion.a

$(BUILD)/gen/version.c: FORCE
	@mkdir -p $(@D)
	$(Q)printf '/* Generated from PODNET_VERSION and PODNET_COMMIT by the top Makefile; do not edit. */\n#include "pn/version.h"\n\nconst char *pn_version(void)\n{\n\treturn "%s";\n}\n\nconst char *pn_commit(void)\n{\n\treturn "%s";\n}\n' \
	  '$(PODNET_VERSION)' '$(PODNET_COMMIT)' >$@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@ && echo "  GEN     $@ ($(PODNET_VERSION))"; fi

$(BUILD)/obj/gen/version.o: $(BUILD)/gen/version.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(PN_VERSION_LIB): $(BUILD)/obj/gen/version.o

.PHONY: FORCE print-version
FORCE:

# For other rules and scripts (the image tag): `make -s print-version`.
print-version:
	@echo '$(PODNET_VERSION)'

include $(sort $(wildcard */*.mk */*/*.mk */*/*/*.mk))

# Every program of $(BUILD)/bin answers --version with "NAME VERSION", the
# version built in (e2e/test/programs-version.sh); a program added to
# $(BUILD)/bin without it fails this test. The script is told the version,
# and its starter is rewritten when the version changes.
PN_PROGRAMS := $(filter $(BUILD)/bin/%,$(BINS))

$(BUILD)/test/programs_version: e2e/test/programs-version.sh $(BUILD)/gen/version.c $(PN_PROGRAMS)
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\nexec sh %s/e2e/test/programs-version.sh %s %s\n' "$(CURDIR)" '$(PODNET_VERSION)' \
	  "$(abspath $(PN_PROGRAMS))" > $@
	$(Q)chmod +x $@

UNIT_TESTS += $(BUILD)/test/programs_version

.PHONY: build-all
build-all: $(BINS) $(UNIT_TESTS) $(TEST_TOOLS)

# ---- dependencies ----------------------------------------------------------
DEB_PACKAGES := build-essential clang llvm libclang-rt-14-dev pkg-config valgrind \
                libcurl4-openssl-dev libev-dev libjansson-dev libcjson-dev libyaml-dev \
                libcmocka-dev libmicrohttpd-dev libssl-dev iproute2 iputils-ping jq curl ca-certificates \
                mmdebstrap busybox-static
DEB_PACKAGES += python3-prometheus-client
DEB_PACKAGES += graphviz
DEB_PACKAGES += strace

# apt's output goes to logs in $(DEPS_LOGS), shown (the last lines) only
# when a step fails; e2e/lib/progress.sh prints the steps and their time.
DEPS_LOGS ?= /var/tmp/podnet-install-logs

.PHONY: deps
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  . e2e/lib/progress.sh; \
	  progress_run "apt-get update" $(DEPS_LOGS)/apt-update.log apt-get update -qq && \
	  progress_run "installing the build's Debian packages" $(DEPS_LOGS)/apt-install.log \
	    env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	e2e/cluster/install

# ---- tests -----------------------------------------------------------------
RUN_TESTS := e2e/lib/run-tests

.PHONY: check-unit check-asan check-clang check-valgrind check-integration check check-all
check-unit: $(UNIT_TESTS)
	@$(RUN_TESTS) -n unit -l $(BUILD)/test-logs $(UNIT_TESTS)

# ASan+UBSan build of every unit test, with clang, in its own build dir.
check-asan:
	@$(MAKE) --no-print-directory BUILD=build/asan CC=clang SAN=1 check-unit

# The whole tree must build warning-free under clang as well as gcc.
check-clang:
	@$(MAKE) --no-print-directory BUILD=build/clang CC=clang build-all

check-valgrind: $(UNIT_TESTS)
	@$(RUN_TESTS) -n valgrind -l $(BUILD)/test-logs-valgrind \
	  -w "valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" $(UNIT_TESTS)

# Tests that need the real local cluster: it is brought up once, and torn
# down at the end whatever happened.
check-integration: build-all $(filter $(BUILD)/%,$(INTEGRATION_TESTS))
	@e2e/lib/with-cluster $(RUN_TESTS) -n integration -l $(BUILD)/test-logs-integration $(INTEGRATION_TESTS)

# `make check` works on a fresh machine: it installs what is missing first,
# then re-reads this Makefile (pkg-config flags) in a sub-make.
check: deps
	@$(MAKE) --no-print-directory check-all

check-all: check-unit check-asan check-clang check-valgrind check-integration
	@echo "make check: all suites passed"

.PHONY: clean
clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
