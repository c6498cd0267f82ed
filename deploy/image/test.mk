# deploy/image/test.mk: `make check-image`, deploy/image/test-image over the
# archive `make image` writes ($(IMAGE) of deploy/image/image.mk, which the
# top Makefile includes before this file: names sort). About 2 s once the
# image is built; needs root (chroot into the unpacked layer). Not a unit
# test: `make` and check-asan must not build images. `make check` runs it
# (the integration tests build the image anyway).
IMAGE_TEST := $(BUILD)/test/image

$(IMAGE_TEST): deploy/image/test-image $(IMAGE)
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\nexec sh %s/deploy/image/test-image %s %s\n' "$(CURDIR)" "$(abspath $(IMAGE))" \
	  '$(PODNET_VERSION)' >$@
	$(Q)chmod +x $@

.PHONY: check-image
check-image: $(IMAGE_TEST)
	@$(RUN_TESTS) -n image -l $(BUILD)/test-logs-image $(IMAGE_TEST)

check-all: check-image
