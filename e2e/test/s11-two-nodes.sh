#!/bin/sh
# Scenario 11: a secondary network between two nodes. PodNetwork s11-data is
# a macvlan (bridge mode) on each node's uplink eth0, with IPPool
# 10.41.0.0/24: its frames leave one node over its uplink and reach the
# other node's through the machine's bridge, as a VLAN would between real
# servers. Pod a runs on node 1, Pod b on node 2, both asking for s11-data
# as data0; Pod c on node 2 asks for nothing. Asserted from inside the Pods'
# netns: a and b sit on different nodes with distinct pool addresses, ping
# each other over data0 both ways and learn each other's MAC there; c has no
# data0 and its pings to both addresses fail (node 2 has no route to the
# data subnet: it is blackholed there, so the probes stay on this machine).
set -u
. "$(dirname "$0")/../lib/podnet.sh"
ns=pn-s11
blackholed=0
cleanup() {
	podnet_down $ns
	podnet_forget_objects
	[ $blackholed = 0 ] || on_node 2 ip route del unreachable 10.41.0.0/24 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

in_pool() { case $1 in 10.41.0.*/24) return 0 ;; esac; return 1; }
node_of() { k -n "$1" get pod "$2" -o 'jsonpath={.spec.nodeName}'; }

check "s11__two_nodes" [ -n "${NODE_NAME2:-}" ]
check "s11__podnet__up" podnet_up
check "s11__network__applies" k apply -f - <<EOF
$(network_yaml s11-data s11-macvlan '{type: macvlan, master: eth0, mode: bridge}' s11-pool '{cidr: 10.41.0.0/24, start: 10.41.0.10, end: 10.41.0.99}')
EOF
check "s11__network__ready" poll 30 net_ready s11-data
mkns $ns
req='- podNetworkName: default
- podNetworkName: s11-data
  interfaceName: data0'
check "s11__pod_a_on_node1__created" mkpod_on 1 $ns a "$req"
check "s11__pod_b_on_node2__created" mkpod_on 2 $ns b "$req"
check "s11__pod_c_on_node2_without_request__created" mkpod_on 2 $ns c
for p in a b c; do
	check "s11__pod_${p}__running" poll 90 running $ns $p
done
a=$(addr4_of $ns a data0)
b=$(addr4_of $ns b data0)
echo "  a: node $(node_of $ns a), links $(links $ns a) data0 $a"
echo "  b: node $(node_of $ns b), links $(links $ns b) data0 $b"
echo "  c: node $(node_of $ns c), links $(links $ns c)"
check "s11__a_b__on_different_nodes" [ "$(node_of $ns a)/$(node_of $ns b)" = "$NODE_NAME/${NODE_NAME2:-}" ]
check "s11__a__data0_in_pool" in_pool "$a"
check "s11__b__data0_in_pool" in_pool "$b"
check "s11__a_b__distinct_addresses" distinct "$a" "$b"
check "s11__data0__macvlan_on_the_node_uplink" link_kind $ns b data0 macvlan
a=${a%/*}
b=${b%/*}
check "s11__a_to_b__ping_across_nodes" ping_ok $ns a "$b"
check "s11__b_to_a__ping_across_nodes" ping_ok $ns b "$a"
check "s11__a__learnt_b_on_data0" neigh_on $ns a data0 "$b"
check "s11__b__learnt_a_on_data0" neigh_on $ns b data0 "$a"
check "s11__c__no_data0" links_are $ns c "eth0 lo "
on_node 2 ip route add unreachable 10.41.0.0/24 2>/dev/null && blackholed=1
check "s11__c_to_a__ping_fails" ping_fails $ns c "$a"
check "s11__c_to_b__ping_fails" ping_fails $ns c "$b"
check "s11__pool__counts_two" poll 15 pool_allocated_is s11-pool 2
finish
