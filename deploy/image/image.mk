# deploy/image/image.mk: `make image`, podnet's container image as an OCI
# archive, $(BUILD)/image/podnet-$(PODNET_VERSION).oci.tar (deploy/image/build
# says how), and $(BUILD)/deploy/, deploy/ naming that tag (deploy/deploy.mk).
# The Debian root is made once and kept ($(BUILD)/image/rootfs.tar, remade
# when the builder or its package list changes); a code change repacks the
# image in seconds.
IMAGE_ROOTFS := $(BUILD)/image/rootfs.tar
IMAGE        := $(BUILD)/image/podnet-$(PODNET_VERSION).oci.tar
IMAGE_FILES  := $(BUILD)/bin/podnet-controller $(BUILD)/bin/podnet-agent $(BUILD)/bin/podnet-webhook \
                $(BUILD)/bin/podnetctl \
                $(BUILD)/bin/podnet-cni $(BUILD)/providers/cni.so deploy/agent/install-cni

.PHONY: image
image: $(IMAGE) deploy-overlay

$(IMAGE_ROOTFS): deploy/image/build
	@mkdir -p $(@D)
	@echo "  ROOTFS  $@ ($$(deploy/image/build --packages))"
	$(Q)deploy/image/build --rootfs $@

$(IMAGE): $(IMAGE_ROOTFS) $(IMAGE_FILES) deploy/image/build
	@echo "  IMAGE   $@"
	$(Q)rm -f $(filter-out $@,$(wildcard $(BUILD)/image/podnet-*.oci.tar))
	$(Q)deploy/image/build $@ $(PODNET_VERSION) $(IMAGE_ROOTFS) $(BUILD)
