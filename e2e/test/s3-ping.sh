#!/bin/sh
# Scenario 3: two Pods on a data network reach each other over data0; a Pod
# that did not ask for it cannot. PodNetwork s3-data: a Linux bridge pn-s3
# (no gateway, no masquerade: the host does not route for it) with IPPool
# 10.20.0.0/24, like the telecom example's `data`. Pods a and b ask for
# default + s3-data as data0; Pod c asks for nothing. Asserted from inside
# the Pods' netns: a and b ping each other's data0 address both ways (and
# learn each other's MAC on data0); c has no data0, the node has no address
# or route on the data subnet, and c's pings to both data addresses fail.
set -u
. "$(dirname "$0")/../lib/podnet.sh"
ns=pn-s3
cleanup() {
	podnet_down $ns
	podnet_forget_objects
	on_node 1 ip link del pn-s3 2>/dev/null
	[ $blackholed = 0 ] || on_node 1 ip route del unreachable 10.20.0.0/24 2>/dev/null
}
blackholed=0
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

in_pool() { case $1 in 10.20.0.*/24) return 0 ;; esac; return 1; }
# the node neither holds an address on pn-s3 nor routes the data subnet
node_isolated() {
	[ -z "$(on_node 1 ip -4 -o addr show dev pn-s3)" ] && ! on_node 1 ip -4 route show table all | grep -q '^[a-z]* *10\.20\.0\.'
}

check "s3__podnet__up" podnet_up
check "s3__network__applies" k apply -f - <<EOF
$(network_yaml s3-data s3-bridge '{type: bridge, bridge: pn-s3, isGateway: false, ipMasq: false, mtu: 1500}' s3-pool '{cidr: 10.20.0.0/24, start: 10.20.0.10, end: 10.20.0.199}')
EOF
check "s3__network__ready" poll 30 net_ready s3-data
mkns $ns
req='- podNetworkName: default
- podNetworkName: s3-data
  interfaceName: data0'
check "s3__pod_a__created" mkpod $ns a "$req"
check "s3__pod_b__created" mkpod $ns b "$req"
check "s3__pod_c_without_request__created" mkpod $ns c
for p in a b c; do
	check "s3__pod_${p}__running" poll 90 running $ns $p
done
a=$(addr4_of $ns a data0)
b=$(addr4_of $ns b data0)
echo "  a: links $(links $ns a) data0 $a"
echo "  b: links $(links $ns b) data0 $b"
echo "  c: links $(links $ns c) eth0 $(addr4_of $ns c eth0)"
check "s3__a__data0_in_pool" in_pool "$a"
check "s3__b__data0_in_pool" in_pool "$b"
check "s3__a_b__distinct_addresses" distinct "$a" "$b"
check "s3__data0__both_on_bridge_pn-s3" sh -c '[ "$(on_node 1 ip -o link show master pn-s3 | grep -c veth)" = 2 ]'
a=${a%/*}
b=${b%/*}
check "s3__a_to_b__ping_over_data0" ping_ok $ns a "$b"
check "s3__b_to_a__ping_over_data0" ping_ok $ns b "$a"
check "s3__a__learnt_b_on_data0" neigh_on $ns a data0 "$b"
check "s3__b__learnt_a_on_data0" neigh_on $ns b data0 "$a"
check "s3__c__no_data0" links_are $ns c "eth0 lo "
check "s3__node__no_address_nor_route_on_data" node_isolated
# c's only way out is eth0 to the node; keep its probes on this machine
# (the node would otherwise forward them to its own uplink)
on_node 1 ip route add unreachable 10.20.0.0/24 2>/dev/null && blackholed=1
check "s3__c_to_a__ping_fails" ping_fails $ns c "$a"
check "s3__c_to_b__ping_fails" ping_fails $ns c "$b"
check "s3__pool__counts_two" poll 15 pool_allocated_is s3-pool 2
finish
