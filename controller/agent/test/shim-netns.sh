#!/bin/sh
# shim-netns.sh BUILD-DIR — podnet-cni driven exactly as containerd drives a
# CNI plugin (CNI_* environment, the plugin config of the podnet conflist on
# stdin with name and cniVersion injected), against a running
# `podnet-agent --no-kube` with the real cni provider and the real plugins
# from /usr/lib/cni, in real network namespaces.
#
#   default network: this test's own bridge conflist (pntbr0, 10.99.0.0/24)
#   bridge network:  pntbr1, controller-style planned address 10.99.1.10/24
#   macvlan network: on a parent link the test makes (pntmvpar0: a bridge,
#                    since this kernel has no dummy links), 10.99.2.10/24
#
# Everything it creates is named pnt* and removed at exit, also on failure.
# Needs root. Last line: "N passed, N failed".
set -u
build=$(cd "${1:?usage: shim-netns.sh BUILD-DIR}" && pwd)
top=$(cd "$(dirname "$0")/../../.." && pwd)
exec 9>/tmp/pnt-shim-netns.lock
flock 9

T=$(mktemp -d /tmp/pnt-shim-XXXXXX)
pass=0
fail=0
agent_pid=""
NETNS="pntsA pntsB pntsC pntsD pntsE pntsF pntsG pntsH pntsI pntsJ pntsK pntsL pntsM"

cleanup() {
	[ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
	for n in $NETNS; do ip netns del "$n" 2>/dev/null; done
	for l in pntbr0 pntbr1 pntmvpar0 pntmvpar1; do ip link del "$l" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { pass=$((pass + 1)); echo "  PASS  $*"; }
ko() { fail=$((fail + 1)); echo "  FAIL  $*"; }
check() { # check NAME COMMAND...: passes when COMMAND succeeds
	name=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$name"; else ko "$name"; fi
}

mkdir -p "$T/providers" "$T/plans" "$T/state" "$T/run" "$T/ipam" "$T/conf"
cp "$build/providers/cni.so" "$build/providers/example.so" "$build/test/providers/fail-half.so" "$T/providers/"
chmod 0755 "$T/providers" && chmod 0644 "$T/providers"/*.so

# The node's primary CNI config (the default network).
cat >"$T/conf/10-pnt-default.conflist" <<EOF
{"cniVersion":"1.0.0","name":"pnt-default","plugins":[
 {"type":"bridge","bridge":"pntbr0","ipam":{"type":"host-local","dataDir":"$T/ipam",
  "ranges":[[{"subnet":"10.99.0.0/24","gateway":"10.99.0.1"}]],"routes":[{"dst":"0.0.0.0/0"}]}}]}
EOF
# The podnet conflist a runtime would hold, and the stdin it derives from it.
cat >"$T/conf/00-podnet.conflist" <<EOF
{"cniVersion":"1.0.0","cniVersions":["1.0.0","1.1.0"],"name":"podnet","plugins":[
 {"type":"podnet-cni","agentSocket":"$T/run/agent.sock","recordDir":"$T/state/records"}]}
EOF
stdin_for() { # stdin_for VERSION [extra jq filter]: plugin config as libcni builds it
	jq -c --arg v "$1" '.plugins[0] + {name: .name, cniVersion: $v} '"${2:-}" "$T/conf/00-podnet.conflist"
}

ip link add pntmvpar0 type bridge && ip link set pntmvpar0 up
for n in $NETNS; do ip netns add "$n" && ip -n "$n" link set lo up; done

mport=$((19000 + $$ % 1000))
start_agent() {
	# PNT_AGENT_WRAP: a command prefix for the agent, e.g. "valgrind -q --leak-check=full"
	${PNT_AGENT_WRAP:-} "$build/bin/podnet-agent" --no-kube --plans-dir "$T/plans" --socket "$T/run/agent.sock" \
		--state-dir "$T/state" --providers-dir "$T/providers" \
		--primary-cni-conf "$T/conf/10-pnt-default.conflist" --cni-path /usr/lib/cni \
		--workers 4 --plan-wait-ms 2000 --metrics-addr "127.0.0.1:$mport" 2>>"$T/agent.log" &
	agent_pid=$!
	i=0
	while [ ! -S "$T/run/agent.sock" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
}
stop_agent() {
	kill "$agent_pid" 2>/dev/null
	wait "$agent_pid" 2>/dev/null
	agent_pid=""
}

# cni COMMAND CONTAINERID NETNS NS POD [VERSION] [jq-filter]: runs the shim as containerd does.
cni() {
	cmd=$1 cid=$2 ns=$3 podns=$4 pod=$5 ver=${6:-1.0.0}
	netnsp=""
	[ -n "$ns" ] && netnsp="/run/netns/$ns"
	stdin_for "$ver" "${7:-}" | env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CNI_COMMAND="$cmd" CNI_CONTAINERID="$cid" \
		CNI_NETNS="$netnsp" CNI_IFNAME=eth0 \
		CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=$podns;K8S_POD_NAME=$pod;K8S_POD_INFRA_CONTAINER_ID=$cid;K8S_POD_UID=uid-$cid" \
		CNI_PATH="$build/bin:/usr/lib/cni" "$build/bin/podnet-cni" >"$T/out" 2>"$T/err"
	rc=$?
	return $rc
}
links() { ip -n "$1" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' '; }
addr_of() { ip -n "$1" -o -4 addr show dev "$2" 2>/dev/null | awk '{print $4}'; }

start_agent
check "agent-socket-0600" sh -c "[ \"\$(stat -c %a '$T/run/agent.sock')\" = 600 ]"

# ---- a Pod with default + bridge + macvlan, planned by the "controller"
cat >"$T/plans/team-a_pod1.json" <<EOF
{"v":1,"attachments":[
 {"network":"default","interface":"eth0","gw4":true,"gw6":true},
 {"network":"bridge-net","interface":"net1","provider":"podnet.dev/cni",
  "params":{"cniVersion":"1.0.0","plugins":[{"type":"bridge","bridge":"pntbr1"}]},
  "ips":["10.99.1.10/24"],"gateways":["10.99.1.1"],"routes":[{"dst":"10.98.0.0/16","gw":"10.99.1.1"}],"mac":null},
 {"network":"media-net","interface":"net2","provider":"podnet.dev/cni",
  "params":{"cniVersion":"1.0.0","plugins":[{"type":"macvlan","master":"pntmvpar0","mode":"bridge"}]},
  "ips":["10.99.2.10/24"],"gateways":[],"routes":[]}]}
EOF
if cni ADD cidA pntsA team-a pod1; then ok "add: exit 0"; else ko "add: exit $rc: $(cat "$T/out")"; fi
check "add: result is CNI 1.0.0" jq -e '.cniVersion == "1.0.0"' "$T/out"
check "add: primary result is default (10.99.0.x)" jq -e '.ips[0].address | startswith("10.99.0.")' "$T/out"
check "add: eth0 has a default-network address" sh -c "ip -n pntsA -o addr show dev eth0 | grep -q 'inet 10.99.0.'"
check "add: net1 has 10.99.1.10/24 (planned, static IPAM)" sh -c "[ \"$(addr_of pntsA net1)\" = 10.99.1.10/24 ]"
check "add: net2 (macvlan) has 10.99.2.10/24" sh -c "[ \"$(addr_of pntsA net2)\" = 10.99.2.10/24 ]"
check "add: net2 is a macvlan" sh -c "ip -n pntsA -d link show dev net2 | grep -q macvlan"
check "add: default route via 10.99.0.1 on eth0" sh -c "ip -n pntsA route show default | grep -q 'via 10.99.0.1 dev eth0'"
check "add: planned route 10.98.0.0/16 on net1" sh -c "ip -n pntsA route show 10.98.0.0/16 | grep -q 'via 10.99.1.1 dev net1'"
check "add: record written" test -f "$T/state/records/cidA.json"
check "add: network-status has 3 entries" jq -e 'length == 3 and .[0].name == "default" and .[0].default == true and .[1].name == "bridge-net" and .[1].ips == ["10.99.1.10"] and .[2].interface == "net2"' "$T/state/status/team-a_pod1.json"

if cni CHECK cidA pntsA team-a pod1; then ok "check: clean sandbox passes"; else ko "check: exit $rc: $(cat "$T/out")"; fi
ip -n pntsA link del net2
if cni CHECK cidA pntsA team-a pod1; then ko "check: missed net2 deleted behind its back"; else
	if jq -e '.code > 0 and (.msg | test("net2"))' "$T/out" >/dev/null; then ok "check: notices net2 deleted ($(jq -r .msg "$T/out" | cut -c1-80))"; else ko "check: wrong error $(cat "$T/out")"; fi
fi

if cni DEL cidA pntsA team-a pod1; then ok "del: exit 0"; else ko "del: exit $rc: $(cat "$T/out")"; fi
check "del: only lo left in the netns" sh -c "[ \"$(links pntsA)\" = 'lo ' ]"
check "del: record removed" test ! -e "$T/state/records/cidA.json"
check "del: no CNI cache left" sh -c "[ -z \"\$(find '$T/state/providers' -name '*.json')\" ]"
check "del: default address released (host-local)" sh -c "! grep -rqs cidA '$T/ipam'"
if cni DEL cidA pntsA team-a pod1; then ok "del again: exit 0"; else ko "del again: exit $rc $(cat "$T/out")"; fi

# ---- a sandbox the primary set up before podnet was in front (no record):
# podnet's DEL passes it to the primary network, which releases its address
jq -c '.plugins[0] + {name: .name, cniVersion: .cniVersion}' "$T/conf/10-pnt-default.conflist" |
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CNI_COMMAND=ADD CNI_CONTAINERID=cidL CNI_NETNS=/run/netns/pntsL \
		CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/bridge >"$T/out" 2>&1
check "pre-podnet sandbox: the primary gave it eth0 and an address" sh -c "ip -n pntsL link show eth0 && grep -rqs cidL '$T/ipam'"
if cni DEL cidL pntsL team-a old; then ok "pre-podnet sandbox: del exit 0"; else ko "pre-podnet sandbox: del exit $rc $(cat "$T/out")"; fi
check "pre-podnet sandbox: its address released (host-local)" sh -c "! grep -rqs cidL '$T/ipam'"
check "pre-podnet sandbox: eth0 gone" sh -c "[ \"\$(ip -n pntsL -o link show | grep -c eth0)\" = 0 ]"
check "pre-podnet sandbox: no record made" test ! -e "$T/state/records/cidL.json"
if cni DEL cidA "" team-a pod1; then ok "del with netns gone (empty CNI_NETNS): exit 0"; else ko "del no netns: exit $rc"; fi

# ---- GC: a container not in the valid list loses its attachment
cni ADD cidB pntsB team-a podb && ok "gc: add B" || ko "gc: add B: $(cat "$T/out")"
cni ADD cidC pntsC team-a podc && ok "gc: add C" || ko "gc: add C: $(cat "$T/out")"
if cni GC "" "" "" "" 1.1.0 '+ {"cni.dev/valid-attachments":[{"containerID":"cidB","ifname":"eth0"}]}'; then ok "gc: exit 0"; else ko "gc: exit $rc $(cat "$T/out")"; fi
check "gc: B (valid) keeps eth0" sh -c "ip -n pntsB link show eth0"
check "gc: C (not valid) lost eth0" sh -c "! ip -n pntsC link show eth0"
check "gc: C's record removed, B's kept" sh -c "[ ! -e '$T/state/records/cidC.json' ] && [ -e '$T/state/records/cidB.json' ]"
cni DEL cidB pntsB team-a podb || ko "gc: del B"

# ---- a provider failing halfway: the whole ADD rolls back, nothing left
cat >"$T/plans/team-a_pod4.json" <<EOF
{"v":1,"attachments":[
 {"network":"default","interface":"eth0","gw4":true},
 {"network":"bridge-net","interface":"net1","provider":"podnet.dev/cni",
  "params":{"cniVersion":"1.0.0","plugins":[{"type":"bridge","bridge":"pntbr1"}]},"ips":["10.99.1.11/24"]},
 {"network":"broken","interface":"net2","provider":"test.podnet.dev/fail-half"}]}
EOF
if cni ADD cidD pntsD team-a pod4; then ko "rollback: ADD succeeded"; else
	jq -e '.code == 11 and (.msg | test("halfway"))' "$T/out" >/dev/null && ok "rollback: ADD fails with the provider's reason" || ko "rollback: $(cat "$T/out")"
fi
check "rollback: no link left (only lo)" sh -c "[ \"$(links pntsD)\" = 'lo ' ]"
check "rollback: no record left" test ! -e "$T/state/records/cidD.json"
check "rollback: no CNI cache file left" sh -c "[ -z \"\$(find '$T/state/providers' -name '*.json')\" ]"
check "rollback: default address released" sh -c "! grep -rqs cidD '$T/ipam'"

# ---- a provider's own parameters kind (ABI 1.3): the plan's references
# reach the provider's attach (the example logs what it gets)
cat >"$T/plans/team-a_pod7.json" <<EOF
{"v":1,"attachments":[
 {"network":"default","interface":"eth0","gw4":true},
 {"network":"example-net","interface":"net1","provider":"podnet.dev/example","ips":["10.99.3.7/24"],
  "parametersRefs":[{"group":"example.podnet.dev","kind":"ExampleParams","name":"gold","namespace":"team-a"}]}]}
EOF
if cni ADD cidR pntsD team-a pod7; then ok "vendor kind: ADD exit 0"; else ko "vendor kind: ADD exit $rc: $(cat "$T/out")"; fi
check "vendor kind: the provider got the reference" \
	grep -q "attach example-net: parameters example.podnet.dev/ExampleParams team-a/gold" "$T/agent.log"
cni DEL cidR pntsD team-a pod7 || ko "vendor kind: DEL exit $rc: $(cat "$T/out")"

# ---- version negotiation and error codes
if cni VERSION "" "" "" "" 1.1.0; then
	jq -e '.supportedVersions == ["1.0.0","1.1.0"]' "$T/out" >/dev/null && ok "version: 1.0.0 and 1.1.0" || ko "version: $(cat "$T/out")"
else ko "version: exit $rc"; fi
if cni ADD cidE pntsE team-a pod5 0.4.0; then ko "old cniVersion accepted"; else
	jq -e '.code == 1' "$T/out" >/dev/null && ok "cniVersion 0.4.0 refused with code 1" || ko "old version: $(cat "$T/out")"
fi
if cni STATUS "" "" "" "" 1.1.0; then ok "status: ready"; else ko "status: $(cat "$T/out")"; fi
if cni ADD cidE pntsE team-a pod5 1.1.0; then
	jq -e '.cniVersion == "1.1.0"' "$T/out" >/dev/null && ok "add with cniVersion 1.1.0 answers in 1.1.0" || ko "1.1.0: $(cat "$T/out")"
else ko "add 1.1.0: $(cat "$T/out")"; fi

# ---- hot-plug: the running Pod's plan loses net1 and gains net2
cat >"$T/plans/team-a_pod6.json" <<EOF
{"v":1,"attachments":[
 {"network":"default","interface":"eth0","gw4":true},
 {"network":"bridge-net","interface":"net1","provider":"podnet.dev/cni",
  "params":{"cniVersion":"1.0.0","plugins":[{"type":"bridge","bridge":"pntbr1"}]},"ips":["10.99.1.16/24"]}]}
EOF
cni ADD cidH6 pntsB team-a pod6 && ok "hot-plug: pod6 attached (eth0, net1)" || ko "hot-plug: add: $(cat "$T/out")"
cat >"$T/plans/team-a_pod6.json.new" <<EOF
{"v":1,"attachments":[
 {"network":"default","interface":"eth0","gw4":true},
 {"network":"media-net","interface":"net2","provider":"podnet.dev/cni",
  "params":{"cniVersion":"1.0.0","plugins":[{"type":"macvlan","master":"pntmvpar0","mode":"bridge"}]},
  "ips":["10.99.2.16/24"]}]}
EOF
mv "$T/plans/team-a_pod6.json.new" "$T/plans/team-a_pod6.json"
i=0
while [ $i -lt 100 ] && ! { [ "$(links pntsB)" = "eth0 lo net2 " ] && jq -e 'length == 2' "$T/state/status/team-a_pod6.json" >/dev/null 2>&1; }; do
	sleep 0.1
	i=$((i + 1))
done
if [ "$(links pntsB)" = "eth0 lo net2 " ]; then ok "hot-plug: net1 detached, net2 attached, eth0 kept"; else ko "hot-plug: links are $(links pntsB)"; fi
if [ "$(addr_of pntsB net2)" = 10.99.2.16/24 ]; then ok "hot-plug: net2 has 10.99.2.16/24"; else ko "hot-plug: net2 has $(addr_of pntsB net2)"; fi
check "hot-plug: network-status updated" jq -e 'length == 2 and .[1].name == "media-net" and .[1].ips == ["10.99.2.16"]' "$T/state/status/team-a_pod6.json"
check "hot-plug: record updated" jq -e '[.attachments[].interface] == ["eth0","net2"]' "$T/state/records/cidH6.json"
if cni DEL cidH6 pntsB team-a pod6 && [ "$(links pntsB)" = "lo " ]; then ok "hot-plug: DEL removes the hot-plugged net2 too"; else ko "hot-plug: del: $(links pntsB) $(cat "$T/out")"; fi

# ---- a burst: 6 Pods at once (4 workers), then their DELs at once
pids=""
for p in F G H I J K; do
	(cni ADD "cid$p" "pnts$p" team-b "pod$p"; echo $? >"$T/rc.$p") &
	pids="$pids $!"
done
wait $pids
burst_ok=0
for p in F G H I J K; do
	[ "$(cat "$T/rc.$p")" = 0 ] && ip -n "pnts$p" link show eth0 >/dev/null 2>&1 && burst_ok=$((burst_ok + 1))
done
[ $burst_ok = 6 ] && ok "burst: 6 concurrent ADDs all attached" || ko "burst: $burst_ok of 6 ADDs attached"
check "burst: 6 distinct addresses" sh -c "[ \$(for p in F G H I J K; do ip -n pnts\$p -o -4 addr show dev eth0 | awk '{print \$4}'; done | sort -u | wc -l) = 6 ]"
pids=""
for p in F G H I J K; do
	(cni DEL "cid$p" "pnts$p" team-b "pod$p"; echo $? >"$T/rc.$p") &
	pids="$pids $!"
done
wait $pids
burst_ok=0
for p in F G H I J K; do
	[ "$(cat "$T/rc.$p")" = 0 ] && [ "$(links "pnts$p")" = "lo " ] && burst_ok=$((burst_ok + 1))
done
[ $burst_ok = 6 ] && ok "burst: 6 concurrent DELs all clean" || ko "burst: $burst_ok of 6 DELs clean"

# ---- a macvlan whose master went away before the Pod: the kernel took the
# macvlan with it, and the plugin's DEL fails looking the master up. Nothing
# is left to undo, so the DEL must succeed and forget the attachment (else
# the record, and kubelet's retries, would stay for ever).
ip link add pntmvpar1 type bridge && ip link set pntmvpar1 up
cat >"$T/plans/team-a_pod13.json" <<EOF
{"v":1,"attachments":[
 {"network":"default","interface":"eth0","gw4":true},
 {"network":"media-net2","interface":"net2","provider":"podnet.dev/cni",
  "params":{"cniVersion":"1.0.0","plugins":[{"type":"macvlan","master":"pntmvpar1","mode":"bridge"}]},
  "ips":["10.99.3.13/24"]}]}
EOF
if cni ADD cidM pntsM team-a pod13; then ok "master gone: ADD with the master present"; else ko "master gone: add: $(cat "$T/out")"; fi
ip link del pntmvpar1
check "master gone: the macvlan went with it" sh -c "! ip -n pntsM link show dev net2"
if cni DEL cidM pntsM team-a pod13; then ok "master gone: DEL succeeds"; else ko "master gone: DEL: exit $rc $(cat "$T/out")"; fi
check "master gone: only lo left" sh -c "[ \"$(links pntsM)\" = 'lo ' ]"
check "master gone: record removed" test ! -e "$T/state/records/cidM.json"
check "master gone: no CNI cache of net2 left" sh -c "[ -z \"\$(find '$T/state/providers' -name 'cidM*')\" ]"
check "master gone: the agent says why it let the DEL pass" \
	grep -q 'DEL cidM net2: .*the interface is gone and nothing else is held: done' "$T/agent.log"

# ---- /healthz and /metrics
check "healthz: 200 ok" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$mport/healthz)\" = 200 ]"
curl -s "http://127.0.0.1:$mport/metrics" >"$T/metrics"
check "metrics: ADD ok counted" grep -Eq '^podnet_agent_requests_total\{command="ADD",result="ok"\} [1-9]' "$T/metrics"
check "metrics: ADD errors counted" grep -Eq '^podnet_agent_requests_total\{command="ADD",result="error"\} [1-9]' "$T/metrics"
check "metrics: providers listed" grep -q 'podnet_agent_provider_info{name="podnet.dev/cni"' "$T/metrics"
check "metrics: build info of this agent" grep -qE \
	"^podnet_build_info\\{version=\"$("$build/bin/podnet-agent" --version | cut -d' ' -f2)\",commit=\"[0-9a-f]{12}\",component=\"agent\"\\} 1\$" "$T/metrics"
check "metrics: ADD latency per provider" grep -Eq \
	'^podnet_agent_cni_duration_seconds_count\{op="ADD",provider="podnet.dev/cni"\} [1-9]' "$T/metrics"
# the time spent in ADDs: more than nothing, and no more than the 4 workers
# could have spent since this agent started
add_time_sane() {
	awk -v life="$(ps -o etimes= -p "$agent_pid")" '$1 == "podnet_agent_request_seconds_total{command=\"ADD\"}" {
		found = 1; ok = $2 > 0 && $2 <= 4 * (life + 1) } END { exit !(found && ok) }' "$T/metrics"
}
check "metrics: ADD time counted in seconds" add_time_sane

# ---- the agent is gone
stop_agent
if cni ADD cidX pntsB team-a podx; then ko "agent down: ADD succeeded"; else
	jq -e '.code == 11 and (.msg | test("not reachable"))' "$T/out" >/dev/null && ok "agent down: ADD fails with 11, says so" || ko "agent down ADD: $(cat "$T/out")"
fi
if cni DEL cidX pntsB team-a podx; then ok "agent down: DEL of an unrecorded container succeeds"; else ko "agent down DEL unrecorded: $(cat "$T/out")"; fi
if cni DEL cidE pntsE team-a pod5 1.1.0; then ko "agent down: DEL of a recorded container succeeded"; else
	jq -e '.code == 11' "$T/out" >/dev/null && ok "agent down: DEL of a recorded container fails with 11" || ko "agent down DEL recorded: $(cat "$T/out")"
fi
if cni STATUS "" "" "" "" 1.1.0; then ko "agent down: STATUS ok"; else
	jq -e '.code == 50' "$T/out" >/dev/null && ok "agent down: STATUS fails with 50" || ko "status down: $(cat "$T/out")"
fi
# what a kill between a save's write and its rename leaves
echo '{' >"$T/state/records/cidZ.json.tmp"
echo '{' >"$T/state/providers/cni/cache/cidZ%net1.json.tmp"
start_agent
check "agent back: temporary files of cut saves removed" \
	sh -c "[ -z \"\$(find '$T/state' -name '*.tmp')\" ]"
if cni DEL cidE pntsE team-a pod5 1.1.0; then ok "agent back: DEL succeeds"; else ko "agent back DEL: $(cat "$T/out")"; fi
check "agent back: only lo left" sh -c "[ \"$(links pntsE)\" = 'lo ' ]"

stop_agent
# Under the ASan build (or PNT_AGENT_WRAP=valgrind), the agent's reports land in its log.
check "agent log: no sanitizer or valgrind reports" sh -c "! grep -Eq 'Sanitizer|==[0-9]+== ' '$T/agent.log'"
if [ $fail -gt 0 ]; then
	echo "---- agent log (tail)"
	tail -n 30 "$T/agent.log"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
