#!/bin/sh
# Scenario 2: the telecom example (docs/examples/telecom.yaml, applied as it
# is). PodNetworks signaling (macvlan on sig-parent), data (bridge pn-data)
# and storage (macvlan, private mode, on stor-parent: this kernel has no
# ipvlan), each with its own IPPool; Pod upf-0 asks for all three as sig0,
# data0, stor0 with a fixed address on signaling. Asserted inside the Pod's
# netns: four interfaces, the planned addresses, the default route on eth0;
# network-status matches the plan; each pool counts one address.
set -u
. "$(dirname "$0")/../lib/podnet.sh"
ns=default
cleanup() {
	k delete -f "$top/docs/examples/telecom.yaml" --wait=false >/dev/null 2>&1
	k -n default wait --for=delete pod/upf-0 --timeout=60s >/dev/null 2>&1
	podnet_down
	podnet_forget_objects
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

check "s2__podnet__up" podnet_up
check "s2__example__applies" k apply -f "$top/docs/examples/telecom.yaml"
for n in signaling data storage; do
	check "s2__network_${n}__ready" poll 30 net_ready $n
done
check "s2__upf-0__running" poll 90 running $ns upf-0
echo "  upf-0: links $(links $ns upf-0)"
for i in eth0 sig0 data0 stor0; do echo "    $i: $(addrs_of $ns upf-0 $i)"; done
check "s2__netns__four_interfaces" links_are $ns upf-0 "data0 eth0 lo sig0 stor0 "
check "s2__sig0__fixed_address" addr_is $ns upf-0 sig0 172.16.10.50/24
check "s2__data0__first_of_data_pool" addr_is $ns upf-0 data0 10.20.0.10/24
check "s2__stor0__first_of_storage_pool" addr_is $ns upf-0 stor0 192.168.50.20/24
ip=$(podip $ns upf-0)
check "s2__eth0__holds_the_pod_ip" [ "$(addr4_of $ns upf-0 eth0)" = "$ip/${DEFAULT_SUBNET#*/}" ]
check "s2__default_route__on_eth0" [ "$(default_dev $ns upf-0)" = eth0 ]
route_via() { [ "$(in_pod $ns upf-0 ip -4 route show "$1" | grep -c "dev $2")" = 1 ]; }
check "s2__data_route__via_data0" route_via 10.21.0.0/16 data0
check "s2__sig0__is_macvlan_bridge_mode" link_kind $ns upf-0 sig0 "macvlan mode bridge"
check "s2__stor0__is_macvlan_private_mode" link_kind $ns upf-0 stor0 "macvlan mode private"
check "s2__data0__is_veth_on_pn-data" sh -c 'on_node "$1" ip -o link show master pn-data | grep -q veth' _ "$(pod_node $ns upf-0)"
check "s2__plan__four_attachments" plan_has $ns upf-0 \
	'[.attachments[] | [.network, .interface]] == [["default","eth0"],["signaling","sig0"],["data","data0"],["storage","stor0"]]'
check "s2__network_status__four_entries" poll 15 status_has $ns upf-0 'length == 4'
echo "  network-status: $(netstatus $ns upf-0)"
check "s2__network_status__matches_the_netns" status_has $ns upf-0 --arg ip "$ip" '
	(map({key: .interface, value: {name, ips, default: (.default // false)}}) | from_entries) ==
	{eth0: {name: "default", ips: [$ip], default: true},
	 sig0: {name: "signaling", ips: ["172.16.10.50"], default: false},
	 data0: {name: "data", ips: ["10.20.0.10"], default: false},
	 stor0: {name: "storage", ips: ["192.168.50.20"], default: false}}'
for p in signaling-pool data-pool storage-pool; do
	check "s2__${p}__counts_one" poll 15 pool_allocated_is $p 1
done
podnetctl status --kubeconfig "$KUBECONFIG" -n $ns upf-0 >"$PN_DIR/status.out" 2>&1
rc=$?
sed 's/^/  | /' "$PN_DIR/status.out"
check "s2__podnetctl_status__exit_0_all_fine" [ $rc = 0 ]
for r in "eth0 +default" "sig0 +signaling +172.16.10.50" "data0 +data +10.20.0.10" "stor0 +storage +192.168.50.20"; do
	check "s2__podnetctl_status__row_$(echo "$r" | cut -d' ' -f1)" grep -Eq "$r" "$PN_DIR/status.out"
done
finish
