#!/bin/sh
# Scenario 17: scheduling. kube-scheduler asks podnet-webhook's extender
# filter (e2e/cluster/up configures it, through the API server's service
# proxy) which nodes can take a Pod; these Pods carry no nodeName.
#  (a) A Pod asking for a disabled PodNetwork (s17-off, a bridge) stays
#      Pending: PodScheduled False, reason Unschedulable, its message names
#      the network and the reason (AdministrativelyDisabled); no node is
#      bound. Enabling the network: the controller writes
#      podnet.dev/schedule-retry on the Pod, the scheduler binds it and it
#      runs. Prints the seconds from enabling to Running.
#  (b) With the agents' PodNetworkNode reports: PodNetwork s17-mv is a
#      macvlan whose master s17-parent exists on node 2 only. The reports
#      and the status say 1 node of 2 (`kubectl get podnetworks`); 10 Pods
#      asking for it all run on node 2. The link removed on node 2: once its
#      report says so, a new Pod stays Pending and its message names the
#      network and ParentLinkMissing.
#  (c) podnet-webhook scaled to 0: the extender is ignorable, so a Pod
#      asking for that network is bound to a node as without podnet's
#      filter (and waits there in ContainerCreating); the webhook is scaled
#      back to 2.
set -u
. "$(dirname "$0")/../lib/podnet.sh"
ns=pn-s17
scaled=0
cleanup() {
	[ $scaled = 0 ] || scale_deploy podnet-webhook 2
	podnet_down $ns
	podnet_forget_objects
	on_node 1 ip link del s17-parent 2>/dev/null
	on_node 2 ip link del s17-parent 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

n1=$NODE_NAME
n2=${NODE_NAME2:-}
# spod NAME NETWORKS-YAML: a busybox Pod the scheduler places (no nodeName)
spod() {
	cat >"$PN_DIR/pod-$ns-$1.yaml" <<EOP
apiVersion: v1
kind: Pod
metadata:
  name: $1
  namespace: $ns
  annotations:
    podnet.dev/networks: |
$(printf '%s\n' "$2" | sed 's/^/      /')
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: main
    image: $POD_IMAGE
    imagePullPolicy: Never
    command: [sleep, "3600"]
EOP
	poll 30 k create -f "$PN_DIR/pod-$ns-$1.yaml"
}
scheduled() { k -n $ns get pod "$1" -o 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].'"$2"'}'; }
# pending_with POD TEXT: unbound, PodScheduled False Unschedulable, message has TEXT
pending_with() {
	[ -z "$(k -n $ns get pod "$1" -o 'jsonpath={.spec.nodeName}')" ] &&
		[ "$(scheduled "$1" status)/$(scheduled "$1" reason)" = False/Unschedulable ] &&
		scheduled "$1" message | grep -qF -- "$2"
}
node_of() { k -n $ns get pod "$1" -o 'jsonpath={.spec.nodeName}'; }
entry() { k get podnetworknode "$1" -o "jsonpath={.status.networks[?(@.name==\"$2\")].$3}" 2>/dev/null; }
entry_is() { [ "$(entry "$1" "$2" "$3")" = "$4" ]; }
nodes_are() { [ "$(k get podnetwork "$1" -o 'jsonpath={.status.nodes.available}/{.status.nodes.total}')" = "$2/$3" ]; }
has_link() { links "$1" "$2" | grep -qw "$3"; }
# since T0: seconds elapsed since a `date +%s.%N` stamp, to the tenth
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
all_on_node2() {
	for i in $(seq 1 10); do
		running $ns mv-$i && [ "$(node_of mv-$i)" = "$n2" ] || return 1
	done
}

check "s17__two_nodes" [ -n "$n2" ]
check "s17__podnet__up" podnet_up
check "s17__scheduler__has_the_extender" grep -q 'services/https:podnet-webhook:443/proxy/scheduler' \
	"$PODNET_CLUSTER_DIR/kube-scheduler.yaml"
mkns $ns

# ---- (a) a disabled network ------------------------------------------------------
check "s17__off_network__applies" k apply -f - <<EOF
$(network_yaml s17-off s17-bridge '{type: bridge, bridge: pn-s17, isGateway: false, ipMasq: false}' s17-off-pool '{cidr: 10.57.0.0/24, start: 10.57.0.10, end: 10.57.0.99}' 'enabled: false')
EOF
check "s17__off_network__not_ready_disabled" poll 30 sh -c \
	"[ \"\$(k get podnetwork s17-off -o 'jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}')\" = AdministrativelyDisabled ]"
check "s17__waiting_pod__created" spod waiting '- podNetworkName: default
- podNetworkName: s17-off
  interfaceName: off0'
check "s17__waiting_pod__pending_naming_network_and_reason" poll 30 pending_with waiting \
	'podnet: PodNetwork "s17-off" is not Ready (AdministrativelyDisabled)'
echo "  PodScheduled: $(scheduled waiting status) $(scheduled waiting reason): $(scheduled waiting message)"
sleep 3
check "s17__waiting_pod__still_pending" pending_with waiting 's17-off'
check "s17__waiting_pod__no_plan" [ -z "$(plan_of $ns waiting)" ]
check "s17__network__enabled" k patch podnetwork s17-off --type merge -p '{"spec":{"enabled":true}}'
t0=$(date +%s.%N)
check "s17__network__ready" poll 15 net_ready s17-off
check "s17__waiting_pod__retry_annotation_written" poll 15 sh -c \
	"[ -n \"\$(k -n $ns get pod waiting -o 'jsonpath={.metadata.annotations.podnet\\.dev/schedule-retry}')\" ]"
check "s17__waiting_pod__scheduled" poll 30 sh -c "[ -n \"\$(k -n $ns get pod waiting -o 'jsonpath={.spec.nodeName}')\" ]"
bound=$(since "$t0")
check "s17__waiting_pod__running" poll 90 running $ns waiting
echo "  waiting: bound to $(node_of waiting) $bound s after enabling, Running $(since "$t0") s after enabling; links $(links $ns waiting)"
check "s17__waiting_pod__has_off0" has_link $ns waiting off0

# ---- (b) a network only node 2 can serve ----------------------------------------
on_node 2 ip link add s17-parent type dummy 2>/dev/null || on_node 2 ip link add s17-parent type ifb
on_node 2 ip link set s17-parent up
check "s17__parent_link__on_node2_only" sh -c '! on_node 1 ip link show s17-parent && on_node 2 ip link show s17-parent'
check "s17__mv_network__applies" k apply -f - <<EOF
$(network_yaml s17-mv s17-macvlan '{type: macvlan, master: s17-parent, mode: bridge}' s17-mv-pool '{cidr: 10.58.0.0/24, start: 10.58.0.10, end: 10.58.0.99}')
EOF
check "s17__mv_network__ready" poll 30 net_ready s17-mv
check "s17__node1_report__parent_link_missing" poll 45 entry_is "$n1" s17-mv reason ParentLinkMissing
check "s17__node2_report__available" poll 45 entry_is "$n2" s17-mv available true
check "s17__status_nodes__1_of_2" poll 30 nodes_are s17-mv 1 2
echo "  \$ kubectl get podnetworks s17-mv"
k get podnetworks s17-mv | sed 's/^/    /'
t0=$(date +%s.%N)
for i in $(seq 1 10); do
	spod mv-$i '- podNetworkName: default
- podNetworkName: s17-mv
  interfaceName: mv0' >/dev/null 2>&1 || ko "s17__mv_pod_${i}__created"
done
check "s17__ten_pods__all_running_on_node2" poll 120 all_on_node2
echo "  10 Pods on s17-mv Running $(since "$t0") s after creation; by node:$(for i in $(seq 1 10); do node_of mv-$i; echo; done | sort | uniq -c | tr -s ' \n' ' ')"
check "s17__mv_pod__has_mv0" has_link $ns mv-1 mv0

t0=$(date +%s)
on_node 2 ip link del s17-parent
check "s17__link_removed__node2_report_flips" poll 45 entry_is "$n2" s17-mv reason ParentLinkMissing
echo "  node 2's report flipped $(($(date +%s) - t0)) s after the link was removed"
check "s17__link_removed__status_nodes_0_of_2" poll 15 nodes_are s17-mv 0 2
check "s17__late_pod__created" spod late '- podNetworkName: s17-mv'
check "s17__late_pod__pending_naming_network_and_reason" poll 30 pending_with late \
	'podnet: PodNetwork "s17-mv" is not available on this node (ParentLinkMissing'
echo "  PodScheduled: $(scheduled late status) $(scheduled late reason): $(scheduled late message)"
echo "  webhook log (filter lines):"
for r in 1 2; do pn_log webhook $r | grep ' filter ' | tail -2 | sed 's/^/    /'; done
# late goes before the filter does: unfiltered, the scheduler would bind it
# to node 1, whose missing master makes both macvlan's ADD and its DEL fail
check "s17__late_pod__deleted" k -n $ns delete pod late --wait=true --timeout=60s

# ---- (c) the extender unreachable ------------------------------------------------
# (the disabled network again: a Pod bound without the filter then waits
# for its plan, and no plugin runs for it)
check "s17__off_network__disabled_again" k patch podnetwork s17-off --type merge -p '{"spec":{"enabled":false}}'
check "s17__off_network__not_ready_again" poll 30 sh -c \
	"[ \"\$(k get podnetwork s17-off -o 'jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}')\" = AdministrativelyDisabled ]"
scaled=1
check "s17__webhook__scaled_to_0" scale_deploy podnet-webhook 0
check "s17__unfiltered_pod__created" spod unfiltered '- podNetworkName: default
- podNetworkName: s17-off'
check "s17__unfiltered_pod__bound_without_the_filter" poll 30 sh -c \
	"[ -n \"\$(k -n $ns get pod unfiltered -o 'jsonpath={.spec.nodeName}')\" ]"
echo "  unfiltered: bound to $(node_of unfiltered), phase $(phase $ns unfiltered)"
check "s17__unfiltered_pod__not_running" not_running $ns unfiltered
scale_deploy podnet-webhook 2 && scaled=0
check "s17__webhook__back_to_2" [ $scaled = 0 ]
check "s17__webhook__ready_again" poll 60 webhook_ready

# ---- the Pods go, and nothing of them stays -------------------------------------------
# The reference macvlan plugin looks its master up on DEL too: with the link
# gone its DEL fails and the agent keeps the Pod's record (the interface died
# with the link). The link comes back on both nodes before the Pods go.
for nd in 1 2; do
	on_node $nd ip link add s17-parent type dummy 2>/dev/null || on_node $nd ip link add s17-parent type ifb 2>/dev/null
	on_node $nd ip link set s17-parent up
done
check "s17__namespace__deleted" k delete namespace $ns --timeout=120s
check "s17__records__none_of_the_gone_pods" poll 60 no_record_of_gone_pods
finish
