#!/bin/sh
# Scenario 4: a Pod asking for a PodNetwork that does not exist yet (s4-late)
# stays ContainerCreating: Pending, its container waiting with reason
# ContainerCreating and never restarted, kubelet's sandbox creation failing
# (the agent finds no plan within --plan-wait-ms), and a Warning Event from
# the controller naming the network. Creating the network (bridge pn-s4,
# IPPool 10.24.0.0/24) then lets the Pod start with nobody touching it:
# Running, its late0 interface holding the pool's first address,
# network-status listing it. Prints the seconds from the network's creation
# to Running (kubelet retries the sandbox with back-off).
set -u
. "$(dirname "$0")/../lib/podnet.sh"
ns=pn-s4
cleanup() {
	podnet_down $ns
	podnet_forget_objects
	on_node 1 ip link del pn-s4 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP


check "s4__podnet__up" podnet_up
mkns $ns
check "s4__pod__created" mkpod $ns late '- podNetworkName: default
- podNetworkName: s4-late
  interfaceName: late0'
t0=$(date +%s)
check "s4__controller__warning_event_names_the_network" \
	poll 30 event_is $ns late Warning podnet-controller 'PodNetwork "s4-late" not found'
# the agent waits --plan-wait-ms for a plan, then the shim fails the ADD
# (its message says no plan came; only the controller's Event names the
# network: the agent does not see the controller's reason)
check "s4__kubelet__sandbox_creation_fails_without_plan" \
	poll 60 event_is $ns late Warning kubelet "no attachment plan for Pod $ns/late"
echo "  after $(($(date +%s) - t0)) s, events of Pod late:"
show_events $ns late
check "s4__pod__stays_container_creating" container_creating $ns late
check "s4__pod__no_plan" [ -z "$(plan_of $ns late)" ]
sleep 5
check "s4__pod__still_container_creating" container_creating $ns late

check "s4__network__created" k apply -f - <<EOF
$(network_yaml s4-late s4-bridge '{type: bridge, bridge: pn-s4, isGateway: false, ipMasq: false}' s4-pool '{cidr: 10.24.0.0/24, start: 10.24.0.10, end: 10.24.0.99}')
EOF
t1=$(date +%s)
check "s4__network__ready" poll 30 net_ready s4-late
check "s4__pod__running_without_help" poll 120 running $ns late
t2=$(date +%s)
echo "  Running $((t2 - t1)) s after the network was created"
echo "  late: links $(links $ns late), late0 $(addr4_of $ns late late0)"
check "s4__pod__restart_count_zero" [ "$(restarts $ns late)" = 0 ]
check "s4__netns__eth0_and_late0" links_are $ns late "eth0 late0 lo "
check "s4__late0__first_of_pool" addr_is $ns late late0 10.24.0.10/24
check "s4__default_route__on_eth0" [ "$(default_dev $ns late)" = eth0 ]
check "s4__network_status__lists_late0" poll 15 status_has $ns late \
	'[.[] | select(.interface == "late0" and .name == "s4-late" and .ips == ["10.24.0.10"])] | length == 1'
check "s4__pool__counts_one" poll 15 pool_allocated_is s4-pool 1
finish
