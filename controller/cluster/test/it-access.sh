#!/bin/sh
# it-access.sh: per-namespace access to a PodNetwork (spec.namespaceSelector).
# A PodNetwork selects namespaces labelled podnet.dev/tenant=<run>. Shows:
# a Pod of an allowed namespace gets its plan; Pods of another namespace,
# asking directly or through a PodNetworkAttachment, get no plan, a Warning
# Event NetworkNotAllowed naming the network and the rule, and take no
# address (the IPPool's allocated count does not move); narrowing the
# selector leaves the planned Pod's plan as it was (also after the Pod
# changes) and refuses a new Pod; labelling the refused namespace lets its
# waiting Pods in. Pods are bound to a Node object without a kubelet. The
# controller runs as the token user podnet-controller under
# deploy/controller/rbac.yaml. Prints "N passed, N failed" last.
set -u
. "$(dirname "$0")/lib.sh"
run=acc-$$
ns_in=pn-acc-in-$$
ns_out=pn-acc-out-$$
node=pn-fake-acc-$$
cleanup() {
	stop_controllers
	for n in "$ns_in" "$ns_out"; do
		k -n "$n" delete pods --all --grace-period=0 --force --wait=false >/dev/null 2>&1
		k delete namespace "$n" --wait=false >/dev/null 2>&1
	done
	k delete node "$node" >/dev/null 2>&1
	for o in $(k get podnetworks,podnetworkattachments -A -o name -l podnet.dev/test=access 2>/dev/null); do
		k patch "$o" --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1
	done
	k -n "$ns_out" delete podnetworkattachments -l podnet.dev/test=access --wait=false >/dev/null 2>&1
	k delete podnetworks,cniconfigs,ippools -l podnet.dev/test=access --wait=false >/dev/null 2>&1
	rm -rf "$logdir"
}
trap cleanup EXIT

setup_rbac || { nok "setup"; finish; exit 1; }
k create namespace "$ns_in" >/dev/null
k label namespace "$ns_in" "podnet.dev/tenant=$run" >/dev/null
k create namespace "$ns_out" >/dev/null
fake_node "$node"
k apply -f - >/dev/null <<EOF2
apiVersion: podnet.dev/v1alpha1
kind: CNIConfig
metadata: {name: acc-bridge, labels: {podnet.dev/test: access}}
spec:
  plugins: [{type: bridge, bridge: pnacc0}]
---
apiVersion: podnet.dev/v1alpha1
kind: IPPool
metadata: {name: acc-pool, labels: {podnet.dev/test: access}}
spec:
  ranges: [{cidr: 172.31.9.0/28}]
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: acc-net, labels: {podnet.dev/test: access}}
spec:
  provider: podnet.dev/cni
  namespaceSelector:
    matchLabels: {podnet.dev/tenant: $run}
  parametersRefs:
  - {group: podnet.dev, kind: CNIConfig, name: acc-bridge}
  - {group: podnet.dev, kind: IPPool, name: acc-pool}
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetworkAttachment
metadata: {name: acc-att, namespace: $ns_out, labels: {podnet.dev/test: access}}
spec:
  podNetworkName: acc-net
EOF2
start_controller ctl-access --metrics-addr 127.0.0.1:18184
check "controller__ready" poll 30 curl -sf http://127.0.0.1:18184/readyz
check "network__ready" poll 30 cond_is podnetwork/acc-net Ready True/Ready
wait_sa "$ns_in"
wait_sa "$ns_out"

allocated() { k get ippool acc-pool -o 'jsonpath={.status.ranges[0].allocated}' 2>/dev/null; }
allocated_is() { [ "$(allocated)" = "$1" ]; }
check "pool__starts_empty" poll 15 allocated_is 0
plan_of() { k -n "$1" get pod "$2" -o 'jsonpath={.metadata.annotations.podnet\.dev/plan}' 2>/dev/null; }
has_plan() { [ -n "$(plan_of "$1" "$2")" ]; }
# event NS POD: the message of the Pod's NetworkNotAllowed Warning Event
event() {
	k -n "$1" get events -o json | jq -r --arg p "$2" '.items[] |
	  select(.type == "Warning" and .reason == "NetworkNotAllowed" and .involvedObject.name == $p) | .message' | tail -n 1
}
has_event() { [ -n "$(event "$1" "$2")" ]; }
no_event() { [ -z "$(event "$1" "$2")" ]; }
event_is() { [ "$(event "$1" "$2")" = "$3" ]; }
no_plan() { [ -z "$(plan_of "$1" "$2")" ]; }
plan_is() { [ -n "$3" ] && [ "$(plan_of "$1" "$2")" = "$3" ]; }

{
	pods_yaml "$ns_in" in 1 1 "$node" '[{podNetworkName: acc-net}]'
	pods_yaml "$ns_out" direct 1 1 "$node" '[{podNetworkName: acc-net}]'
	pods_yaml "$ns_out" viapna 1 1 "$node" '[{podNetworkAttachmentName: acc-att}]'
} >"$logdir/pods.yaml"
k create -f "$logdir/pods.yaml" >/dev/null

# allowed namespace: planned, one address
check "allowed__planned" poll 30 has_plan "$ns_in" in-1
check "allowed__one_address" poll 15 allocated_is 1
# refused namespace: Events, no plan, no address
check "refused_direct__event" poll 30 has_event "$ns_out" direct-1
check "refused_pna__event" poll 30 has_event "$ns_out" viapna-1
want="podnet.dev/networks[0]: PodNetwork \"acc-net\" may not be used from namespace \"$ns_out\": spec.namespaceSelector (matchLabels podnet.dev/tenant=$run) does not select it"
echo "# event: $(event "$ns_out" direct-1)"
check "refused_direct__message_names_network_and_rule" event_is "$ns_out" direct-1 "$want"
check "refused_pna__message_names_network_and_rule" event_is "$ns_out" viapna-1 "$want"
check "refused_direct__no_plan" no_plan "$ns_out" direct-1
check "refused_pna__no_plan" no_plan "$ns_out" viapna-1
sleep 2 # a tick of pool status after the refusals
check "refused__pool_count_unchanged" allocated_is 1

# narrow the selector: the planned Pod keeps its plan, a new Pod is refused
before=$(plan_of "$ns_in" in-1)
k patch podnetwork acc-net --type merge -p '{"spec":{"namespaceSelector":{"matchLabels":{"podnet.dev/tenant":"nobody"}}}}' >/dev/null
pods_yaml "$ns_in" in 2 2 "$node" '[{podNetworkName: acc-net}]' | k create -f - >/dev/null
check "narrowed__new_pod_refused" poll 30 has_event "$ns_in" in-2
# the planned Pod is reconciled again (a label changes the object): same plan
k -n "$ns_in" label pod in-1 touched=yes >/dev/null
sleep 3
check "narrowed__planned_pod_keeps_its_plan" plan_is "$ns_in" in-1 "$before"
check "narrowed__planned_pod_not_warned" no_event "$ns_in" in-1
check "narrowed__new_pod_no_plan" no_plan "$ns_in" in-2
check "narrowed__pool_count_unchanged" allocated_is 1

# the refused namespace gets the label the selector asks for now: its waiting
# Pods are planned without being touched
k label namespace "$ns_out" podnet.dev/tenant=nobody >/dev/null
check "labelled__waiting_direct_planned" poll 30 has_plan "$ns_out" direct-1
check "labelled__waiting_pna_planned" poll 30 has_plan "$ns_out" viapna-1
check "labelled__pool_count_3" poll 15 allocated_is 3
check "labelled__in2_still_refused" no_plan "$ns_in" in-2
check "controller__no_forbidden" sh -c "! grep -i forbidden '$logdir/ctl-access.log'"
if [ "$failed" != 0 ]; then echo "--- controller log"; tail -n 40 "$logdir/ctl-access.log"; fi
finish
