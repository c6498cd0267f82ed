#!/bin/sh
# it-conditions.sh: podnet-controller on the real cluster, running as the
# token user podnet-controller under deploy/controller/rbac.yaml only.
# Every condition and reason of API.md reached through the API; the in-use
# finalizer blocks deletion and then releases it; `default` is created and
# recreated after deletion; immutable changes are rejected (old spec kept);
# other providers' networks are left alone; a Pod gets a plan, a Pod asking
# for a missing network gets a Warning Event and no plan, and is planned
# once the network appears; a fixed address that is taken gets an Event.
# Prints "N passed, N failed" last.
set -u
. "$(dirname "$0")/lib.sh"
ns=pn-cond-$$
node=pn-fake-cond-$$
cleanup() {
	stop_controllers
	k -n "$ns" delete pods --all --grace-period=0 --force --wait=false >/dev/null 2>&1
	k delete namespace "$ns" --wait=false >/dev/null 2>&1
	k delete node "$node" >/dev/null 2>&1
	# the controller is gone: drop our finalizers so nothing waits
	for o in $(k get podnetworks -o name -l podnet.dev/test 2>/dev/null); do
		k patch "$o" --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1
	done
	k delete podnetworks,cniconfigs,ippools -l podnet.dev/test=cond --wait=false >/dev/null 2>&1
	rm -rf "$logdir"
}
trap cleanup EXIT

setup_rbac || { nok "setup"; finish; exit 1; }
k create namespace "$ns" >/dev/null
fake_node "$node"
start_controller ctl-a --metrics-addr 127.0.0.1:18181 --lease-namespace podnet-system
check "controller__ready__readyz" poll 30 curl -sf http://127.0.0.1:18181/readyz
check "default__created" poll 20 k get podnetwork default
check "default__ready" poll 20 cond_is podnetwork/default Ready True/Ready

k apply -f - >/dev/null <<'EOF2'
apiVersion: podnet.dev/v1alpha1
kind: CNIConfig
metadata: {name: cond-bridge, labels: {podnet.dev/test: cond}}
spec:
  plugins:
  - {type: bridge, bridge: pncond0}
---
apiVersion: podnet.dev/v1alpha1
kind: IPPool
metadata: {name: cond-pool, labels: {podnet.dev/test: cond}}
spec:
  ranges:
  - {cidr: 172.30.5.0/24, start: 172.30.5.10, end: 172.30.5.20, gateway: 172.30.5.1}
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: cond-net, labels: {podnet.dev/test: cond}}
spec:
  provider: podnet.dev/cni
  parametersRefs:
  - {group: podnet.dev, kind: CNIConfig, name: cond-bridge}
  - {group: podnet.dev, kind: IPPool, name: cond-pool}
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: cond-missing, labels: {podnet.dev/test: cond}}
spec:
  provider: podnet.dev/cni
  parametersRefs:
  - {group: podnet.dev, kind: CNIConfig, name: cond-nothere}
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: cond-other, labels: {podnet.dev/test: cond}}
spec:
  provider: example.com/other
EOF2
check "network__ready__true" poll 20 cond_is podnetwork/cond-net Ready True/Ready
check "network__paramsready__true" poll 5 cond_is podnetwork/cond-net ParamsReady True/Ready
check "network__inuse__false_when_unused" poll 5 cond_is podnetwork/cond-net InUse False/NotInUse
check "network__observed_generation" sh -c '[ "$(k get podnetwork cond-net -o jsonpath={.status.observedGeneration})" = "$(k get podnetwork cond-net -o jsonpath={.metadata.generation})" ]'
check "cniconfig__ready" poll 5 cond_is cniconfig/cond-bridge Ready True/Ready
check "ippool__status__size_allocated" poll 10 sh -c '[ "$(k get ippool cond-pool -o jsonpath={.status.ranges[0].size}/{.status.ranges[0].allocated})" = 11/0 ]'
check "network__params_missing__ParamsNotReady" poll 20 cond_is podnetwork/cond-missing Ready False/ParamsNotReady
check "network__params_missing__ParamsReady_false" poll 5 cond_is podnetwork/cond-missing ParamsReady False/ParamsNotReady
check "network__other_provider__left_alone" sh -c '[ -z "$(k get podnetwork cond-other -o jsonpath={.status})" ]'

# a missing parameter appears: the network turns Ready
k apply -f - >/dev/null <<'EOF2'
apiVersion: podnet.dev/v1alpha1
kind: CNIConfig
metadata: {name: cond-nothere, labels: {podnet.dev/test: cond}}
spec:
  plugins:
  - {type: macvlan, master: eth0}
EOF2
check "network__params_appear__Ready" poll 20 cond_is podnetwork/cond-missing Ready True/Ready

# disabled
k patch podnetwork cond-missing --type merge -p '{"spec":{"enabled":false}}' >/dev/null
check "network__disabled__AdministrativelyDisabled" poll 20 cond_is podnetwork/cond-missing Ready False/AdministrativelyDisabled
k patch podnetwork cond-missing --type merge -p '{"spec":{"enabled":true}}' >/dev/null
check "network__reenabled__Ready" poll 20 cond_is podnetwork/cond-missing Ready True/Ready

# immutable change: rejected with a message and an Event, old spec kept
k patch podnetwork cond-missing --type merge -p '{"spec":{"parametersRefs":[{"group":"podnet.dev","kind":"CNIConfig","name":"cond-bridge"}]}}' >/dev/null 2>&1
check "network__immutable__message" poll 20 sh -c 'k get podnetwork cond-missing -o jsonpath={.status.conditions[?\(@.type==\"Ready\"\)].message} | grep -q immutable'
check "network__immutable__event" poll 20 sh -c 'k get events -A --field-selector involvedObject.name=cond-missing,reason=ImmutableFieldChanged -o name | grep -q .'

# ---- Pods -------------------------------------------------------------------
wait_sa "$ns"
pods_yaml "$ns" good 1 1 "$node" '[{podNetworkName: default}, {podNetworkName: cond-net}]' | k apply -f - >/dev/null
check "pod__planned" poll 20 sh -c "k -n $ns get pod good-1 -o json | jq -e '.metadata.annotations[\"podnet.dev/plan\"] | fromjson | .attachments[1].ips[0] == \"172.30.5.10/24\"'"
check "pod__plan__interfaces_and_gateway" sh -c "k -n $ns get pod good-1 -o json | jq -e '.metadata.annotations[\"podnet.dev/plan\"] | fromjson | .attachments[0].interface == \"eth0\" and .attachments[1].interface == \"net1\" and .attachments[1].gateways == [\"172.30.5.1\"] and .attachments[1].params.plugins[0].type == \"bridge\"'"
check "network__inuse__true" poll 20 cond_is podnetwork/cond-net InUse True/InUse
check "network__finalizer__added" poll 10 sh -c '[ "$(k get podnetwork cond-net -o jsonpath={.metadata.finalizers})" != "" ]'
check "ippool__status__allocated_1" poll 10 sh -c '[ "$(k get ippool cond-pool -o jsonpath={.status.ranges[0].allocated})" = 1 ]'

# a taken fixed address: Event, no plan
pods_yaml "$ns" fixed 1 1 "$node" '[{podNetworkName: cond-net, ips: [172.30.5.10]}]' | k apply -f - >/dev/null
check "pod__fixed_taken__event" poll 20 sh -c "k -n $ns get events --field-selector involvedObject.name=fixed-1,reason=AddressAllocationFailed -o json | jq -e '.items[0].message | test(\"172.30.5.10\")'"
check "pod__fixed_taken__no_plan" sh -c "[ -z \"\$(k -n $ns get pod fixed-1 -o jsonpath='{.metadata.annotations.podnet\.dev/plan}')\" ]"
pods_yaml "$ns" fixed 2 2 "$node" '[{podNetworkName: cond-net, ips: [172.30.5.15]}]' | k apply -f - >/dev/null
check "pod__fixed_free__planned" poll 20 sh -c "k -n $ns get pod fixed-2 -o json | jq -e '.metadata.annotations[\"podnet.dev/plan\"] | fromjson | .attachments[0].ips == [\"172.30.5.15/24\"]'"

# a request for a missing network: Event naming the entry, no plan; planned once it exists
pods_yaml "$ns" later 1 1 "$node" '[{podNetworkName: default}, {podNetworkName: cond-late}]' | k apply -f - >/dev/null
check "pod__missing_network__event" poll 20 sh -c "k -n $ns get events --field-selector involvedObject.name=later-1 -o json | jq -e '[.items[] | select(.type == \"Warning\" and (.message | test(\"networks\\\\[1\\\\].podNetworkName.*cond-late.*not found\")))] | length > 0'"
check "pod__missing_network__no_plan" sh -c "[ -z \"\$(k -n $ns get pod later-1 -o jsonpath='{.metadata.annotations.podnet\.dev/plan}')\" ]"
k apply -f - >/dev/null <<'EOF2'
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: cond-late, labels: {podnet.dev/test: cond}}
spec:
  provider: podnet.dev/cni
  parametersRefs:
  - {group: podnet.dev, kind: CNIConfig, name: cond-bridge}
EOF2
check "pod__network_appears__planned" poll 20 sh -c "k -n $ns get pod later-1 -o jsonpath='{.metadata.annotations.podnet\.dev/plan}' | grep -q cond-late"
# an invalid request
pods_yaml "$ns" bad 1 1 "$node" '[{podNetworkName: cond-net, interfaceName: "a/b"}]' | k apply -f - >/dev/null
check "pod__invalid__event_names_field" poll 20 sh -c "k -n $ns get events --field-selector involvedObject.name=bad-1,reason=InvalidNetworks -o json | jq -e '.items[0].message | test(\"networks\\\\[0\\\\].interfaceName\")'"

# hot-plug: the request changes, the plan follows
k -n "$ns" annotate pod good-1 --overwrite 'podnet.dev/networks=[{podNetworkName: default}]' >/dev/null
check "pod__hotplug__new_plan" poll 20 sh -c "k -n $ns get pod good-1 -o json | jq -e '.metadata.annotations[\"podnet.dev/plan\"] | fromjson | .attachments | length == 1'"

# ---- PodNetworkAttachment ---------------------------------------------------
k apply -f - >/dev/null <<EOF2
apiVersion: podnet.dev/v1alpha1
kind: PodNetworkAttachment
metadata: {name: pna-ok, namespace: $ns}
spec: {podNetworkName: cond-net}
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetworkAttachment
metadata: {name: pna-nonet, namespace: $ns}
spec: {podNetworkName: cond-absent}
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetworkAttachment
metadata: {name: pna-noparams, namespace: $ns}
spec:
  podNetworkName: cond-net
  parametersRefs: [{group: podnet.dev, kind: IPPool, name: cond-absent-pool}]
EOF2
check "pna__ready" poll 20 cond_is "podnetworkattachment/pna-ok -n $ns" Ready True/Ready
check "pna__PodNetworkNotReady" poll 20 cond_is "podnetworkattachment/pna-nonet -n $ns" Ready False/PodNetworkNotReady
check "pna__ParamsNotReady" poll 20 cond_is "podnetworkattachment/pna-noparams -n $ns" Ready False/ParamsNotReady
check "pna__notinuse" poll 5 cond_is "podnetworkattachment/pna-ok -n $ns" InUse False/NotInUse
pods_yaml "$ns" viapna 1 1 "$node" '[{podNetworkAttachmentName: pna-ok}]' | k apply -f - >/dev/null
check "pna__pod_planned" poll 20 sh -c "k -n $ns get pod viapna-1 -o jsonpath='{.metadata.annotations.podnet\.dev/plan}' | grep -q cond-net"
check "pna__inuse" poll 20 cond_is "podnetworkattachment/pna-ok -n $ns" InUse True/InUse

# ---- finalizer: deletion blocked while in use, released after ------------------
k delete podnetwork cond-net --wait=false >/dev/null
check "network__delete_in_use__DeleteInProgress" poll 20 cond_is podnetwork/cond-net Ready False/DeleteInProgress
check "network__delete_in_use__still_there" sh -c 'sleep 2; k get podnetwork cond-net'
pods_yaml "$ns" afterdel 1 1 "$node" '[{podNetworkName: cond-net}]' | k apply -f - >/dev/null
check "network__deleting__takes_no_new_pods" poll 20 sh -c "k -n $ns get events --field-selector involvedObject.name=afterdel-1 -o json | jq -e '.items[0].message | test(\"being deleted\")'"
# every Pod that names cond-net (planned or not) goes; the network then goes too
k -n "$ns" delete pod good-1 fixed-1 fixed-2 viapna-1 afterdel-1 bad-1 --grace-period=0 --force >/dev/null 2>&1
k -n "$ns" delete podnetworkattachment pna-ok pna-noparams --wait=false >/dev/null 2>&1
check "network__finalizer_released__gone" poll 30 sh -c '! k get podnetwork cond-net'
check "ippool__released__allocated_0" poll 20 sh -c '[ "$(k get ippool cond-pool -o jsonpath={.status.ranges[0].allocated})" = 0 ]'

# ---- default recreated ---------------------------------------------------------
t0=$(date +%s)
k -n "$ns" delete pod later-1 --grace-period=0 --force >/dev/null 2>&1
poll 20 cond_is podnetwork/default InUse False/NotInUse
k delete podnetwork default --wait=true --timeout=20s >/dev/null 2>&1
if poll 10 k get podnetwork default; then
	ok "default__recreated__within_$(( $(date +%s) - t0 ))s"
else
	nok "default__recreated__within_10s"
fi

# RBAC was enough: no Forbidden in the controller's log
check "controller__no_forbidden" sh -c "! grep -i forbidden '$logdir/ctl-a.log'"
if [ "$failed" != 0 ]; then echo "--- controller log"; tail -n 60 "$logdir/ctl-a.log"; fi
finish
