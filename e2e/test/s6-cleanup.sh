#!/bin/sh
# Scenario 6: deleting Pods frees every address and leaves nothing behind.
# Two PodNetworks with their own IPPools: s6-sig (macvlan on sig-parent) and
# s6-data (bridge pn-s6); six Pods ask for both beside the default network.
# While they run, what each left on the node is written down: its netns file
# (under $CONTAINERD_NETNS_DIR), the host ends of its veths (on pn-s6 and on
# $DEFAULT_BRIDGE), the agent's attachment record and the cni provider's
# cached results, the pools' counts. After the Pods are deleted: every pool
# (its status and the controller's own count) is back to 0, no record, cache
# file, netns file or veth is left, the networks are no longer in use (and so
# can be deleted without help), and the default network's host-local IPAM
# holds exactly the addresses it held before.
set -u
export LC_ALL=C
. "$(dirname "$0")/../lib/podnet.sh"
ns=pn-s6
npods=6
br=pn-s6
cleanup() {
	podnet_down $ns
	podnet_forget_objects
	on_node 1 ip link del $br 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

cache_dir=$PN_STATE/providers/cni/cache
rec_dir=$PN_STATE/records
# files_of DIR: the JSON files of DIR that belong to a Pod of $ns
files_of() {
	for f in "$1"/*.json; do
		[ -f "$f" ] || continue
		jq -e --arg ns $ns '.podNamespace == $ns' "$f" >/dev/null 2>&1 && echo "$f"
	done
}
count_of() { files_of "$1" | wc -l; }
count_is() { [ "$(count_of "$1")" = "$2" ]; }
all_running() {
	for i in $(seq 1 $npods); do running $ns p$i || return 1; done
}
none_exists() { # none_exists FILE...: none of the files exists
	for f in "$@"; do [ -e "$f" ] && return 1; done
	return 0
}
no_link() { # no_link NAME...: none of the links exists on the host
	for l in "$@"; do on_node 1 ip link show "$l" >/dev/null 2>&1 && return 1; done
	return 0
}
pod_addrs_ok() { # the planned addresses are on the Pod's interfaces
	_plan=$(plan_of $ns "$1")
	for _if in sig0 data0; do
		_want=$(printf '%s' "$_plan" | jq -r --arg i $_if '.attachments[] | select(.interface == $i) | .ips | join(" ")')
		[ -n "$_want" ] && [ "$(addrs_of $ns "$1" $_if)" = "$_want " ] || return 1
	done
}

check "s6__podnet__up" podnet_up
hl_before=$(host_local_addrs)
def_veths_old=$(veths_on "$DEFAULT_BRIDGE")
def_veths_before=$(echo "$def_veths_old" | grep -c .)
echo "  before: host-local holds [${hl_before}], $def_veths_before veth(s) on $DEFAULT_BRIDGE"
k apply -f - >/dev/null <<EOF
$(network_yaml s6-sig s6-sig '{type: macvlan, master: sig-parent, mode: bridge}' s6-sig-pool '{cidr: 172.16.60.0/24, start: 172.16.60.10, end: 172.16.60.99}')
$(network_yaml s6-data s6-data "{type: bridge, bridge: $br, isGateway: false, ipMasq: false}" s6-data-pool '{cidr: 10.60.0.0/24, start: 10.60.0.10, end: 10.60.0.199}')
EOF
for n in s6-sig s6-data; do
	check "s6__network_${n}__ready" poll 30 condition_is $n Ready True
done
mkns $ns
req='- podNetworkName: default
- podNetworkName: s6-sig
  interfaceName: sig0
- podNetworkName: s6-data
  interfaceName: data0'
t0=$(date +%s)
made=0
for i in $(seq 1 $npods); do mkpod $ns p$i "$req" && made=$((made + 1)); done
check "s6__pods__created" [ $made = $npods ]
check "s6__pods__running" poll 120 all_running
echo "  $npods Pods Running in $(($(date +%s) - t0)) s"

# ---- what the running Pods hold ----------------------------------------------
bad=0
for i in $(seq 1 $npods); do
	[ "$(links $ns p$i)" = "data0 eth0 lo sig0 " ] && pod_addrs_ok p$i || bad=$((bad + 1))
done
check "s6__pods__have_their_interfaces_and_planned_addresses" [ $bad = 0 ]
records=$(files_of "$rec_dir")
caches=$(files_of "$cache_dir")
# the runtime's netns paths are node 1's (/var/run/netns/...): seen from here
# through the node's root
netns_node=$(for f in $records; do jq -r .netns "$f"; done | sort -u)
netns=$(for f in $netns_node; do node_path 1 "$f"; done)
data_veths=$(veths_on $br)
def_veths=$(veths_on "$DEFAULT_BRIDGE")
def_veths_new=$(for l in $def_veths; do echo "$def_veths_old" | grep -qxF "$l" || echo "$l"; done)
hl_during=$(host_local_addrs)
echo "  records: $(echo "$records" | grep -c .), cache files: $(echo "$caches" | grep -c .)," \
	"netns files: $(echo "$netns" | grep -c .), veths on $br: $(echo "$data_veths" | grep -c .)," \
	"new on $DEFAULT_BRIDGE: $(echo "$def_veths_new" | grep -c .)"
echo "  netns: $(echo "$netns" | head -2 | tr '\n' ' ')..."
echo "  host-local while running: [$hl_during]"
check "s6__agent__one_record_per_pod" [ "$(echo "$records" | grep -c .)" = $npods ]
check "s6__cni_cache__one_file_per_interface" [ "$(echo "$caches" | grep -c .)" = $((npods * 3)) ]
check "s6__netns__one_file_per_pod_under_containerd" sh -c '[ "$(echo "$1" | grep -c "^/var/run/netns/")" = "$2" ]' _ "$netns_node" $npods
check "s6__netns__files_exist" sh -c 'for f in $1; do [ -e "$f" ] || exit 1; done' _ "$netns"
check "s6__bridge_pn-s6__one_veth_per_pod" [ "$(echo "$data_veths" | grep -c .)" = $npods ]
check "s6__default_bridge__one_more_veth_per_pod" [ "$(echo "$def_veths" | grep -c .)" = $((def_veths_before + npods)) ]
for p in s6-sig-pool s6-data-pool; do
	check "s6__${p}__counts_${npods}" poll 15 pool_allocated_is $p $npods
done
check "s6__host-local__holds_one_more_address_per_pod" \
	[ "$(echo "$hl_during" | wc -w)" = $(($(echo "$hl_before" | wc -w) + npods)) ]
for n in s6-sig s6-data; do
	check "s6__network_${n}__in_use" poll 15 condition_is $n InUse True
done

# ---- delete the Pods ---------------------------------------------------------
t0=$(date +%s)
k -n $ns delete pods --all --wait=false >/dev/null
check "s6__pods__gone" poll 120 no_pods $ns
echo "  Pods gone in $(($(date +%s) - t0)) s"
for p in s6-sig-pool s6-data-pool; do
	check "s6__${p}__status_back_to_0" poll 30 pool_allocated_is $p 0
	check "s6__${p}__controller_count_back_to_0" poll 15 ctl_pool_allocated_is $p 0
done
echo "  pools allocated: s6-sig-pool $(pool_allocated s6-sig-pool), s6-data-pool $(pool_allocated s6-data-pool)"
check "s6__agent__no_record_left" poll 15 count_is "$rec_dir" 0
check "s6__cni_cache__no_file_left" poll 15 count_is "$cache_dir" 0
# shellcheck disable=SC2086
check "s6__recorded_files__all_removed" poll 15 none_exists $records $caches
# shellcheck disable=SC2086
check "s6__netns__no_file_left" poll 15 none_exists $netns
# shellcheck disable=SC2086
check "s6__host_veths__none_left" poll 15 no_link $data_veths $def_veths_new
check "s6__bridge_pn-s6__no_veth_left" [ -z "$(veths_on $br)" ]
check "s6__default_bridge__veth_count_as_before" [ "$(veths_on "$DEFAULT_BRIDGE" | grep -c .)" = "$def_veths_before" ]
echo "  after: host-local holds [$(host_local_addrs)], $(veths_on "$DEFAULT_BRIDGE" | grep -c .) veth(s) on $DEFAULT_BRIDGE," \
	"$(ls "$rec_dir" | wc -l) record(s), $(ls "$cache_dir" 2>/dev/null | wc -l) cache file(s)"
check "s6__host-local__same_addresses_as_before" [ "$(host_local_addrs)" = "$hl_before" ]
for n in s6-sig s6-data; do
	check "s6__network_${n}__no_longer_in_use" poll 30 condition_is $n InUse False
done
# nothing references the networks any more: their finalizer is gone, so a
# plain delete removes them
k delete podnetwork s6-sig s6-data --wait=false >/dev/null 2>&1
check "s6__networks__delete_without_help" poll 30 sh -c '! k get podnetwork s6-sig && ! k get podnetwork s6-data'
finish
