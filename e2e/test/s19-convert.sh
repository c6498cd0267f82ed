#!/bin/sh
# Scenario 19: a Multus user's objects through `podnetctl convert`, then
# used. The five NetworkAttachmentDefinitions of controller/cli/test/convert
# (bridge with host-local, macvlan with Whereabouts, ipvlan with static,
# SR-IOV-style host-device with DHCP, macvlan + tuning with Whereabouts
# excludes) and the Pod conv-pod with the JSON form of
# k8s.v1.cni.cncf.io/networks are converted; the output passes `validate`
# and is applied. conv-pod runs with br1, sig1 and stor1 on the converted
# bridge, macvlan and Whereabouts-exclude networks, with the first address
# of each converted IPPool (checked in its netns and network-status). The
# ipvlan and host-device networks are converted, applied and resolved
# (ParamsReady) but not attached: this kernel has no ipvlan, and the nodes
# have no SR-IOV device. The converted Deployment (short form) is checked
# by the API server with a server-side dry run.
set -u
. "$(dirname "$0")/../lib/podnet.sh"
ns=default
fx=$top/controller/cli/test/convert
out=$PN_DIR/converted.yaml
cleanup() {
	k -n $ns delete pod conv-pod --wait=false >/dev/null 2>&1
	k -n $ns wait --for=delete pod/conv-pod --timeout=60s >/dev/null 2>&1
	podnet_down
	for _nd in $NODES; do on_node "$_nd" ip link del conv-br0 2>/dev/null; done
	podnet_forget_objects
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

check "s19__podnet__up" podnet_up
(cd "$fx" && podnetctl convert bridge-host-local.yaml macvlan-whereabouts.yaml ipvlan-static.yaml \
	sriov-host-device.yaml whereabouts-exclude.yaml pod-json.yaml) >"$out" 2>"$PN_DIR/convert.err"
rc=$?
sed 's/^/  | /' "$PN_DIR/convert.err"
check "s19__convert__exit_1_something_reported" [ $rc = 1 ]
check "s19__convert__three_reports" [ "$(wc -l <"$PN_DIR/convert.err")" = 3 ]
check "s19__convert__dhcp_reported" grep -qxF \
	'NetworkAttachmentDefinition default/sriov-net: spec.config.ipam.type: "dhcp" has no podnet equivalent; kept in the CNI config' \
	"$PN_DIR/convert.err"
check "s19__convert__output_validates" podnetctl validate "$out"
check "s19__converted__applies" k apply -f "$out"
for n in bridge-net macvlan-net whereabouts-exclude; do
	check "s19__network_${n}__ready" poll 30 net_ready $n
done
for n in ipvlan-net sriov-net; do
	check "s19__network_${n}__params_ready" poll 30 condition_is $n ParamsReady True
done
check "s19__conv-pod__running" poll 90 running $ns conv-pod
echo "  conv-pod: links $(links $ns conv-pod)"
for i in eth0 br1 sig1 stor1; do echo "    $i: $(addrs_of $ns conv-pod $i)"; done
check "s19__netns__four_interfaces" links_are $ns conv-pod "br1 eth0 lo sig1 stor1 "
check "s19__br1__first_of_host-local_range" addr_is $ns conv-pod br1 10.30.0.10/24
check "s19__sig1__first_of_whereabouts_range" addr_is $ns conv-pod sig1 172.16.20.10/24
check "s19__stor1__first_not_excluded" addr_is $ns conv-pod stor1 192.168.2.225/28
route_via() { in_pod $ns conv-pod ip -4 route show "$1" | grep -q "dev $2"; }
mtu_is() { in_pod $ns conv-pod ip -o link show "$1" | grep -q "mtu $2 "; }
check "s19__br1__host-local_route" route_via 10.31.0.0/16 br1
check "s19__br1__on_conv-br0" sh -c \
	'on_node "$1" ip -o link show master conv-br0 | grep -q veth' _ "$(pod_node $ns conv-pod)"
check "s19__sig1__macvlan_bridge" link_kind $ns conv-pod sig1 "macvlan mode bridge"
check "s19__stor1__macvlan_private" link_kind $ns conv-pod stor1 "macvlan mode private"
check "s19__stor1__tuning_mtu_1400" mtu_is stor1 1400
check "s19__default_route__on_eth0" [ "$(default_dev $ns conv-pod)" = eth0 ]
check "s19__network_status__four_entries" poll 15 status_has $ns conv-pod 'length == 4'
echo "  network-status: $(netstatus $ns conv-pod)"
check "s19__network_status__converted_networks" status_has $ns conv-pod '
	(map(select(.interface != "eth0")) | map({key: .interface, value: {name, ips}}) | from_entries) ==
	{br1: {name: "bridge-net", ips: ["10.30.0.10"]},
	 sig1: {name: "macvlan-net", ips: ["172.16.20.10"]},
	 stor1: {name: "whereabouts-exclude", ips: ["192.168.2.225"]}}'
for p in bridge-net-pool macvlan-net-pool whereabouts-exclude-pool; do
	check "s19__${p}__counts_one" poll 15 pool_allocated_is $p 1
done
check "s19__ipvlan-net-pool__counts_none" pool_allocated_is ipvlan-net-pool 0
(cd "$fx" && podnetctl convert deployment-short.yaml) >"$PN_DIR/deployment.yaml" 2>&1
check "s19__deployment__converts" [ $? = 0 ]
check "s19__deployment__server_dry_run" k apply --dry-run=server -f "$PN_DIR/deployment.yaml"
finish
