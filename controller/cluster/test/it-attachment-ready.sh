#!/bin/sh
# it-attachment-ready.sh: a Pod never attaches through a PodNetworkAttachment
# that is not Ready, and is planned once the attachment is. Shows: an
# attachment naming a parameters kind podnet does not resolve (acme.io
# AcmeNet) is Ready False ParamsNotReady, and a Pod asking through it gets
# no plan and a Warning Event InvalidNetworks naming the attachment and
# its reason; an attachment whose IPPool does not exist yet holds its Pod
# the same way, and creating the IPPool makes the attachment Ready and the
# waiting Pod planned, without touching the Pod; a node report declaring
# AcmeNet for the network's provider makes the first attachment Ready and
# its Pod planned with the reference. Pods are bound to a Node
# object without a kubelet. The controller runs as the token user
# podnet-controller under deploy/controller/rbac.yaml. Prints "N passed, N
# failed" last.
set -u
. "$(dirname "$0")/lib.sh"
ns=pn-attready-$$
node=pn-fake-attready-$$
cleanup() {
	stop_controllers
	k -n "$ns" delete pods --all --grace-period=0 --force --wait=false >/dev/null 2>&1
	for o in $(k get podnetworks,podnetworkattachments -A -o name -l podnet.dev/test=attready 2>/dev/null); do
		k patch "$o" --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1
	done
	k -n "$ns" delete podnetworkattachments -l podnet.dev/test=attready --wait=false >/dev/null 2>&1
	k delete namespace "$ns" --wait=false >/dev/null 2>&1
	k delete node "$node" >/dev/null 2>&1
	k delete podnetworknode "$node" --wait=false >/dev/null 2>&1
	k delete podnetworks,cniconfigs,ippools -l podnet.dev/test=attready --wait=false >/dev/null 2>&1
	rm -rf "$logdir"
}
trap cleanup EXIT

setup_rbac || { nok "setup"; finish; exit 1; }
k create namespace "$ns" >/dev/null
fake_node "$node"
k apply -f - >/dev/null <<EOF2
apiVersion: podnet.dev/v1alpha1
kind: CNIConfig
metadata: {name: attready-bridge, labels: {podnet.dev/test: attready}}
spec:
  plugins: [{type: bridge, bridge: pnattr0}]
---
apiVersion: podnet.dev/v1alpha1
kind: IPPool
metadata: {name: attready-pool, labels: {podnet.dev/test: attready}}
spec:
  ranges: [{cidr: 172.31.11.0/28}]
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: attready-net, labels: {podnet.dev/test: attready}}
spec:
  provider: podnet.dev/cni
  parametersRefs:
  - {group: podnet.dev, kind: CNIConfig, name: attready-bridge}
  - {group: podnet.dev, kind: IPPool, name: attready-pool}
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetworkAttachment
metadata: {name: att-vendor, namespace: $ns, labels: {podnet.dev/test: attready}}
spec:
  podNetworkName: attready-net
  parametersRefs:
  - {group: acme.io, kind: AcmeNet, name: fast}
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetworkAttachment
metadata: {name: att-later, namespace: $ns, labels: {podnet.dev/test: attready}}
spec:
  podNetworkName: attready-net
  parametersRefs:
  - {group: podnet.dev, kind: IPPool, name: attready-later}
EOF2
start_controller ctl-attready --metrics-addr 127.0.0.1:18187
check "controller__ready" poll 30 curl -sf http://127.0.0.1:18187/readyz
check "network__ready" poll 30 cond_is podnetwork/attready-net Ready True/Ready
check "vendor_attachment__not_ready" poll 30 cond_is "-n $ns podnetworkattachment/att-vendor" Ready False/ParamsNotReady
check "later_attachment__not_ready" poll 30 cond_is "-n $ns podnetworkattachment/att-later" Ready False/ParamsNotReady
wait_sa "$ns"

plan_of() { k -n "$ns" get pod "$1" -o 'jsonpath={.metadata.annotations.podnet\.dev/plan}' 2>/dev/null; }
has_plan() { [ -n "$(plan_of "$1")" ]; }
no_plan() { [ -z "$(plan_of "$1")" ]; }
# ev_has POD TEXT: a Warning InvalidNetworks Event of POD contains TEXT
ev_has() {
	k -n "$ns" get events --field-selector "involvedObject.name=$1,reason=InvalidNetworks" -o json |
		jq -r '.items[].message' | grep -qF -- "$2"
}
{
	pods_yaml "$ns" via-vendor 1 1 "$node" '[{podNetworkAttachmentName: att-vendor}]'
	pods_yaml "$ns" via-later 1 1 "$node" '[{podNetworkAttachmentName: att-later}]'
} | k create -f - >/dev/null

check "via_vendor__event_names_attachment_and_reason" poll 30 ev_has via-vendor-1 \
	'podnet.dev/networks[0].podNetworkAttachmentName: PodNetworkAttachment "att-vendor" is not Ready (ParamsNotReady: parameters of kind acme.io/AcmeNet are not supported by podnet, and provider podnet.dev/cni declares it on no node'
check "via_later__event_names_attachment_and_reason" poll 30 ev_has via-later-1 \
	'PodNetworkAttachment "att-later" is not Ready (ParamsNotReady: IPPool "attready-later" not found)'
echo "# event: $(k -n "$ns" get events --field-selector involvedObject.name=via-vendor-1,reason=InvalidNetworks -o json | jq -r '.items[0].message')"
check "via_vendor__no_plan" no_plan via-vendor-1
check "via_later__no_plan" no_plan via-later-1

# the attachment's IPPool appears: the attachment turns Ready, its Pod is planned
t0=$(date +%s)
k apply -f - >/dev/null <<EOF3
apiVersion: podnet.dev/v1alpha1
kind: IPPool
metadata: {name: attready-later, labels: {podnet.dev/test: attready}}
spec:
  ranges: [{cidr: 172.31.12.0/28}]
EOF3
check "later_attachment__ready" poll 30 cond_is "-n $ns podnetworkattachment/att-later" Ready True/Ready
if poll 30 has_plan via-later-1; then
	ok "via_later__planned_within_$(( $(date +%s) - t0 ))s_of_the_pool"
else
	nok "via_later__planned_within_30s_of_the_pool"
fi
check "via_later__address_from_the_attachment_pool" sh -c "k -n $ns get pod via-later-1 -o 'jsonpath={.metadata.annotations.podnet\\.dev/plan}' | grep -q '172.31.12.'"
check "via_vendor__still_no_plan" no_plan via-vendor-1

# a node's agent reports that the network's provider declares acme.io/AcmeNet
# (provider ABI 1.3): the attachment turns Ready, its Pod is planned and the
# plan carries the reference for the provider
k apply -f - >/dev/null <<EOF4
apiVersion: podnet.dev/v1alpha1
kind: PodNetworkNode
metadata: {name: $node}
status:
  networks: [{name: attready-net, available: true}]
  providers:
  - {name: podnet.dev/cni, version: test, parameterKinds: [acme.io/AcmeNet]}
EOF4
check "declared_kind__attachment_ready" poll 30 cond_is "-n $ns podnetworkattachment/att-vendor" Ready True/Ready
check "declared_kind__pod_planned" poll 30 has_plan via-vendor-1
echo "# plan: $(plan_of via-vendor-1)"
plan_has_ref() {
	plan_of via-vendor-1 | jq -e '.attachments[] | select(.network == "attready-net") | .parametersRefs[]
		| select(.group == "acme.io" and .kind == "AcmeNet" and .name != null)' >/dev/null
}
check "declared_kind__plan_carries_the_ref" plan_has_ref

check "controller__no_forbidden" sh -c "! grep -i forbidden '$logdir/ctl-attready.log'"
if [ "$failed" != 0 ]; then echo "--- controller log"; tail -n 40 "$logdir/ctl-attready.log"; fi
finish
