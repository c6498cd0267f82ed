#!/bin/sh
# Scenario 8: a Multus NetworkAttachmentDefinition referenced from a
# PodNetwork works like a CNIConfig. The NAD CRD (k8s.cni.cncf.io/v1,
# written here) is applied before podnet starts, since the controller decides
# at start whether NADs are served. Two NADs in namespace pn-s8:
#   s8-bridge: a bridge (pn-s8) with no IPAM; PodNetwork s8-br refers to it
#              and to IPPool s8-pool, so podnet's controller gives the address;
#   s8-macvlan: a macvlan on sig-parent with its own (static) IPAM; PodNetwork
#              s8-mv refers to it alone, so the chain's IPAM is used as written.
# A PodNetwork naming a NAD that does not exist is not Ready. The Pod asking
# for s8-br and s8-mv runs with both interfaces and their addresses, and
# network-status lists them. At the end the Pod, networks, NADs and the CRD
# are deleted: the pool is back to 0, the controller survives the CRD going
# away and nothing is left.
set -u
export LC_ALL=C
. "$(dirname "$0")/../lib/podnet.sh"
ns=pn-s8
br=pn-s8
crd=network-attachment-definitions.k8s.cni.cncf.io
cleanup() {
	podnet_down $ns
	podnet_forget_objects
	k delete crd $crd --wait=false >/dev/null 2>&1
	k wait --for=delete crd/$crd --timeout=30s >/dev/null 2>&1
	on_node 1 ip link del $br 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

not_ready_because() { condition_is "$1" Ready False && [ "$(condition "$1" Ready reason)" = "$2" ]; }
nads_served() { k get network-attachment-definitions -A; }
gone() { ! k get "$@"; }
group_not_served() { ! k get --raw /apis/k8s.cni.cncf.io/v1; }
# the controllers' restarts, summed over their Pods (not those being deleted)
ctl_restarts() {
	k -n $PN_NS get pods -l app.kubernetes.io/name=podnet-controller -o json |
		jq '[.items[] | select(.metadata.deletionTimestamp == null) | .status.containerStatuses[0].restartCount // 0] | add // 0'
}
ctl_alive() { healthy "$(ctl_metrics_addr)" && [ "$(ctl_restarts)" = "$ctl_restarts0" ]; }

k apply -f - >/dev/null <<EOF
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: $crd
spec:
  group: k8s.cni.cncf.io
  scope: Namespaced
  names:
    plural: network-attachment-definitions
    singular: network-attachment-definition
    kind: NetworkAttachmentDefinition
    shortNames: [net-attach-def]
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              config:
                type: string
EOF
check "s8__nad_crd__established" poll 30 nads_served
check "s8__podnet__up" podnet_up
# The controller looks for the NAD CRD when it starts: installing it after
# podnet takes a restart of the controllers (docs/user-guide.md).
k -n $PN_NS rollout restart deployment/podnet-controller >/dev/null
check "s8__controllers__restarted" k -n $PN_NS rollout status deployment/podnet-controller --timeout=120s
check "s8__podnet__ready_again" poll 60 podnet_ready
# the replaced Pods are gone, so the count is of the two new ones
only_two() { [ "$(k -n $PN_NS get pods -l app.kubernetes.io/name=podnet-controller -o name | wc -l)" = 2 ]; }
poll 60 only_two
ctl_restarts0=$(ctl_restarts)
controller_log() { pn_log controller | grep -q "NetworkAttachmentDefinitions watched"; }
check "s8__controller__watches_nads" poll 30 controller_log
mkns $ns
k apply -f - >/dev/null <<EOF
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata: {name: s8-bridge, namespace: $ns}
spec:
  config: '{"cniVersion": "0.3.1", "name": "s8-bridge", "type": "bridge", "bridge": "$br", "isGateway": false, "ipMasq": false}'
---
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata: {name: s8-macvlan, namespace: $ns}
spec:
  config: '{"cniVersion": "0.3.1", "name": "s8-macvlan", "type": "macvlan", "master": "sig-parent", "mode": "bridge",
    "ipam": {"type": "static", "addresses": [{"address": "172.16.80.5/24"}]}}'
---
apiVersion: podnet.dev/v1alpha1
kind: IPPool
metadata: {name: s8-pool}
spec:
  ranges:
  - {cidr: 10.80.0.0/24, start: 10.80.0.10, end: 10.80.0.99}
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: s8-br}
spec:
  provider: podnet.dev/cni
  parametersRefs:
  - {group: k8s.cni.cncf.io, kind: NetworkAttachmentDefinition, namespace: $ns, name: s8-bridge}
  - {group: podnet.dev, kind: IPPool, name: s8-pool}
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: s8-mv}
spec:
  provider: podnet.dev/cni
  parametersRefs:
  - {group: k8s.cni.cncf.io, kind: NetworkAttachmentDefinition, namespace: $ns, name: s8-macvlan}
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: s8-missing}
spec:
  provider: podnet.dev/cni
  parametersRefs:
  - {group: k8s.cni.cncf.io, kind: NetworkAttachmentDefinition, namespace: $ns, name: no-such-nad}
EOF
for n in s8-br s8-mv; do
	check "s8__network_${n}__ready" poll 30 condition_is $n Ready True
	check "s8__network_${n}__params_ready" condition_is $n ParamsReady True
done
check "s8__network_naming_a_missing_nad__not_ready" poll 30 not_ready_because s8-missing ParamsNotReady
echo "  s8-missing: $(condition s8-missing Ready message)"
check "s8__pod__created" mkpod $ns nad-pod '- podNetworkName: default
- podNetworkName: s8-br
  interfaceName: nad0
- podNetworkName: s8-mv
  interfaceName: nad1'
check "s8__pod__running" poll 90 running $ns nad-pod
echo "  nad-pod: links $(links $ns nad-pod)"
for i in eth0 nad0 nad1; do echo "    $i: $(addrs_of $ns nad-pod $i)"; done
echo "  plan: $(plan_of $ns nad-pod)"
check "s8__netns__eth0_nad0_nad1" links_are $ns nad-pod "eth0 lo nad0 nad1 "
check "s8__plan__bridge_params_from_the_nad" plan_has $ns nad-pod --arg br $br \
	'[.attachments[] | select(.interface == "nad0") | .params | .. | objects | select(.type == "bridge") | .bridge] == [$br]'
check "s8__plan__macvlan_params_from_the_nad" plan_has $ns nad-pod \
	'[.attachments[] | select(.interface == "nad1") | .params | .. | objects | select(.type == "macvlan") | .master] == ["sig-parent"]'
check "s8__plan__pool_address_for_nad0" plan_has $ns nad-pod \
	'[.attachments[] | select(.interface == "nad0") | .ips[]] == ["10.80.0.10/24"]'
check "s8__nad0__planned_address_in_netns" addr_is $ns nad-pod nad0 10.80.0.10/24
check "s8__nad0__is_veth_on_pn-s8" sh -c 'on_node 1 ip -o link show master "$1" type veth | grep -q .' _ $br
check "s8__nad1__address_from_the_nads_own_ipam" addr_is $ns nad-pod nad1 172.16.80.5/24
check "s8__nad1__is_macvlan_bridge_mode" sh -c 'nsenter --net="/proc/$1/ns/net" ip -d link show nad1 | grep -q "macvlan mode bridge"' _ \
	"$(podpid $ns nad-pod)"
ip=$(podip $ns nad-pod)
check "s8__default_route__on_eth0" [ "$(default_dev $ns nad-pod)" = eth0 ]
check "s8__network_status__three_entries" poll 15 status_has $ns nad-pod 'length == 3'
echo "  network-status: $(netstatus $ns nad-pod)"
check "s8__network_status__lists_the_nad_networks" status_has $ns nad-pod --arg ip "$ip" '
	(map({key: .interface, value: {name, ips, default: (.default // false)}}) | from_entries) ==
	{eth0: {name: "default", ips: [$ip], default: true},
	 nad0: {name: "s8-br", ips: ["10.80.0.10"], default: false},
	 nad1: {name: "s8-mv", ips: ["172.16.80.5"], default: false}}'
check "s8__s8-pool__counts_one" poll 15 pool_allocated_is s8-pool 1

# ---- take it all down ----------------------------------------------------------
k -n $ns delete pod nad-pod --wait=false >/dev/null
check "s8__pod__deleted" poll 60 gone -n $ns pod nad-pod
check "s8__s8-pool__back_to_0" poll 30 pool_allocated_is s8-pool 0
no_veth_on() { [ -z "$(on_node 1 ip -o link show master "$1" type veth 2>/dev/null)" ]; }
check "s8__bridge_pn-s8__no_veth_left" poll 15 no_veth_on $br
k delete podnetwork s8-br s8-mv s8-missing --wait=false >/dev/null 2>&1
check "s8__networks__delete_without_help" poll 30 gone podnetwork s8-br s8-mv s8-missing
k -n $ns delete network-attachment-definitions --all >/dev/null 2>&1
k delete crd $crd --wait=false >/dev/null 2>&1
check "s8__nad_crd__deleted" poll 60 gone crd $crd
check "s8__nad_group__no_longer_served" poll 30 group_not_served
sleep 3 # the controller's NAD watch ends with the CRD
check "s8__controller__survives_the_crd_going" ctl_alive
# and it still plans Pods (a CNIConfig network on the same pool)
k apply -f - >/dev/null <<EOF
apiVersion: podnet.dev/v1alpha1
kind: CNIConfig
metadata: {name: s8-after}
spec:
  plugins:
  - {type: bridge, bridge: $br, isGateway: false, ipMasq: false}
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: s8-after}
spec:
  provider: podnet.dev/cni
  parametersRefs:
  - {group: podnet.dev, kind: CNIConfig, name: s8-after}
  - {group: podnet.dev, kind: IPPool, name: s8-pool}
EOF
planned_in_netns() { # planned_in_netns POD IF: the plan's addresses are on IF
	_want=$(plan_of $ns "$1" | jq -r --arg i "$2" '.attachments[] | select(.interface == $i) | .ips | join(" ")')
	[ -n "$_want" ] && [ "$(addrs_of $ns "$1" "$2")" = "$_want " ]
}
mkpod $ns after '- podNetworkName: default
- podNetworkName: s8-after' >/dev/null
check "s8__controller__still_plans_pods_after_the_crd_went" poll 90 running $ns after
check "s8__after__planned_address_in_netns" planned_in_netns after net1
echo "  after: net1 $(addrs_of $ns after net1)"
finish
