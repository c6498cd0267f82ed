#!/bin/sh
# Scenario 12: controller failover under load. 30 Pods asking for s12-net
# (bridge pn-s12 on each node, IPPool 10.42.0.0/24) are created one after
# the other, alternating between the two nodes; after the 10th creation the
# leading controller's Pod is deleted (kubectl delete pod, as a node drain
# or an eviction would). The standby takes the lease and the Deployment
# starts a new replica. Asserted: the leader changed; every Pod is planned
# and Running with its planned address in its netns; no address is given
# twice; the pool counts exactly the 30 live Pods, as the new leader's own
# count does. Then all Pods are deleted and the pool is back to 0. Prints
# the time the lease was without a live holder and the time to converge.
set -u
export LC_ALL=C
. "$(dirname "$0")/../lib/podnet.sh"
ns=pn-s12
total=30
cleanup() {
	podnet_down $ns
	podnet_forget_objects
	for n in $NODES; do on_node "$n" ip link del pn-s12 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

all_running() {
	[ "$(k -n $ns get pods -o json | jq '[.items[] | select(.status.phase == "Running")] | length')" = $total ]
}
all_planned() {
	[ "$(k -n $ns get pods -o json | jq '[.items[] | select(.metadata.annotations["podnet.dev/plan"] != null)] | length')" = $total ]
}
leader_is_not() { _l=$(leader_pod) && [ -n "$_l" ] && [ "$_l" != "$1" ]; }
now_ms() { date +%s%3N; }

check "s12__two_nodes" [ -n "${NODE_NAME2:-}" ]
check "s12__podnet__up" podnet_up
check "s12__network__applies" k apply -f - <<EOF
$(network_yaml s12-net s12-bridge '{type: bridge, bridge: pn-s12, isGateway: false, ipMasq: false}' s12-pool '{cidr: 10.42.0.0/24, start: 10.42.0.10, end: 10.42.0.199}')
EOF
check "s12__network__ready" poll 30 net_ready s12-net
mkns $ns
req='- podNetworkName: default
- podNetworkName: s12-net
  interfaceName: net0'
old=$(leader_pod)
echo "  leader before: $old"
t0=$(now_ms)
created=0
for i in $(seq 0 $((total - 1))); do
	PN_POD_NODE=$((i % 2 + 1))
	mkpod $ns "p$i" "$req" >/dev/null 2>&1 && created=$((created + 1))
	if [ "$i" = 9 ]; then
		k -n $PN_NS delete pod "$old" --wait=false >/dev/null
		t_del=$(now_ms)
	fi
done
PN_POD_NODE=1
check "s12__pods__all_created" [ $created = $total ]
check "s12__leader__moved_to_another_pod" poll 120 leader_is_not "$old"
t_lead=$(now_ms)
echo "  new leader: $(leader_pod), $(((t_lead - t_del) / 1000)) s after the old one was deleted"
check "s12__pods__all_planned" poll 180 all_planned
check "s12__pods__all_running" poll 180 all_running
t1=$(now_ms)
echo "  $total Pods planned and Running $(((t1 - t0) / 1000)) s after the first creation"
on1=$(k -n $ns get pods -o json | jq --arg n "$NODE_NAME" '[.items[] | select(.spec.nodeName == $n)] | length')
echo "  Pods per node: $on1 on $NODE_NAME, $((total - on1)) on $NODE_NAME2"
check "s12__pods__on_both_nodes" [ "$on1" -gt 0 -a "$on1" -lt $total ]
bad="" plan_ips="" netns_ips=""
for i in $(seq 0 $((total - 1))); do
	want=$(plan_of $ns "p$i" | jq -r '.attachments[]? | select(.interface == "net0") | .ips | join(" ")')
	have=$(addrs_of $ns "p$i" net0)
	[ -n "$want" ] && [ "$have" = "$want " ] || bad="$bad p$i"
	plan_ips="$plan_ips $want"
	netns_ips="$netns_ips $have"
done
[ -z "$bad" ] || echo "  wrong addresses in:$bad"
check "s12__pods__planned_address_in_netns" [ -z "$bad" ]
n_plan=$(echo "$plan_ips" | wc -w)
echo "  addresses given: $n_plan ($(echo "$plan_ips" | tr ' ' '\n' | grep . | sort -u | wc -l) distinct)"
check "s12__plans__one_address_per_pod" [ "$n_plan" = $total ]
check "s12__plans__no_address_given_twice" [ -z "$(echo "$plan_ips" | tr ' ' '\n' | grep . | sort | uniq -d)" ]
check "s12__netns__no_address_used_twice" [ -z "$(echo "$netns_ips" | tr ' ' '\n' | grep . | sort | uniq -d)" ]
check "s12__pool__counts_the_live_pods" poll 30 pool_allocated_is s12-pool $total
check "s12__new_leader__counts_the_live_pods" poll 30 ctl_pool_allocated_is s12-pool $total
echo "  pool: status $(pool_allocated s12-pool), leader $(ctl_pool_allocated s12-pool)"
check "s12__controllers__two_ready_again" poll 120 podnet_ready
k -n $ns delete pods --all --wait=false >/dev/null
check "s12__pods__deleted" poll 120 no_pods $ns
check "s12__pool__back_to_0" poll 30 pool_allocated_is s12-pool 0
finish
