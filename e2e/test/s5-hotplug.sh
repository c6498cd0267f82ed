#!/bin/sh
# Scenario 5: hot-plug. Pod hp runs with eth0 (default) and data0 (s5-data,
# bridge pn-s5). Its podnet.dev/networks annotation is then overwritten to
# add s5-storage (macvlan, private mode, on stor-parent, IPPool
# 192.168.55.0/24) as stor0: the interface appears in its netns with the
# planned address, network-status lists it, the pool counts it. The
# annotation is then put back: stor0 disappears, network-status drops it,
# the pool is back to zero, and a new Pod asking for that exact address
# (`ips:`) gets it. Pod hp never restarts (same container, restartCount 0)
# and its data0 keeps its address throughout. Prints the seconds to attach
# and to detach.
set -u
. "$(dirname "$0")/../lib/podnet.sh"
ns=pn-s5
cleanup() {
	podnet_down $ns
	podnet_forget_objects
	on_node 1 ip link del pn-s5 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

has_link() { in_pod "$1" "$2" ip link show dev "$3"; }
# no_link NS POD DEV: the Pod's netns is reachable and has no DEV
no_link() { [ -n "$(podpid "$1" "$2")" ] && ! in_pod "$1" "$2" ip link show dev "$3"; }
container_id() { k -n "$1" get pod "$2" -o 'jsonpath={.status.containerStatuses[0].containerID}'; }
# plan_ips NS POD NETWORK: the addresses the plan gives that network
plan_ips() { plan_of "$1" "$2" | jq -r --arg n "$3" '.attachments[] | select(.network == $n) | .ips | join(" ")'; }
same_container() { [ -n "$3" ] && [ "$(container_id "$1" "$2")" = "$3" ]; }
now_ms() { date +%s%3N; }
secs() { echo "$1 $2" | awk '{ printf "%.2f", ($2 - $1) / 1000 }'; }

check "s5__podnet__up" podnet_up
check "s5__networks__apply" k apply -f - <<EOF
$(network_yaml s5-data s5-bridge '{type: bridge, bridge: pn-s5, isGateway: false, ipMasq: false}' s5-data-pool '{cidr: 10.25.0.0/24, start: 10.25.0.10, end: 10.25.0.99}')
$(network_yaml s5-storage s5-macvlan '{type: macvlan, master: stor-parent, mode: private}' s5-storage-pool '{cidr: 192.168.55.0/24, start: 192.168.55.20, end: 192.168.55.29}')
EOF
check "s5__network_data__ready" poll 30 net_ready s5-data
check "s5__network_storage__ready" poll 30 net_ready s5-storage
mkns $ns
before='- podNetworkName: default
- podNetworkName: s5-data
  interfaceName: data0'
after="$before
- podNetworkName: s5-storage
  interfaceName: stor0"
check "s5__pod__created" mkpod $ns hp "$before"
check "s5__pod__running" poll 90 running $ns hp
cid=$(container_id $ns hp)
data0=$(addr4_of $ns hp data0)
echo "  hp: links $(links $ns hp), data0 $data0, container ${cid#containerd://}"
check "s5__netns__eth0_and_data0" links_are $ns hp "data0 eth0 lo "
check "s5__storage_pool__zero_before" poll 15 pool_allocated_is s5-storage-pool 0

# ---- attach -------------------------------------------------------------------
t0=$(now_ms)
check "s5__annotation__storage_added" k -n $ns annotate --overwrite pod hp "podnet.dev/networks=$after"
check "s5__stor0__appears" poll 30 has_link $ns hp stor0
t1=$(now_ms)
echo "  stor0 appeared $(secs "$t0" "$t1") s after the annotation changed"
planned=$(plan_ips $ns hp s5-storage)
echo "  hp: links $(links $ns hp), stor0 $(addr4_of $ns hp stor0), planned $planned"
check "s5__plan__stor0_first_of_pool" [ "$planned" = 192.168.55.20/24 ]
check "s5__stor0__planned_address" poll 10 addr_is $ns hp stor0 "$planned"
check "s5__stor0__is_macvlan_private_mode" link_kind $ns hp stor0 "macvlan mode private"
check "s5__network_status__lists_stor0" poll 15 status_has $ns hp \
	'[.[] | select(.interface == "stor0" and .name == "s5-storage" and .ips == ["192.168.55.20"])] | length == 1'
echo "  network-status: $(netstatus $ns hp)"
check "s5__storage_pool__counts_one" poll 15 pool_allocated_is s5-storage-pool 1
check "s5__data0__unchanged" addr_is $ns hp data0 "$data0"

# ---- detach -------------------------------------------------------------------
t0=$(now_ms)
check "s5__annotation__storage_removed" k -n $ns annotate --overwrite pod hp "podnet.dev/networks=$before"
check "s5__stor0__disappears" poll 30 no_link $ns hp stor0
t1=$(now_ms)
echo "  stor0 gone $(secs "$t0" "$t1") s after the annotation changed"
check "s5__netns__back_to_eth0_and_data0" links_are $ns hp "data0 eth0 lo "
check "s5__plan__storage_dropped" poll 15 plan_has $ns hp '[.attachments[].network] == ["default","s5-data"]'
check "s5__network_status__drops_stor0" poll 15 status_has $ns hp '[.[].interface] | sort == ["data0","eth0"]'
check "s5__storage_pool__back_to_zero" poll 15 pool_allocated_is s5-storage-pool 0
check "s5__data0__still_unchanged" addr_is $ns hp data0 "$data0"
check "s5__new_pod__asks_the_freed_address" mkpod $ns taker '- podNetworkName: default
- podNetworkName: s5-storage
  interfaceName: stor0
  ips: [192.168.55.20]'
check "s5__new_pod__running" poll 90 running $ns taker
check "s5__new_pod__holds_the_freed_address" addr_is $ns taker stor0 192.168.55.20/24

# ---- the Pod itself -------------------------------------------------------------
check "s5__pod__still_running" running $ns hp
check "s5__pod__restart_count_zero" [ "$(restarts $ns hp)" = 0 ]
check "s5__pod__same_container" same_container $ns hp "$cid"
finish
