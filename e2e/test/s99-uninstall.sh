#!/bin/sh
# Scenario 99 (runs last: it removes podnet): uninstall while podnet Pods
# still run, as docs/install.md describes it. Before the install, each
# node's CNI conf and bin dirs are as the cluster made them (the listing and
# checksums are taken from the running install minus podnet's own files,
# and compared with what install-cni recorded). Pods att1 (node 1) and att2
# (node 2) run with s99-net (bridge pn-s99), plain1 asks for nothing.
# `kubectl delete -k build/deploy --wait=false`, then:
#   - the agents' preStop puts each node's CNI config back: no
#     00-podnet.conflist, no podnet-cni binary, the primary config unchanged,
#     the directories as before; new Pods start on the primary network alone;
#   - podnet-system is gone, and the running Pods keep their interfaces;
#   - the in-use PodNetwork keeps its finalizer until its Pods are gone (the
#     documented last step removes it), then the CRDs go;
#   - once the Pods are deleted, nothing of podnet is left on the nodes: no
#     record, no provider cache, no veth on the bridges, no socket, the
#     default network's host-local holds what it held before.
# Prints what was left: 0.
set -u
. "$(dirname "$0")/../lib/podnet.sh"
ns=pn-s99
cleanup() {
	k delete namespace $ns --wait=false >/dev/null 2>&1
	k wait --for=delete namespace/$ns --timeout=90s >/dev/null 2>&1
	for n in $NODES; do on_node "$n" ip link del pn-s99 2>/dev/null; done
	for n in $NODES; do for l in $PARENT_LINKS; do on_node "$n" ip link del "$l" 2>/dev/null; done; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

req='- podNetworkName: default
- podNetworkName: s99-net
  interfaceName: net0'
# dir_state N: node N's CNI conf dir (names and checksums) and bin dir (names)
dir_state() {
	(cd "$(node_path "$1" /etc/cni/net.d)" && for f in $(ls -A); do echo "$f $(md5sum <"$f" | cut -c1-32)"; done)
	ls -A "$(node_path "$1" /opt/cni/bin)" | sed 's/^/bin /'
}
no_podnet_files() { # left N: what podnet left on node N, one line each
	_r=$(node_path "$1" /)
	ls -A "$_r/var/lib/podnet/records" "$_r/var/lib/podnet/providers" "$_r/var/lib/podnet/status" 2>/dev/null | grep -v ':$' | grep .
	ls -A "$_r/run/podnet" 2>/dev/null | grep .
	on_node "$1" ip -o link show master pn-s99 type veth 2>/dev/null
	[ -e "$_r/etc/cni/net.d/00-podnet.conflist" ] && echo 00-podnet.conflist
	[ -e "$_r/opt/cni/bin/podnet-cni" ] && echo podnet-cni
}
left_count() { for n in $NODES; do no_podnet_files "$n"; done | grep -c .; }
left_is_0() { [ "$(left_count)" = 0 ]; }
restored() { for n in $NODES; do [ "$(dir_state "$n")" = "$(cat "$PN_DIR/before-$n")" ] || return 1; done; }
ns_gone() { ! k get namespace $PN_NS >/dev/null 2>&1; }
crds_gone() { [ -z "$(k get crd -o name | grep 'podnet\.dev')" ]; }

check "s99__podnet__up" podnet_up
# the nodes as the cluster made them: today's dirs without podnet's two files
for n in $NODES; do
	dir_state "$n" | grep -v -e '^00-podnet.conflist ' -e '^bin podnet-cni$' >"$PN_DIR/before-$n"
	echo "  node $n before: $(tr '\n' ' ' <"$PN_DIR/before-$n" | cut -c1-200)"
done
hl_before=$(host_local_addrs)
check "s99__network__applies" k apply -f - <<EOF
$(network_yaml s99-net s99-bridge '{type: bridge, bridge: pn-s99, isGateway: false, ipMasq: false}' s99-pool '{cidr: 10.45.0.0/24, start: 10.45.0.10, end: 10.45.0.99}')
EOF
check "s99__network__ready" poll 30 net_ready s99-net
mkns $ns
check "s99__att1__created" mkpod_on 1 $ns att1 "$req"
check "s99__att2__created" mkpod_on 2 $ns att2 "$req"
check "s99__plain1__created" mkpod_on 1 $ns plain1
for p in att1 att2 plain1; do check "s99__${p}__running" poll 90 running $ns $p; done
echo "  podnet left on the nodes while installed: $(left_count) entries"

# ---- uninstall, as docs/install.md says ----
t0=$(date +%s)
check "s99__kubectl_delete_k__accepted" k delete -k "$PN_DEPLOY" --wait=false
check "s99__podnet_system__gone" poll 120 ns_gone
echo "  podnet-system gone $(($(date +%s) - t0)) s after kubectl delete -k"
check "s99__nodes__cni_config_restored" poll 30 restored
for n in $NODES; do
	restored || { echo "  node $n now:"; dir_state "$n" | sed 's/^/    /'; }
done
check "s99__att1__keeps_net0" links_are $ns att1 "eth0 lo net0 "
check "s99__att2__keeps_net0" links_are $ns att2 "eth0 lo net0 "
check "s99__new_pod__starts_on_the_primary_alone" mkpod_on 2 $ns plain2
check "s99__new_pod__running" poll 90 running $ns plain2
check "s99__new_pod__eth0_only" links_are $ns plain2 "eth0 lo "
check "s99__network_in_use__keeps_its_finalizer" sh -c '[ -n "$(k get podnetwork s99-net -o jsonpath="{.metadata.finalizers}")" ]'

# ---- the Pods go; then the documented last step ----
k -n $ns delete pods --all --wait=false >/dev/null
check "s99__pods__deleted" poll 120 no_pods $ns
for o in $(k get podnetworks.podnet.dev -o name 2>/dev/null); do
	k patch "$o" --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null
done
check "s99__crds__gone" poll 60 crds_gone
check "s99__nodes__nothing_of_podnet_left" poll 30 left_is_0
for n in $NODES; do no_podnet_files "$n" | sed "s/^/  node $n left: /"; done
# host-local of node 1's default network holds the addresses of the Pods
# still on node 1 (none of this scenario's, no controller), nothing else
live_ips_node1() {
	k get pods -A -o json | jq -r --arg n "$NODE_NAME" '.items[] | select(.spec.nodeName == $n and
		(.spec.hostNetwork | not) and .status.podIP != null) | .status.podIP' | sort | tr '\n' ' '
}
hl_back() { [ "$(host_local_addrs)" = "$(live_ips_node1)" ]; }
check "s99__default_network__host_local_only_live_pods" poll 30 hl_back
echo "  host-local on node 1: [$(host_local_addrs)] (before: [$hl_before]), live Pods there: [$(live_ips_node1)]"
check "s99__nodes__cni_config_still_as_before" restored
echo "  left after uninstall: $(left_count)"
finish
