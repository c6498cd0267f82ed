#!/bin/sh
# Scenario 7: restarts. A burst creates 30 Pods asking for two networks
# (s7-a: bridge pn-s7; s7-b: macvlan on stor-parent; each with its IPPool)
# and deletes 8 of them while the others are still being created. The agent
# of node 1 is killed (SIGKILL) after the 10th creation, the leading
# controller after the 20th; kubelet restarts each container (the shim fails
# ADD while the agent is down, kubelet retries; the standby controller may
# take the lease). After things settle: every live Pod is
# Running with its interfaces and its planned addresses inside its netns,
# network-status matches its plan, no address is used twice (across plans,
# across netns), every deleted Pod's addresses are free (pools count only
# the live Pods' addresses), and no record, cache file, veth, netns or
# host-local address is left for a deleted Pod.
set -u
export LC_ALL=C
. "$(dirname "$0")/../lib/podnet.sh"
ns=pn-s7
br=pn-s7
total=30
cleanup() {
	[ -n "${burst_pid:-}" ] && kill "$burst_pid" 2>/dev/null
	podnet_down $ns
	podnet_forget_objects
	on_node 1 ip link del $br 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

cache_dir=$PN_STATE/providers/cni/cache
rec_dir=$PN_STATE/records
progress=$PN_DIR/s7-progress
# Pod b$i is deleted when b$((i + 5)) has been created, for i + 5 a multiple of 3
deleted_of() { [ "$1" -ge 5 ] && [ $(($1 % 3)) = 0 ] && echo $(($1 - 5)); }
deleted=$(for i in $(seq 0 $((total - 1))); do deleted_of "$i"; done | sed 's/^/b/' | sort | tr '\n' ' ')
live=$(for i in $(seq 0 $((total - 1))); do echo "b$i"; done | grep -vxF "$(echo "$deleted" | tr ' ' '\n' | grep .)" | sort | tr '\n' ' ')
nlive=$(echo "$live" | wc -w)

names_in() { # names_in DIR: the podName of the JSON files of DIR for $ns, one per file, sorted
	for f in "$1"/*.json; do
		[ -f "$f" ] || continue
		jq -r --arg ns $ns 'select(.podNamespace == $ns) | .podName' "$f" 2>/dev/null
	done | sort
}
hl_count() { host_local_addrs | wc -w; }
netns_count() { find "$CONTAINERD_NETNS_DIR" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
progress_ge() { [ "$(wc -l <"$progress" 2>/dev/null || echo 0)" -ge "$1" ]; }
# converged: the Pods of $ns are exactly the live ones, all Running
converged() {
	k -n $ns get pods -o json >"$PN_DIR/s7-pods.json" 2>/dev/null || return 1
	[ "$(jq -r '[.items[].metadata.name] | sort | join(" ")' "$PN_DIR/s7-pods.json") " = "$live" ] &&
		[ "$(jq -r '[.items[] | select(.status.phase == "Running" and .metadata.deletionTimestamp == null) |
			.metadata.name] | sort | join(" ")' "$PN_DIR/s7-pods.json") " = "$live" ]
}
all_have_status() {
	for p in $live; do status_has $ns "$p" 'length == 3' || return 1; done
}
burst() {
	for i in $(seq 0 $((total - 1))); do
		mkpod $ns "b$i" "$req" >/dev/null 2>&1 || echo "create b$i failed" >&2
		d=$(deleted_of "$i") && k -n $ns delete pod "b$d" --wait=false >/dev/null 2>&1
		echo "$i" >>"$progress"
	done
}

check "s7__podnet__up" podnet_up
hl_before=$(hl_count)
netns_before=$(netns_count)
def_before=$(veths_on "$DEFAULT_BRIDGE" | grep -c .)
k apply -f - >/dev/null <<EOF
$(network_yaml s7-a s7-a "{type: bridge, bridge: $br, isGateway: false, ipMasq: false}" s7-a-pool '{cidr: 10.70.0.0/24, start: 10.70.0.10, end: 10.70.0.199}')
$(network_yaml s7-b s7-b '{type: macvlan, master: stor-parent, mode: bridge}' s7-b-pool '{cidr: 172.16.70.0/24, start: 172.16.70.10, end: 172.16.70.99}')
EOF
for n in s7-a s7-b; do
	check "s7__network_${n}__ready" poll 30 condition_is $n Ready True
done
mkns $ns
req='- podNetworkName: default
- podNetworkName: s7-a
  interfaceName: a0
- podNetworkName: s7-b
  interfaceName: b0'

# ---- the burst, and the kills in its middle ----------------------------------
: >"$progress"
t0=$(date +%s)
burst 3>&- &
burst_pid=$!
poll 60 progress_ge 10
podnet_kill agent KILL
t_agent=$(($(date +%s) - t0))
poll 60 progress_ge 20
podnet_kill controller KILL
t_ctl=$(($(date +%s) - t0))
wait $burst_pid
burst_pid=""
t_burst=$(($(date +%s) - t0))
echo "  burst of $total creations and $(echo "$deleted" | wc -w) deletions: agent killed at ${t_agent}s," \
	"controller at ${t_ctl}s, burst over at ${t_burst}s"
echo "  Pods during the outage: $(k -n $ns get pods --no-headers 2>/dev/null | awk '{print $3}' | sort | uniq -c | tr -s ' \n' ' ')"
sleep 2
agent_up() { metric_ge "$AGENT_METRICS" podnet_agent_watch_synced 1; }
check "s7__agent__restarted_by_kubelet" poll 120 agent_up
check "s7__podnet__ready_again" poll 120 podnet_ready
t1=$(date +%s)
echo "  restarted at $((t1 - t0))s"

# ---- settled state -------------------------------------------------------------
check "s7__pods__exactly_the_live_ones_running" poll 300 converged
t2=$(date +%s)
check "s7__network_status__written_for_every_live_pod" poll 60 all_have_status
echo "  converged $((t2 - t1)) s after the restarts ($((t2 - t0)) s after the burst began); $nlive live Pods"
echo "  Pods: $(k -n $ns get pods --no-headers 2>/dev/null | awk '{print $3}' | sort | uniq -c | tr -s ' \n' ' ')," \
	"restarts $(k -n $ns get pods -o json | jq '[.items[].status.containerStatuses[0].restartCount // 0] | add')"
bad_links="" bad_addr="" bad_status="" bad_eth0=""
plan_ips="" netns_ips=""
for p in $live; do
	plan=$(plan_of $ns "$p")
	ip=$(podip $ns "$p")
	[ "$(links $ns "$p")" = "a0 b0 eth0 lo " ] || bad_links="$bad_links $p"
	[ -n "$ip" ] && [ "$(addr4_of $ns "$p" eth0)" = "$ip/${DEFAULT_SUBNET#*/}" ] || bad_eth0="$bad_eth0 $p"
	for i in a0 b0; do
		want=$(printf '%s' "$plan" | jq -r --arg i $i '.attachments[]? | select(.interface == $i) | .ips | join(" ")')
		[ -n "$want" ] && [ "$(addrs_of $ns "$p" $i)" = "$want " ] || bad_addr="$bad_addr $p/$i"
		plan_ips="$plan_ips $want"
		netns_ips="$netns_ips $(addrs_of $ns "$p" $i)"
	done
	netns_ips="$netns_ips $(addrs_of $ns "$p" eth0)"
	status_has $ns "$p" --argjson plan "$plan" --arg ip "$ip" '
		(map({key: .interface, value: {name, ips}}) | from_entries) ==
		({eth0: {name: "default", ips: [$ip]}} +
		 ([$plan.attachments[] | select(.interface != "eth0") |
		   {key: .interface, value: {name: .network, ips: [.ips[] | sub("/.*"; "")]}}] | from_entries))' ||
		bad_status="$bad_status $p"
done
[ -z "$bad_links$bad_addr$bad_status$bad_eth0" ] ||
	echo "  wrong: links [$bad_links ], addresses [$bad_addr ], network-status [$bad_status ], eth0 [$bad_eth0 ]"
check "s7__live_pods__all_interfaces_in_netns" [ -z "$bad_links" ]
check "s7__live_pods__planned_addresses_in_netns" [ -z "$bad_addr" ]
check "s7__live_pods__eth0_holds_the_pod_ip" [ -z "$bad_eth0" ]
check "s7__network_status__matches_each_plan" [ -z "$bad_status" ]
n_plan=$(echo "$plan_ips" | wc -w)
n_netns=$(echo "$netns_ips" | wc -w)
echo "  addresses: $n_plan in plans ($(echo "$plan_ips" | tr ' ' '\n' | grep . | sort -u | wc -l) distinct)," \
	"$n_netns in netns ($(echo "$netns_ips" | tr ' ' '\n' | grep . | sort -u | wc -l) distinct)"
check "s7__plans__two_addresses_per_live_pod" [ "$n_plan" = $((2 * nlive)) ]
check "s7__plans__no_address_used_twice" [ "$(echo "$plan_ips" | tr ' ' '\n' | grep . | sort | uniq -d)" = "" ]
check "s7__netns__no_address_used_twice" [ "$(echo "$netns_ips" | tr ' ' '\n' | grep . | sort | uniq -d)" = "" ]
check "s7__netns__three_addresses_per_live_pod" [ "$n_netns" = $((3 * nlive)) ]
for pl in s7-a-pool s7-b-pool; do
	check "s7__${pl}__counts_only_live_pods" poll 30 pool_allocated_is $pl "$nlive"
	check "s7__${pl}__controller_counts_only_live_pods" poll 15 ctl_pool_allocated_is $pl "$nlive"
	echo "  $pl: status $(pool_allocated $pl), controller $(ctl_pool_allocated $pl), live Pods $nlive"
done
rec_names() { names_in "$rec_dir" | tr '\n' ' '; }
cache_names() { names_in "$cache_dir" | uniq | tr '\n' ' '; }
echo "  agent records: $(names_in "$rec_dir" | grep -c .), cache files: $(names_in "$cache_dir" | grep -c .)," \
	"veths on $br: $(veths_on $br | grep -c .), on $DEFAULT_BRIDGE: $(veths_on "$DEFAULT_BRIDGE" | grep -c .) (before: $def_before)," \
	"netns files: $(netns_count) (before: $netns_before), host-local: $(hl_count) (before: $hl_before)"
rec_names_are_live() { [ "$(rec_names)" = "$live" ]; }
check "s7__agent__one_record_per_live_pod_none_for_deleted" poll 30 rec_names_are_live
[ "$(rec_names)" = "$live" ] || echo "  records for: $(rec_names)"
check "s7__cni_cache__files_only_for_live_pods" [ "$(cache_names)" = "$live" ]
check "s7__cni_cache__three_files_per_live_pod" [ "$(names_in "$cache_dir" | grep -c .)" = $((3 * nlive)) ]
check "s7__bridge_pn-s7__one_veth_per_live_pod" [ "$(veths_on $br | grep -c .)" = "$nlive" ]
check "s7__default_bridge__one_veth_per_live_pod" [ "$(veths_on "$DEFAULT_BRIDGE" | grep -c .)" = $((def_before + nlive)) ]
netns_count_is() { [ "$(netns_count)" = "$1" ]; }
check "s7__netns__one_file_per_live_pod" poll 30 netns_count_is $((netns_before + nlive))
check "s7__host-local__one_address_per_live_pod" [ "$(hl_count)" = $((hl_before + nlive)) ]
# What is left of sandboxes containerd no longer has (to diagnose a leak)
sandboxes=$(ctr --address "$CONTAINERD_SOCK" -n k8s.io containers ls -q 2>/dev/null)
for f in "$rec_dir"/*.json; do
	[ -f "$f" ] || continue
	cid=$(jq -r .containerID "$f")
	echo "$sandboxes" | grep -qxF "$cid" && continue
	echo "  record of a sandbox containerd does not have: $(jq -c '{containerID, state, podName, netns,
		attachments: [.attachments[]? | .interface]}' "$f")"
	echo "    its netns file exists: $([ -e "$(jq -r .netns "$f")" ] && echo yes || echo no)"
	pn_log agent | grep -F "$cid" | cut -c1-300 | sed 's/^/    agent: /'
	grep -F "$cid" "$PODNET_CLUSTER_DIR/logs/containerd-1.log" | cut -c1-400 | head -12 | sed 's/^/    containerd: /'
	grep -lF "$cid" "$HOST_LOCAL_DIR"/* 2>/dev/null | sed 's/^/    host-local holds: /'
done

# ---- then delete every Pod -----------------------------------------------------
t0=$(date +%s)
k -n $ns delete pods --all --wait=false >/dev/null
check "s7__all_pods__deleted" poll 120 no_pods $ns
echo "  $nlive Pods deleted in $(($(date +%s) - t0)) s"
for pl in s7-a-pool s7-b-pool; do
	check "s7__${pl}__back_to_0" poll 30 pool_allocated_is $pl 0
done
rec_none() { [ -z "$(rec_names)" ]; }
check "s7__agent__no_record_left_after_deleting_all" poll 15 rec_none
# (podnet's own controller Pods may run on node 1: their files are not ours)
cache_none() { [ -z "$(names_in "$cache_dir")" ] && [ -z "$(ls "$cache_dir" | grep '\.tmp$')" ]; }
check "s7__cni_cache__no_file_left_after_deleting_all" poll 15 cache_none
for f in "$cache_dir"/*; do # what is left, to diagnose a leak
	[ -f "$f" ] || continue
	case $f in *.tmp) echo "  cache temporary file left: ${f##*/}"; continue ;; esac
	[ "$(jq -r .podNamespace "$f")" = $ns ] || continue
	cid=$(jq -r .containerId "$f")
	echo "  cache file left: ${f##*/} ($(jq -r '"\(.podName) \(.network) \(.netns)"' "$f"))"
	pn_log agent | grep -F "$cid" | cut -c1-240 | sed 's/^/    agent: /'
done
hl_is() { [ "$(hl_count)" = "$1" ]; }
check "s7__host-local__back_to_before_after_deleting_all" poll 15 hl_is "$hl_before"
echo "  left: records for [$(rec_names)], host-local $(hl_count) (before: $hl_before)"
finish
