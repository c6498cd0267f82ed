#!/bin/sh
# Scenario 9: `enabled: false`. Pod old runs on PodNetwork s9-net (bridge
# pn-s9, IPPool 10.29.0.0/24) as dis0. The network is then disabled
# (kubectl patch --type merge spec.enabled=false): its Ready condition turns
# False with reason AdministrativelyDisabled; Pod old keeps dis0, its
# address, its network-status entry and its pool address (checked again a
# few seconds later); a new Pod asking for the network does not start and
# gets a Warning Event naming the network and saying it is disabled.
# Re-enabling it lets the new Pod start on its own, with its own address.
# Prints the seconds from re-enabling to Running.
set -u
. "$(dirname "$0")/../lib/podnet.sh"
ns=pn-s9
cleanup() {
	podnet_down $ns
	podnet_forget_objects
	on_node 1 ip link del pn-s9 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

ready_is() { [ "$(condition "$1" Ready status)" = "$2" ] && [ "$(condition "$1" Ready reason)" = "$3" ]; }
dis0_listed() { status_has "$1" "$2" --arg ip "$3" '[.[] | select(.interface == "dis0" and .name == "s9-net" and .ips == [$ip])] | length == 1'; }
in_pool() { case $1 in 10.29.0.*/24) return 0 ;; esac; return 1; }
req='- podNetworkName: default
- podNetworkName: s9-net
  interfaceName: dis0'

check "s9__podnet__up" podnet_up
check "s9__network__applies" k apply -f - <<EOF
$(network_yaml s9-net s9-bridge '{type: bridge, bridge: pn-s9, isGateway: false, ipMasq: false}' s9-pool '{cidr: 10.29.0.0/24, start: 10.29.0.10, end: 10.29.0.99}' 'enabled: true')
EOF
check "s9__network__ready" poll 30 ready_is s9-net True Ready
mkns $ns
check "s9__old_pod__created" mkpod $ns old "$req"
check "s9__old_pod__running" poll 90 running $ns old
old=$(addr4_of $ns old dis0)
echo "  old: links $(links $ns old), dis0 $old"
check "s9__old_pod__dis0_in_pool" in_pool "$old"
check "s9__old_pod__listed_in_network_status" poll 15 dis0_listed $ns old "${old%/*}"
check "s9__pool__counts_one" poll 15 pool_allocated_is s9-pool 1

# ---- disable --------------------------------------------------------------------
check "s9__network__disabled" k patch podnetwork s9-net --type merge -p '{"spec":{"enabled":false}}'
check "s9__ready__false_administratively_disabled" poll 15 ready_is s9-net False AdministrativelyDisabled
echo "  Ready: $(condition s9-net Ready status) $(condition s9-net Ready reason): $(condition s9-net Ready message)"
check "s9__new_pod__created" mkpod $ns new "$req"
check "s9__new_pod__warning_names_network_disabled" \
	poll 30 event_is $ns new Warning podnet-controller 'PodNetwork "s9-net" is disabled'
# kubelet tried the sandbox and the ADD failed (no plan within --plan-wait-ms)
check "s9__new_pod__sandbox_refused" poll 60 event_is $ns new Warning kubelet "no attachment plan for Pod $ns/new"
echo "  events of Pod new:"
show_events $ns new
check "s9__new_pod__not_started" container_creating $ns new
check "s9__new_pod__no_plan" [ -z "$(plan_of $ns new)" ]
echo "  events of Pod old:"
show_events $ns old
# the running Pod, well after the change
check "s9__old_pod__still_running" running $ns old
check "s9__old_pod__keeps_dis0_address" addr_is $ns old dis0 "$old"
check "s9__old_pod__still_in_network_status" dis0_listed $ns old "${old%/*}"
check "s9__old_pod__plan_keeps_s9-net" plan_has $ns old '[.attachments[].network] == ["default","s9-net"]'
check "s9__old_pod__restart_count_zero" [ "$(restarts $ns old)" = 0 ]
check "s9__pool__still_counts_one" pool_allocated_is s9-pool 1

# ---- enable again ----------------------------------------------------------------
check "s9__network__enabled_again" k patch podnetwork s9-net --type merge -p '{"spec":{"enabled":true}}'
t0=$(date +%s)
check "s9__ready__true_again" poll 15 ready_is s9-net True Ready
check "s9__new_pod__running_on_its_own" poll 120 running $ns new
echo "  new: Running $(($(date +%s) - t0)) s after re-enabling; links $(links $ns new), dis0 $(addr4_of $ns new dis0)"
new=$(addr4_of $ns new dis0)
check "s9__new_pod__dis0_in_pool" in_pool "$new"
check "s9__new_pod__own_address" distinct "$new" "$old"
check "s9__new_pod__restart_count_zero" [ "$(restarts $ns new)" = 0 ]
check "s9__old_pod__dis0_unchanged" addr_is $ns old dis0 "$old"
check "s9__pool__counts_two" poll 15 pool_allocated_is s9-pool 2
finish
