# deploy/deploy.mk: $(BUILD)/deploy/, a kustomization that is deploy/ with
# the image tag this tree builds ($(PODNET_VERSION), `make image`). The
# tests and `make run` install podnet with `kubectl apply -k $(BUILD)/deploy`,
# which is what docs/install.md tells a platform team to do with an image it
# built itself. The tag is quoted: an abbreviated commit hash of digits only
# (7009342) would otherwise be a YAML number, which kustomize refuses.
DEPLOY_OVERLAY := $(BUILD)/deploy/kustomization.yaml

.PHONY: deploy-overlay FORCE
deploy-overlay: $(DEPLOY_OVERLAY)
$(DEPLOY_OVERLAY): FORCE
	@mkdir -p $(@D)
	@printf '%s\n' '# written by make (deploy/deploy.mk): deploy/ with the image this tree builds' \
	  'apiVersion: kustomize.config.k8s.io/v1beta1' 'kind: Kustomization' \
	  'bases:' '- $(shell realpath -m --relative-to=$(@D) deploy)' \
	  'images:' '- name: podnet.local/podnet' '  newTag: "$(PODNET_VERSION)"' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; echo "  GEN     $@"; fi
