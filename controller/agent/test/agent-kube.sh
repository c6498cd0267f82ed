#!/bin/sh
# agent-kube.sh BUILD-DIR — podnet-agent with its Pod watch, on the real local
# cluster (run through e2e/lib/with-cluster), with the real kubelet,
# containerd and CNI plugins.
#
# The agent runs as a process in node 1's network and mount namespaces (on1:
# where the node's kubelet and containerd run, e2e/cluster/node-ns) with the
# kubeconfig of the token user podnet-agent, whose only rights are
# deploy/agent/rbac.yaml's. The shim is put in front of the node's bridge
# network with deploy/agent/install-cni, run there too.
# The controller is not running: the test writes podnet.dev/plan itself, as
# the controller would (bridge networks on bridges pntk1/pntk2, planned
# addresses 10.98.1.x/10.98.2.x), signed with a key of its own (plan-sign)
# whose public half it publishes in the ConfigMap podnet-system/
# podnet-plan-keys, which the agent watches under its RBAC.
#
#   (a) a Pod with no request runs with eth0 only, kubelet reports its IP,
#       network-status lists it as default;
#   (b) a Pod with a request and a plan gets eth0 + net1, network-status
#       matches; a Pod whose plan comes later waits and then runs; a Pod
#       whose plan does not decode does not run and says why;
#   (c) hot-plug: a plan gaining an attachment adds net2 within seconds,
#       losing it removes net2;
#   (e) plans the controller did not write: an unsigned plan on a Pod that
#       asks for nothing (the Pod runs with eth0 only, checked in its netns),
#       a plan signed with another key on a running Pod (nothing detached,
#       nothing attached), an older signed plan put back (refused); each
#       with a PlanRejected Event;
#   (d) deleting the Pods leaves no record and no link;
# and install-cni --uninstall restores the conf dir exactly (always, in a
# trap). Last line: "N passed, N failed".
set -u
build=$(cd "${1:?usage: agent-kube.sh BUILD-DIR}" && pwd)
top=$(cd "$(dirname "$0")/../../.." && pwd)
: "${PODNET_CLUSTER_DIR:?run me through e2e/lib/with-cluster}"
# shellcheck disable=SC1091
. "$PODNET_CLUSTER_DIR/env"
k() { "$KUBECTL" --kubeconfig "$KUBECONFIG" "$@"; }

T=$(mktemp -d /tmp/pnt-agentkube-XXXXXX)
ns=pnt-agent-$$
pass=0
fail=0
agent_pid=""
installed=0
ok() { pass=$((pass + 1)); echo "  PASS  $*"; }
ko() { fail=$((fail + 1)); echo "  FAIL  $*"; }
check() { # check NAME CMD...
	name=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$name"; else ko "$name"; fi
}
poll() { # poll SECONDS CMD...
	n=$(($1 * 4))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		n=$((n - 1))
		sleep 0.25
	done
	return 1
}
snapshot() { # names, types, modes, owners, sizes, file mtimes and contents of the conf dir
	(cd "$CNI_CONF_DIR" && find . -mindepth 1 -printf '%p %y %m %u %g %s\n' | sort &&
		find . -type f -printf '%p %T@\n' | sort && find . -type f -exec md5sum {} + | sort)
}

# on1 CMD...: CMD in node 1's network and mount namespaces (/etc/cni/net.d,
# /opt/cni/bin are the node's own there)
on1() { nsenter -t "$NODE_PID" -m -n "$@"; }
cleanup() {
	k delete namespace "$ns" --wait=false >/dev/null 2>&1
	if [ $installed = 1 ]; then
		on1 "$top/deploy/agent/install-cni" --uninstall --cni-conf-dir /etc/cni/net.d --cni-bin-dir /opt/cni/bin \
			--state-dir "$T/state" >/dev/null 2>&1
	fi
	if [ -n "$agent_pid" ]; then
		kill "$agent_pid" 2>/dev/null
		wait "$agent_pid" 2>/dev/null
	fi
	for l in pntk1 pntk2; do on1 ip link del "$l" 2>/dev/null; done
	k -n podnet-system delete configmap podnet-plan-keys >/dev/null 2>&1
	k delete podnetwork pnt-avail-mv --wait=false >/dev/null 2>&1
	k delete cniconfig pnt-avail-mv --wait=false >/dev/null 2>&1
	k delete podnetworknode "$NODE_NAME" --wait=false >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$T/providers" "$T/state" "$T/run"
cp "$build/providers/cni.so" "$T/providers/"
chmod 0755 "$T/providers" && chmod 0644 "$T/providers"/*.so

# the CRDs the agent watches and writes (its availability report)
KUBECTL=$KUBECTL "$top/crds/apply" >/dev/null 2>&1
# ---- RBAC: exactly deploy/agent ------------------------------------------------
k create namespace podnet-system >/dev/null 2>&1
k create namespace "$ns" >/dev/null
check "rbac__deploy_agent__applies" k apply -f "$top/deploy/agent/rbac.yaml"
akc=$("$top/e2e/cluster/kubeconfig-for" podnet-agent)
can() { [ "$("$KUBECTL" --kubeconfig "$akc" auth can-i "$@" 2>/dev/null)" = yes ]; }
check "rbac__agent__can_watch_and_patch_pods" poll 20 sh -c '
	for v in list watch patch; do
		[ "$("$1" --kubeconfig "$2" auth can-i $v pods --all-namespaces 2>/dev/null)" = yes ] || exit 1
	done' _ "$KUBECTL" "$akc"
check "rbac__agent__can_watch_plan_keys" sh -c '
	for v in get list watch; do
		[ "$("$1" --kubeconfig "$2" auth can-i $v configmap/podnet-plan-keys -n podnet-system 2>/dev/null)" = yes ] || exit 1
	done' _ "$KUBECTL" "$akc"
check "rbac__agent__can_post_events" can create events -n "$ns"
check "rbac__agent__can_write_its_availability_report" sh -c '
	for v in "get podnetworknodes" "create podnetworknodes" "update podnetworknodes" "get nodes" \
		"list podnetworks" "watch podnetworks" "list cniconfigs" "watch cniconfigs"; do
		[ "$("$1" --kubeconfig "$2" auth can-i $v 2>/dev/null)" = yes ] || exit 1
	done' _ "$KUBECTL" "$akc"
if can delete pods -n "$ns" || can get secrets -n "$ns" || can create pods -n "$ns" ||
	can get configmap/other -n podnet-system || can update configmap/podnet-plan-keys -n podnet-system ||
	can delete podnetworknodes || can update podnetworks || can list nodes; then
	ko "rbac__agent__no_other_rights"
else
	ok "rbac__agent__no_other_rights"
fi

# ---- shim in front of the node's bridge network ---------------------------------
before=$(snapshot)
primary=$(cd "$CNI_CONF_DIR" && ls -1 | LC_ALL=C sort | head -1)
installed=1
if on1 "$top/deploy/agent/install-cni" --cni-conf-dir /etc/cni/net.d --cni-bin-dir /opt/cni/bin \
	--shim "$build/bin/podnet-cni" --agent-socket "$T/run/agent.sock" --state-dir "$T/state" >"$T/install.out" 2>&1; then
	ok "install-cni__install__exit_0"
else
	ko "install-cni__install__exit_0: $(cat "$T/install.out")"
fi
check "install-cni__conflist__points_at_primary" \
	jq -e --arg p "/etc/cni/net.d/$primary" '.plugins[0].type == "podnet-cni" and .plugins[0].primaryConfList == $p' \
	"$CNI_CONF_DIR/00-podnet.conflist"
check "install-cni__shim__in_bin_dir" cmp "$build/bin/podnet-cni" "$NODE_CNI_BIN_DIR/podnet-cni"

# ---- the plan key: ours plays podnet-controller's ----------------------------------
SIGN=$build/test/plan-sign
keyid=$("$SIGN" genkey "$T/plan.key")
"$SIGN" genkey "$T/evil.key" >/dev/null
"$SIGN" pubkey "$T/plan.key" >"$T/plan.pub"
k -n podnet-system delete configmap podnet-plan-keys >/dev/null 2>&1
check "keys__configmap__created" k -n podnet-system create configmap podnet-plan-keys --from-file="$keyid=$T/plan.pub"
seq=0
uid_of() { k -n "$ns" get pod "$1" -o 'jsonpath={.metadata.uid}'; }
# setplan POD PLAN [KEY]: the plan and its signature in one write, as the controller does
setplan() {
	seq=$((seq + 1))
	sig=$("$SIGN" sign "${3:-$T/plan.key}" "$(uid_of "$1")" $seq "$2") || return 1
	k -n "$ns" annotate --overwrite pod "$1" "podnet.dev/plan=$2" "podnet.dev/plan-signature=$sig" >/dev/null
}

mport=$((19500 + $$ % 400))
on1 "$build/bin/podnet-agent" --kubeconfig "$akc" --node-name "$NODE_NAME" --socket "$T/run/agent.sock" \
	--state-dir "$T/state" --providers-dir "$T/providers" \
	--primary-cni-conf /etc/cni/net.d/00-podnet.conflist --cni-path /opt/cni/bin \
	--plan-wait-ms 20000 --metrics-addr "127.0.0.1:$mport" 2>"$T/agent.log" &
agent_pid=$!
check "agent__socket__appears" poll 10 test -S "$T/run/agent.sock"
metric() { on1 curl -s "http://127.0.0.1:$mport/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
metric_ge() { v=$(metric "$1"); [ "${v:-0}" -ge "$2" ]; }
check "agent__watch__synced" poll 20 metric_ge podnet_agent_watch_synced 1
check "agent__plan_keys__known" poll 20 metric_ge podnet_agent_plan_keys 1
sleep 2 # containerd picks up the new conf dir content (fsnotify)

# ---- helpers ----------------------------------------------------------------
mkpod() { # mkpod NAME [ANNOTATIONS-YAML-LINES]
	cat >"$T/$1.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $1
  namespace: $ns
  annotations:
    pnt: "1"
${2:-}
spec:
  nodeName: $NODE_NAME
  terminationGracePeriodSeconds: 0
  containers:
  - name: main
    image: $POD_IMAGE
    imagePullPolicy: Never
    command: [sleep, "3600"]
YAML
	poll 60 k create -f "$T/$1.yaml"
}
phase() { k -n "$ns" get pod "$1" -o 'jsonpath={.status.phase}'; }
running() { [ "$(phase "$1")" = Running ]; }
podip() { k -n "$ns" get pod "$1" -o 'jsonpath={.status.podIP}'; }
netstatus() { k -n "$ns" get pod "$1" -o 'jsonpath={.metadata.annotations.k8s\.v1\.cni\.cncf\.io/network-status}'; }
podpid() {
	cid=$(k -n "$ns" get pod "$1" -o 'jsonpath={.status.containerStatuses[0].containerID}')
	cid=${cid#containerd://}
	ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks ls | awk -v id="$cid" '$1 == id { print $2 }'
}
links() { nsenter --net="/proc/$(podpid "$1")/ns/net" ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' '; }
addr_of() { nsenter --net="/proc/$(podpid "$1")/ns/net" ip -o -4 addr show dev "$2" 2>/dev/null | awk '{print $4}'; }
status_has() { # status_has POD [JQ-ARGS...] JQ-FILTER
	s=$(netstatus "$1")
	shift
	[ -n "$s" ] && echo "$s" | jq -e "$@" >/dev/null
}
not_running() { [ "$(phase "$1")" != Running ]; }
addr_is() { [ "$(addr_of "$1" "$2")" = "$3" ]; }
links_are() { [ "$(links "$1")" = "$2" ]; }
events_mention() { k -n "$ns" get events --field-selector "involvedObject.name=$1" -o json | grep -qF "$2"; }
no_ports() { [ -z "$(on1 ip -o link show master "$1" 2>/dev/null)" ]; }
in_subnet() { [ "${1%.*}" = "$(echo "${2%/*}" | cut -d. -f1-3)" ]; }
plan() { # plan [extra attachment JSON ...]
	p='{"v":1,"attachments":[{"network":"default","interface":"eth0","gw4":true,"gw6":true},
{"network":"pnt-br1","interface":"net1","provider":"podnet.dev/cni","params":{"cniVersion":"1.0.0","plugins":[{"type":"bridge","bridge":"pntk1"}]},"ips":["10.98.1.10/24"],"gateways":[],"routes":[]}'
	for x in "$@"; do p="$p,$x"; done
	echo "$p]}" | jq -c .
}
NET2='{"network":"pnt-br2","interface":"net2","provider":"podnet.dev/cni","params":{"cniVersion":"1.0.0","plugins":[{"type":"bridge","bridge":"pntk2"}]},"ips":["10.98.2.10/24"],"gateways":[],"routes":[]}'
REQ='- podNetworkName: pnt-br1'

# ---- (a) no request: default only ---------------------------------------------------
t0=$(date +%s)
check "a__pod_without_request__created" mkpod pa
check "a__pod_without_request__running" poll 90 running pa
echo "  pa Running after $(($(date +%s) - t0)) s"
ip=$(podip pa)
echo "  pa: ip $ip links $(links pa)"
check "a__kubelet__reports_ip_in_default_subnet" in_subnet "$ip" "$DEFAULT_SUBNET"
check "a__netns__lo_and_eth0_only" links_are pa "eth0 lo "
check "a__eth0__has_pod_ip" [ "$(addr_of pa eth0)" = "$ip/${DEFAULT_SUBNET#*/}" ]
check "a__network_status__written_by_agent" poll 15 status_has pa 'length == 1'
echo "  pa network-status: $(netstatus pa)"
check "a__network_status__default_with_pod_ip" status_has pa \
	--arg ip "$ip" '.[0].name == "default" and .[0].interface == "eth0" and .[0].default == true and (.[0].ips | index($ip) != null)'

# ---- (b) a request with a plan ---------------------------------------------------------
P1=$(plan)
# the signature names the Pod's uid: the plan is written once the Pod exists
check "b__pod_with_plan__created" mkpod pb "    podnet.dev/networks: '$REQ'"
check "b__pod_with_plan__planned" setplan pb "$P1"
check "b__pod_with_plan__running" poll 90 running pb
echo "  pb: ip $(podip pb) links $(links pb)"
check "b__netns__eth0_and_net1" links_are pb "eth0 lo net1 "
check "b__net1__has_planned_address" addr_is pb net1 10.98.1.10/24
check "b__kubelet__reports_default_ip" in_subnet "$(podip pb)" "$DEFAULT_SUBNET"
check "b__network_status__two_entries" poll 15 status_has pb 'length == 2'
echo "  pb network-status: $(netstatus pb)"
check "b__network_status__matches_plan" status_has pb \
	'(.[0].name == "default" and .[0].default == true) and (.[1].name == "pnt-br1" and .[1].interface == "net1" and (.[1].ips | index("10.98.1.10") != null) and (.[1].default | not))'

# a request whose plan comes later: the ADD waits, then proceeds
check "b__pod_pending_plan__created" mkpod pc "    podnet.dev/networks: '$REQ'"
sleep 4
check "b__pod_pending_plan__not_running_without_plan" not_running pc
PC=$(plan | jq -c '.attachments[1].ips = ["10.98.1.11/24"]')
setplan pc "$PC"
check "b__pod_pending_plan__running_once_planned" poll 60 running pc
check "b__pod_pending_plan__net1_planned_address" addr_is pc net1 10.98.1.11/24

# a plan that does not decode: no sandbox, and the reason reaches the Pod's events
check "b__pod_bad_plan__created" mkpod pd "    podnet.dev/networks: '$REQ'"
setplan pd '{"v":1,'
sleep 6
check "b__pod_bad_plan__not_running" not_running pd
check "b__pod_bad_plan__event_names_the_annotation" poll 30 events_mention pd "podnet.dev/plan annotation does not decode"

# ---- (c) hot-plug ------------------------------------------------------------------------
P2=$(plan "$NET2")
t0=$(date +%s)
setplan pb "$P2"
P2SIG=$sig
check "c__hotplug_add__net2_appears_within_15s" poll 15 addr_is pb net2 10.98.2.10/24
echo "  net2 after $(($(date +%s) - t0)) s; links $(links pb)"
check "c__hotplug_add__network_status_lists_net2" poll 15 status_has pb \
	'length == 3 and (.[2].name == "pnt-br2" and .[2].interface == "net2" and (.[2].ips | index("10.98.2.10") != null))'
check "c__hotplug_add__eth0_net1_untouched" addr_is pb net1 10.98.1.10/24
setplan pb "$P1"
check "c__hotplug_remove__net2_gone_within_15s" poll 15 links_are pb "eth0 lo net1 "
check "c__hotplug_remove__network_status_back_to_two" poll 15 status_has pb 'length == 2'
check "c__pod__still_running" running pb

# ---- (e) plans the controller did not write -----------------------------------------------
# The attack of issue 12: a Pod asking for nothing, created with a plan of
# its author's (a macvlan-like extra interface with someone else's address).
EVIL=$(plan "$NET2" | jq -c '.attachments[1].interface = "evil0" | .attachments[2].interface = "evil1"')
check "e__unsigned_plan__pod_created" mkpod pe "    podnet.dev/plan: '$EVIL'"
check "e__unsigned_plan__pod_runs_with_default" poll 90 running pe
check "e__unsigned_plan__netns_eth0_only" links_are pe "eth0 lo "
check "e__unsigned_plan__event_plan_rejected" poll 30 events_mention pe "PlanRejected"
check "e__unsigned_plan__event_says_why" events_mention pe "podnet.dev/plan-signature: missing"
check "e__unsigned_plan__network_status_default_only" poll 15 status_has pe 'length == 1 and .[0].name == "default"'
# A running Pod (pb: eth0 + net1) gets a plan signed with another key that
# would remove net1 and add net2: nothing detached, nothing attached.
setplan pb "$(plan "$NET2" | jq -c 'del(.attachments[1])')" "$T/evil.key"
check "e__other_key__event_plan_rejected" poll 30 events_mention pb "not listed in ConfigMap podnet-system/podnet-plan-keys"
sleep 3
check "e__other_key__running_pod_keeps_net1" links_are pb "eth0 lo net1 "
check "e__other_key__net1_address_kept" addr_is pb net1 10.98.1.10/24
# An older plan the controller really signed for pb (with net2), put back:
# refused, its seq is lower than the last verified one.
k -n "$ns" annotate --overwrite pod pb "podnet.dev/plan=$P2" "podnet.dev/plan-signature=$P2SIG" >/dev/null
check "e__replay__event_names_the_seq" poll 30 events_mention pb "is lower than"
sleep 3
check "e__replay__net2_not_attached" links_are pb "eth0 lo net1 "
check "e__replay__pod_still_running" running pb
check "e__metrics__rejections_counted" metric_ge podnet_agent_plans_rejected_total 3
# the real plan again (a higher seq) is acted on
setplan pb "$P2"
check "e__new_signed_plan__net2_appears" poll 15 addr_is pb net2 10.98.2.10/24
setplan pb "$P1"
check "e__new_signed_plan__net2_removed" poll 15 links_are pb "eth0 lo net1 "

# ---- metrics -------------------------------------------------------------------------------
check "metrics__status_writes_counted" metric_ge 'podnet_agent_status_writes_total{result="written"}' 3
check "metrics__pod_events_counted" metric_ge podnet_agent_pod_events_total 4
# 8 values reached the Pods (pa, pb, pb with net2, pb without, pc, pe, and
# pb with net2 and without again in (e)); our own writes come back as Pod
# updates and must not cause more writes
on1 curl -s "http://127.0.0.1:$mport/metrics" | grep -E '^podnet_agent_(status_writes|watch|pods|pod_events|plan_changes)' | sed 's/^/  /'
check "metrics__no_write_loop" sh -c '[ "${1:-99}" -le 11 ]' _ "$(metric 'podnet_agent_status_writes_total{result="written"}')"

# ---- the node's availability report (PodNetworkNode) ----------------------------------------
# A macvlan whose master the node lacks: ParentLinkMissing in the report the
# agent writes for its node, owned by the Node; the link made: available.
report_reason() { k get podnetworknode "$NODE_NAME" -o 'jsonpath={.status.networks[?(@.name=="pnt-avail-mv")].reason}' 2>/dev/null; }
report_available() { [ "$(k get podnetworknode "$NODE_NAME" -o 'jsonpath={.status.networks[?(@.name=="pnt-avail-mv")].available}' 2>/dev/null)" = true ]; }
k apply -f - >/dev/null <<'YAML'
apiVersion: podnet.dev/v1alpha1
kind: CNIConfig
metadata: {name: pnt-avail-mv}
spec:
  cniVersion: 1.0.0
  plugins:
  - {type: macvlan, master: pntavail0, mode: bridge}
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: pnt-avail-mv}
spec:
  provider: podnet.dev/cni
  parametersRefs:
  - {group: podnet.dev, kind: CNIConfig, name: pnt-avail-mv}
YAML
report_reason_is() { [ "$(report_reason)" = "$1" ]; }
owned_by_node() {
	[ "$(k get podnetworknode "$NODE_NAME" -o 'jsonpath={.metadata.ownerReferences[0].uid}')" = \
		"$(k get node "$NODE_NAME" -o 'jsonpath={.metadata.uid}')" ]
}
check "avail__report__parent_link_missing" poll 20 report_reason_is ParentLinkMissing
check "avail__report__owned_by_the_node" owned_by_node
on1 ip link add pntavail0 type ifb 2>/dev/null
# the link appearing changes no object: the periodic evaluation (30 s) sees it
check "avail__link_made__available_within_the_period" poll 45 report_available
on1 ip link del pntavail0 2>/dev/null
check "metrics__availability_written" metric_ge podnet_agent_availability_writes_total 2

# ---- (d) deleting the Pods ---------------------------------------------------------------
k -n "$ns" delete pod pa pb pc pd pe --wait=true --timeout=90s >/dev/null 2>&1
norecords() { [ -z "$(ls -A "$T/state/records" 2>/dev/null)" ]; }
check "d__delete__no_record_left" poll 30 norecords
check "d__delete__no_port_on_pntk1" poll 30 no_ports pntk1
check "d__delete__no_port_on_pntk2" no_ports pntk2
check "d__delete__no_veth_on_default_bridge" poll 30 no_ports "$DEFAULT_BRIDGE"
check "agent__still_running" kill -0 "$agent_pid"

# ---- restore ---------------------------------------------------------------------------------
on1 "$top/deploy/agent/install-cni" --uninstall --cni-conf-dir /etc/cni/net.d --cni-bin-dir /opt/cni/bin \
	--state-dir "$T/state" >/dev/null 2>&1
installed=0
check "install-cni__uninstall__conf_dir_restored_exactly" [ "$(snapshot)" = "$before" ]
check "install-cni__uninstall__shim_removed" test ! -e "$NODE_CNI_BIN_DIR/podnet-cni"

if [ $fail -gt 0 ]; then
	echo "--- agent log (tail)"
	tail -40 "$T/agent.log"
fi
echo "$pass passed, $fail failed"
[ $fail = 0 ]
