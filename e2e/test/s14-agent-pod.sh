#!/bin/sh
# Scenario 14: an agent Pod is deleted. Pods run1 (node 1) and run2 (node 2)
# run with s14-net (bridge pn-s14, IPPool 10.44.0.0/24). Node 1's agent Pod
# is deleted, and while node 1 has no agent, Pod during2 is created on node 2
# and Pod during1 on node 1. Asserted: the DaemonSet starts a new agent on
# node 1 (a new Pod); node 2 kept attaching (during2 Running with its
# address while node 1 had none, or at once); during1 attaches once the new
# agent serves node 1; run1 and run2 keep their containers and addresses;
# the new agent knows node 1's Pods (its records name run1 and during1, and
# deleting run1 afterwards releases its address); no address twice.
set -u
. "$(dirname "$0")/../lib/podnet.sh"
ns=pn-s14
cleanup() {
	podnet_down $ns
	podnet_forget_objects
	for n in $NODES; do on_node "$n" ip link del pn-s14 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

req='- podNetworkName: default
- podNetworkName: s14-net
  interfaceName: net0'
container_id() { k -n "$1" get pod "$2" -o 'jsonpath={.status.containerStatuses[0].containerID}'; }
in_pool() { case $1 in 10.44.0.*/24) return 0 ;; esac; return 1; }
records_name() { # records_name N POD: node N's agent has a record of POD
	for r in "$(node_path "$1" /var/lib/podnet/records)"/*; do
		[ -f "$r" ] && jq -e --arg ns $ns --arg p "$2" '.podNamespace == $ns and .podName == $p' "$r" >/dev/null && return 0
	done
	return 1
}
agent_is_new() { _a=$(agent_pod 1) && [ -n "$_a" ] && [ "$_a" != "$1" ] && podnet_ready; }

check "s14__two_nodes" [ -n "${NODE_NAME2:-}" ]
check "s14__podnet__up" podnet_up
check "s14__network__applies" k apply -f - <<EOF
$(network_yaml s14-net s14-bridge '{type: bridge, bridge: pn-s14, isGateway: false, ipMasq: false}' s14-pool '{cidr: 10.44.0.0/24, start: 10.44.0.10, end: 10.44.0.99}')
EOF
check "s14__network__ready" poll 30 net_ready s14-net
mkns $ns
check "s14__run1__created" mkpod_on 1 $ns run1 "$req"
check "s14__run2__created" mkpod_on 2 $ns run2 "$req"
for p in run1 run2; do check "s14__${p}__running" poll 90 running $ns $p; done
c1=$(container_id $ns run1) c2=$(container_id $ns run2)
a1=$(addrs_of $ns run1 net0) a2=$(addrs_of $ns run2 net0)

old=$(agent_pod 1)
echo "  node 1's agent: $old"
t0=$(date +%s)
check "s14__agent_pod__deleted" k -n $PN_NS delete pod "$old" --wait=false
check "s14__during2__created_on_node2" mkpod_on 2 $ns during2 "$req"
check "s14__during1__created_on_node1" mkpod_on 1 $ns during1 "$req"
check "s14__during2__running" poll 90 running $ns during2
echo "  during2 (node 2) Running $(($(date +%s) - t0)) s after the agent Pod of node 1 was deleted"
check "s14__agent__new_pod_on_node1" poll 120 agent_is_new "$old"
echo "  new agent on node 1: $(agent_pod 1), ready $(($(date +%s) - t0)) s after the deletion"
check "s14__during1__running" poll 120 running $ns during1
echo "  during1 (node 1) Running $(($(date +%s) - t0)) s after the deletion"
for p in during1 during2; do
	check "s14__${p}__net0_in_pool" in_pool "$(addr4_of $ns $p net0)"
	check "s14__${p}__network_status" poll 15 status_has $ns $p 'length == 2'
done
check "s14__run1__same_container" [ "$(container_id $ns run1)" = "$c1" ]
check "s14__run2__same_container" [ "$(container_id $ns run2)" = "$c2" ]
check "s14__run1__same_address" [ "$(addrs_of $ns run1 net0)" = "$a1" ]
check "s14__run2__same_address" [ "$(addrs_of $ns run2 net0)" = "$a2" ]
check "s14__new_agent__records_run1" records_name 1 run1
check "s14__new_agent__records_during1" records_name 1 during1
all="$a1 $a2 $(addrs_of $ns during1 net0) $(addrs_of $ns during2 net0)"
check "s14__no_address_twice" [ -z "$(echo "$all" | tr ' ' '\n' | grep . | sort | uniq -d)" ]
check "s14__pool__counts_four" poll 30 pool_allocated_is s14-pool 4
k -n $ns delete pod run1 --wait=false >/dev/null
norec() { ! records_name 1 run1; }
check "s14__run1_deleted__new_agent_drops_its_record" poll 60 norec
check "s14__run1_deleted__pool_counts_three" poll 30 pool_allocated_is s14-pool 3
finish
