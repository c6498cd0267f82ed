#!/bin/sh
# Scenario 18: per-node availability. PodNetwork s18-mv is a macvlan whose
# master link, s18-parent (an ifb link, as the scenarios' parent links),
# exists on node 2 only. Each agent reports in its node's PodNetworkNode
# whether it can serve each PodNetwork:
# node 1 says ParentLinkMissing (naming the link), node 2 says available;
# the controller counts the reports into the PodNetwork's status.nodes
# (1 of 2), which `kubectl get podnetworks` prints. The link deleted on
# node 2: its report flips within the agents' period (30 s) and the count
# goes to 0; the link back: 1 again. Also: a network whose CNIConfig is
# missing is ParamsNotResolved, one whose provider no node loads is
# ProviderMissing, the reports are owned by their Nodes, and a report of a
# node that does not exist is deleted by the controller.
set -u
. "$(dirname "$0")/../lib/podnet.sh"
cleanup() {
	podnet_down
	on_node 2 ip link del s18-parent 2>/dev/null
	k delete podnetworknode s18-gone-node --wait=false >/dev/null 2>&1
	podnet_forget_objects
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# entry NODE NETWORK FIELD: a field of the network's entry in a node's report
entry() { k get podnetworknode "$1" -o "jsonpath={.status.networks[?(@.name==\"$2\")].$3}" 2>/dev/null; }
entry_is() { [ "$(entry "$1" "$2" "$3")" = "$4" ]; }
nodes_are() { # nodes_are NETWORK AVAILABLE TOTAL
	[ "$(k get podnetwork "$1" -o 'jsonpath={.status.nodes.available}/{.status.nodes.total}')" = "$2/$3" ]
}
message_names_link() {
	entry "$1" s18-mv message | grep -qF 'link "s18-parent" (macvlan master) does not exist on this node'
}
default_on_both() { [ "$(entry "$n1" default available)/$(entry "$n2" default available)" = true/true ]; }
owned_by_node() {
	[ "$(k get pnnode "$1" -o 'jsonpath={.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].uid}')" = \
		"Node/$(k get node "$1" -o 'jsonpath={.metadata.uid}')" ]
}
columns() {
	k get podnetworks s18-mv | grep -Eq '^NAME +READY +PROVIDER +ENABLED +NODES-AVAILABLE +NODES +AGE' &&
		k get podnetworks s18-mv --no-headers | grep -Eq '^s18-mv +True +podnet.dev/cni +true +1 +2 '
}
n1=$NODE_NAME
n2=${NODE_NAME2:-}

check "s18__two_nodes" [ -n "$n2" ]
check "s18__podnet__up" podnet_up
on_node 2 ip link add s18-parent type ifb && on_node 2 ip link set s18-parent up
check "s18__parent_link__on_node2_only" sh -c '! on_node 1 ip link show s18-parent && on_node 2 ip link show s18-parent'
check "s18__network__applies" k apply -f - <<EOF
$(network_yaml s18-mv s18-macvlan '{type: macvlan, master: s18-parent, mode: bridge}' s18-pool '{cidr: 10.48.0.0/24}')
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: s18-noparams}
spec:
  provider: podnet.dev/cni
  parametersRefs:
  - {group: podnet.dev, kind: CNIConfig, name: s18-not-there}
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: s18-elsewhere}
spec:
  provider: acme.example/none
EOF
check "s18__network__ready" poll 30 net_ready s18-mv

# ---- the reports ----------------------------------------------------------------
check "s18__node1__parent_link_missing" poll 45 entry_is "$n1" s18-mv reason ParentLinkMissing
check "s18__node1__message_names_the_link" message_names_link "$n1"
check "s18__node1__not_available" entry_is "$n1" s18-mv available false
check "s18__node2__available" poll 45 entry_is "$n2" s18-mv available true
check "s18__node2__no_reason" entry_is "$n2" s18-mv reason ""
check "s18__default__available_on_both" default_on_both
check "s18__missing_cniconfig__params_not_resolved" poll 30 entry_is "$n1" s18-noparams reason ParamsNotResolved
check "s18__unknown_provider__provider_missing" poll 30 entry_is "$n2" s18-elsewhere reason ProviderMissing
check "s18__report__owned_by_its_node" owned_by_node "$n2"
check "s18__status_nodes__1_of_2" poll 30 nodes_are s18-mv 1 2
check "s18__printer_columns" columns
echo "  \$ kubectl get podnetworks"
k get podnetworks | sed 's/^/    /'
echo "  \$ kubectl get podnetworknodes"
k get podnetworknodes | sed 's/^/    /'
echo "  \$ kubectl get pnnode $n1 -o yaml (status)"
k get pnnode "$n1" -o yaml | sed -n '/^status:/,$p' | sed 's/^/    /'

# ---- the link goes away on node 2, and comes back -------------------------------
t0=$(date +%s)
on_node 2 ip link del s18-parent
check "s18__link_deleted__node2_flips_within_the_period" poll 45 entry_is "$n2" s18-mv reason ParentLinkMissing
echo "  node 2's report flipped $(($(date +%s) - t0)) s after the link was deleted"
check "s18__link_deleted__status_nodes_0_of_2" poll 15 nodes_are s18-mv 0 2
on_node 2 ip link add s18-parent type ifb && on_node 2 ip link set s18-parent up
check "s18__link_back__node2_available" poll 45 entry_is "$n2" s18-mv available true
check "s18__link_back__status_nodes_1_of_2" poll 15 nodes_are s18-mv 1 2

# ---- a report of a node that is gone ---------------------------------------------
k create -f - >/dev/null <<'EOF'
apiVersion: podnet.dev/v1alpha1
kind: PodNetworkNode
metadata: {name: s18-gone-node}
status:
  observedTime: "2026-01-01T00:00:00Z"
  networks:
  - {name: s18-mv, available: true}
EOF
check "s18__orphan_report__deleted_by_the_controller" poll 30 sh -c '! k get podnetworknode s18-gone-node'
check "s18__orphan_report__never_counted" nodes_are s18-mv 1 2
k delete podnetwork s18-noparams s18-elsewhere --wait=false >/dev/null 2>&1
check "s18__deleted_network__leaves_the_reports" poll 20 sh -c "! k get pnnode $n1 -o json | grep -q s18-elsewhere"
finish
