#!/bin/sh
# Scenario 13: a rolling update of podnet while Pods run. Pods old1 (node 1)
# and old2 (node 2) run with s13-net (bridge pn-s13, IPPool 10.43.0.0/24).
# The image is then tagged anew in every node's containerd (TAG-next, the
# same content: what a registry holding a new release leaves after a pull)
# and the DaemonSet and the Deployments (controller, webhook) are moved to
# it with `kubectl set image`, as an upgrade does. While the rollout runs, Pods mid1 and mid2 are
# created; after it, new1 and new2. Asserted: every podnet Pod runs the new
# tag; old1/old2 keep their container, their addresses and their
# network-status (never restarted); the mid and new Pods attach with pool
# addresses; no address twice; then every Pod deletes cleanly: no agent
# record, no veth on the bridges, the pool back to 0. Prints the rollout time.
# The install is put back on the original tag at the end.
set -u
. "$(dirname "$0")/../lib/podnet.sh"
ns=pn-s13
cleanup() {
	podnet_down $ns
	podnet_forget_objects
	for n in $NODES; do on_node "$n" ip link del pn-s13 2>/dev/null; done
	if [ -n "${tag:-}" ]; then
		set_tag "$tag" >/dev/null 2>&1
		poll 180 podnet_ready
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

image=podnet.local/podnet
set_tag() {
	k -n $PN_NS set image daemonset/podnet-agent "agent=$image:$1" "install-cni=$image:$1" &&
		k -n $PN_NS set image deployment/podnet-controller "controller=$image:$1" &&
		k -n $PN_NS set image deployment/podnet-webhook "webhook=$image:$1"
}
images_are() { # every podnet Pod runs image:$1
	[ "$(k -n $PN_NS get pods -o json | jq -r --arg i "$image:$1" \
		'[.items[] | select(.metadata.deletionTimestamp == null) | .spec.containers[].image | select(. != $i)] | length')" = 0 ]
}
container_id() { k -n "$1" get pod "$2" -o 'jsonpath={.status.containerStatuses[0].containerID}'; }
records_of_ns() { # the agents' records of $ns Pods on every node
	for n in $NODES; do
		for r in "$(node_path "$n" /var/lib/podnet/records)"/*; do
			[ -f "$r" ] && jq -r --arg ns $ns 'select(.podNamespace == $ns) | .podName' "$r"
		done
	done
}
no_records() { [ -z "$(records_of_ns)" ]; }
no_veths() { for n in $NODES; do [ -z "$(on_node "$n" ip -o link show master pn-s13 type veth 2>/dev/null)" ] || return 1; done; }
in_pool() { case $1 in 10.43.0.*/24) return 0 ;; esac; return 1; }
req='- podNetworkName: default
- podNetworkName: s13-net
  interfaceName: net0'

check "s13__two_nodes" [ -n "${NODE_NAME2:-}" ]
check "s13__podnet__up" podnet_up
tag=$(k -n $PN_NS get ds podnet-agent -o 'jsonpath={.spec.template.spec.containers[0].image}')
tag=${tag##*:}
next=$tag-next
echo "  installed tag $tag, upgrading to $next"
check "s13__network__applies" k apply -f - <<EOF
$(network_yaml s13-net s13-bridge '{type: bridge, bridge: pn-s13, isGateway: false, ipMasq: false}' s13-pool '{cidr: 10.43.0.0/24, start: 10.43.0.10, end: 10.43.0.99}')
EOF
check "s13__network__ready" poll 30 net_ready s13-net
mkns $ns
check "s13__old1__created" mkpod_on 1 $ns old1 "$req"
check "s13__old2__created" mkpod_on 2 $ns old2 "$req"
for p in old1 old2; do check "s13__${p}__running" poll 90 running $ns $p; done
for p in old1 old2; do check "s13__${p}__network_status" poll 15 status_has $ns $p 'length == 2'; done
c1=$(container_id $ns old1) c2=$(container_id $ns old2)
a1=$(addrs_of $ns old1 net0) a2=$(addrs_of $ns old2 net0)
s1=$(netstatus $ns old1) s2=$(netstatus $ns old2)
echo "  old1 net0 $a1, old2 net0 $a2"

# ---- the upgrade ----
for n in $NODES; do
	if [ "$n" = 2 ]; then sock=$CONTAINERD_SOCK2; else sock=$CONTAINERD_SOCK; fi
	ctr --address "$sock" -n k8s.io images tag --force "$image:$tag" "$image:$next" >/dev/null
done
t0=$(date +%s)
check "s13__set_image__accepted" set_tag "$next"
check "s13__mid1__created_during_rollout" mkpod_on 1 $ns mid1 "$req"
check "s13__mid2__created_during_rollout" mkpod_on 2 $ns mid2 "$req"
check "s13__agents__rolled_out" k -n $PN_NS rollout status daemonset/podnet-agent --timeout=240s
check "s13__controllers__rolled_out" k -n $PN_NS rollout status deployment/podnet-controller --timeout=240s
check "s13__webhooks__rolled_out" k -n $PN_NS rollout status deployment/podnet-webhook --timeout=240s
check "s13__podnet__ready_on_the_new_tag" poll 120 podnet_ready
t1=$(date +%s)
echo "  rolling update of both agents, both controllers and both webhooks: $((t1 - t0)) s"
check "s13__all_podnet_pods__run_the_new_tag" poll 60 images_are "$next"
check "s13__new1__created_after" mkpod_on 1 $ns new1 "$req"
check "s13__new2__created_after" mkpod_on 2 $ns new2 "$req"
for p in mid1 mid2 new1 new2; do
	check "s13__${p}__running" poll 120 running $ns $p
	check "s13__${p}__net0_in_pool" in_pool "$(addr4_of $ns $p net0)"
	check "s13__${p}__network_status" poll 15 status_has $ns $p 'length == 2'
done
check "s13__old1__same_container" [ "$(container_id $ns old1)" = "$c1" ]
check "s13__old2__same_container" [ "$(container_id $ns old2)" = "$c2" ]
check "s13__old1__never_restarted" [ "$(restarts $ns old1)" = 0 ]
check "s13__old2__never_restarted" [ "$(restarts $ns old2)" = 0 ]
check "s13__old1__same_address" [ "$(addrs_of $ns old1 net0)" = "$a1" ]
check "s13__old2__same_address" [ "$(addrs_of $ns old2 net0)" = "$a2" ]
check "s13__old1__same_network_status" [ "$(netstatus $ns old1)" = "$s1" ]
check "s13__old2__same_network_status" [ "$(netstatus $ns old2)" = "$s2" ]
all=""
for p in old1 old2 mid1 mid2 new1 new2; do all="$all $(addrs_of $ns $p net0)"; done
echo "  addresses: $all"
check "s13__no_address_twice" [ -z "$(echo "$all" | tr ' ' '\n' | grep . | sort | uniq -d)" ]
check "s13__pool__counts_six" poll 30 pool_allocated_is s13-pool 6

# ---- everything deletes cleanly ----
k -n $ns delete pods --all --wait=false >/dev/null
check "s13__pods__deleted" poll 120 no_pods $ns
check "s13__pool__back_to_0" poll 30 pool_allocated_is s13-pool 0
check "s13__agents__no_record_left" poll 30 no_records
check "s13__bridges__no_veth_left" poll 30 no_veths
echo "  left after delete: records [$(records_of_ns | tr '\n' ' ')], pool $(pool_allocated s13-pool)"
finish
