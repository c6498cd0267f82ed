# e2e/lib/podnet.sh — runs podnet on the local cluster, for the end-to-end
# scenarios (e2e/test/s*.sh) and for `make run` (e2e/run-podnet). Sourced.
#
# Needs the cluster's env ($PODNET_CLUSTER_DIR/env, written by
# e2e/cluster/up; the scenarios run under e2e/lib/with-cluster). podnet_up
# starts podnet the way a node would run it, as host processes:
#   - the CRDs (crds/apply), deploy/controller's namespace and RBAC,
#     deploy/agent's RBAC;
#   - podnet-controller with the token user podnet-controller (group
#     podnet:controllers: only deploy/controller's rights);
#   - podnet-agent with the token user podnet-agent (only deploy/agent's
#     rights), the reference `cni` provider, its socket and state under $PN_DIR;
#   - the shim, put in front of the node's bridge network by
#     deploy/agent/install-cni;
#   - the parent links the telecom example names (sig-parent, stor-parent):
#     this kernel has no `dummy` link type, so they are `ifb` links.
# podnet_down undoes all of it (the scenarios call it from their EXIT trap),
# but for what a cluster install of podnet keeps: the CRDs, the namespace
# podnet-system and the RBAC objects (other tests apply them too).
#
# Also: check/poll/finish counters ("N passed, N failed" as the last line)
# and helpers to read a Pod from the API and from inside its netns.
: "${PODNET_CLUSTER_DIR:?run me through e2e/lib/with-cluster or e2e/cluster/run}"
# shellcheck disable=SC1091
. "$PODNET_CLUSTER_DIR/env"
top=$(cd "$(dirname "$0")/../.." && pwd)
[ -f "$top/e2e/lib/podnet.sh" ] || top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
PN_DIR=${PN_DIR:-$(mktemp -d "$PODNET_CLUSTER_DIR/podnet-e2e-XXXXXX")}
mkdir -p "$PN_DIR/bin" "$PN_DIR/state" "$PN_DIR/run" "$PN_DIR/providers"
# k: kubectl as the cluster admin, a program so that `sh -c` checks can use it
printf '#!/bin/sh\nexec "%s" --kubeconfig "%s" "$@"\n' "$KUBECTL" "$KUBECONFIG" >"$PN_DIR/bin/k"
chmod +x "$PN_DIR/bin/k"
PATH=$PN_DIR/bin:$BUILD/bin:$PATH
export PATH
PARENT_LINKS="sig-parent stor-parent"

# ---- counters ------------------------------------------------------------------
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "  PASS  $*"; }
ko() { failed=$((failed + 1)); echo "  FAIL  $*"; }
check() { # check NAME CMD...: passes when CMD exits 0
	_n=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$_n"; else ko "$_n"; fi
}
poll() { # poll SECONDS CMD...: retries CMD every 0.25 s for at most SECONDS
	_i=$(($1 * 4))
	shift
	while [ $_i -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		_i=$((_i - 1))
		sleep 0.25
	done
	return 1
}
finish() { # last line of a scenario; logs on failure
	if [ $failed -gt 0 ]; then
		for f in controller agent; do
			[ -f "$PN_DIR/$f.log" ] || continue
			echo "--- $f log (tail)"
			tail -30 "$PN_DIR/$f.log"
		done
	fi
	echo "$passed passed, $failed failed"
	[ $failed = 0 ]
}

# ---- podnet up and down --------------------------------------------------------
pn_ctl_pid=""
pn_agent_pid=""
pn_installed=0
PN_CTL_PORT=$((20100 + $$ % 400))
PN_AGENT_PORT=$((20600 + $$ % 400))

healthy() { curl -sf "http://127.0.0.1:$1/healthz" >/dev/null; }
metric() { # metric PORT NAME: the value of one sample
	curl -s "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1 == m { print $2 }'
}
metric_ge() { _v=$(metric "$1" "$2"); [ "${_v%.*}" -ge "$3" ] 2>/dev/null; }

podnet_start_controller() {
	"$BUILD/bin/podnet-controller" --kubeconfig "$PN_CTL_KC" --identity "e2e-$$" --qps -1 \
		--lease-duration 4 --renew-deadline 3 --retry-period 1 \
		--metrics-addr "127.0.0.1:$PN_CTL_PORT" "$@" >>"$PN_DIR/controller.log" 2>&1 3>&- &
	pn_ctl_pid=$!
	echo "$pn_ctl_pid" >"$PN_DIR/controller.pid"
	poll 20 healthy "$PN_CTL_PORT"
}

podnet_start_agent() {
	"$BUILD/bin/podnet-agent" --kubeconfig "$PN_AGENT_KC" --node-name "$NODE_NAME" \
		--socket "$PN_DIR/run/agent.sock" --state-dir "$PN_DIR/state" \
		--providers-dir "$PN_DIR/providers" --primary-cni-conf "$CNI_CONF_DIR/00-podnet.conflist" \
		--cni-path "$CNI_BIN_DIR" --plan-wait-ms "${PN_PLAN_WAIT_MS:-8000}" \
		--metrics-addr "127.0.0.1:$PN_AGENT_PORT" "$@" >>"$PN_DIR/agent.log" 2>&1 3>&- &
	pn_agent_pid=$!
	echo "$pn_agent_pid" >"$PN_DIR/agent.pid"
	poll 20 test -S "$PN_DIR/run/agent.sock" && poll 30 metric_ge "$PN_AGENT_PORT" podnet_agent_watch_synced 1
}

# podnet_up: everything above; returns non-zero (with a message) on failure.
podnet_up() {
	KUBECTL=$KUBECTL "$top/crds/apply" >"$PN_DIR/crds.log" 2>&1 || { cat "$PN_DIR/crds.log" >&2; return 1; }
	k apply -f "$top/deploy/controller/namespace.yaml" >/dev/null &&
		k apply -f "$top/deploy/controller/rbac.yaml" >/dev/null &&
		k apply -f "$top/deploy/agent/rbac.yaml" >/dev/null || return 1
	PN_CTL_KC=$("$top/e2e/cluster/kubeconfig-for" podnet-controller) &&
		PN_AGENT_KC=$("$top/e2e/cluster/kubeconfig-for" podnet-agent) || return 1
	for l in $PARENT_LINKS; do
		ip link show "$l" >/dev/null 2>&1 || ip link add "$l" type ifb || return 1
		ip link set "$l" up || return 1
	done
	cp "$BUILD/providers/cni.so" "$PN_DIR/providers/"
	chmod 0755 "$PN_DIR/providers" && chmod 0644 "$PN_DIR/providers"/*.so
	pn_installed=1
	echo "$CNI_CONF_DIR" >"$PN_DIR/cni-conf-dir"
	echo "$CNI_BIN_DIR" >"$PN_DIR/cni-bin-dir"
	# install-cni's --state-dir is the agent's: the shim's conflist names
	# its records directory, which DEL checks while the agent is away
	"$top/deploy/agent/install-cni" --cni-conf-dir "$CNI_CONF_DIR" --cni-bin-dir "$CNI_BIN_DIR" \
		--shim "$BUILD/bin/podnet-cni" --agent-socket "$PN_DIR/run/agent.sock" \
		--state-dir "$PN_DIR/state" >"$PN_DIR/install.log" 2>&1 || { cat "$PN_DIR/install.log" >&2; return 1; }
	podnet_start_agent || { echo "podnet-agent did not start: $(tail -5 "$PN_DIR/agent.log")" >&2; return 1; }
	podnet_start_controller || { echo "podnet-controller did not start: $(tail -5 "$PN_DIR/controller.log")" >&2; return 1; }
	# the default PodNetwork exists once the controller leads
	poll 30 k get podnetwork default || { echo "no default PodNetwork" >&2; return 1; }
	sleep 1 # containerd reads the CNI conf dir on change (fsnotify)
}

# no_record_of_gone_pods: every agent record names a Pod that still exists
no_record_of_gone_pods() {
	for _r in "$PN_DIR"/state/records/*; do
		[ -f "$_r" ] || continue
		_np=$(jq -r '"\(.podNamespace) \(.podName)"' "$_r" 2>/dev/null) || continue
		# shellcheck disable=SC2086
		k -n ${_np% *} get pod "${_np#* }" >/dev/null 2>&1 || return 1
	done
	return 0
}

podnet_stop() { # podnet_stop controller|agent [SIGNAL]
	if [ "$1" = controller ]; then _p=$pn_ctl_pid; else _p=$pn_agent_pid; fi
	[ -n "$_p" ] || return 0
	kill "-${2:-TERM}" "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
	if [ "$1" = controller ]; then pn_ctl_pid=""; else pn_agent_pid=""; fi
	# a killed agent leaves its socket file: the next start must not
	# mistake it for its own
	[ "$1" = agent ] && rm -f "$PN_DIR/run/agent.sock"
	return 0
}

# podnet_down [NAMESPACE...]: deletes the scenario's namespaces (their Pods go
# through the agent while it still runs), then stops podnet and puts the node
# back: shim uninstalled, parent links and the example bridge removed.
podnet_down() {
	for ns in "$@"; do k delete namespace "$ns" --wait=false >/dev/null 2>&1; done
	for ns in "$@"; do k wait --for=delete "namespace/$ns" --timeout=90s >/dev/null 2>&1; done
	# The runtime's DELs follow the Pod objects' removal by a few seconds:
	# the agent stays until no record names a Pod that is gone.
	poll 60 no_record_of_gone_pods
	podnet_stop controller
	podnet_stop agent
	if [ $pn_installed = 1 ]; then
		"$top/deploy/agent/install-cni" --uninstall --cni-conf-dir "$CNI_CONF_DIR" \
			--cni-bin-dir "$CNI_BIN_DIR" --state-dir "$PN_DIR/state" >/dev/null 2>&1
		pn_installed=0
	fi
	for l in $PARENT_LINKS pn-data; do ip link del "$l" 2>/dev/null; done
}

# podnet_forget_objects: removes every podnet object (Pods using them must be
# gone), finalizers included, so the next scenario starts from nothing.
podnet_forget_objects() {
	for r in podnetworkattachments.podnet.dev podnetworks.podnet.dev cniconfigs.podnet.dev ippools.podnet.dev; do
		for o in $(k get "$r" -A -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name}{"\n"}{end}' 2>/dev/null); do
			n=${o#*/} s=${o%%/*}
			set -- "$r" "$n"
			[ -n "$s" ] && set -- "$@" -n "$s"
			k patch "$@" --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1
			k delete "$@" --wait=false >/dev/null 2>&1
		done
	done
}

# ---- Pods ------------------------------------------------------------------------
# mkpod NS NAME [NETWORKS-YAML]: a busybox Pod on this node; NETWORKS-YAML is
# the podnet.dev/networks value (a YAML list; empty: no request).
mkpod() {
	{
		cat <<EOP
apiVersion: v1
kind: Pod
metadata:
  name: $2
  namespace: $1
EOP
		if [ -n "${3:-}" ]; then
			echo "  annotations:"
			echo "    podnet.dev/networks: |"
			printf '%s\n' "$3" | sed 's/^/      /'
		fi
		cat <<EOP
spec:
  nodeName: $NODE_NAME
  terminationGracePeriodSeconds: 0
  containers:
  - name: main
    image: $POD_IMAGE
    imagePullPolicy: Never
    command: [sleep, "3600"]
EOP
	} >"$PN_DIR/pod-$1-$2.yaml"
	poll 30 k create -f "$PN_DIR/pod-$1-$2.yaml"
}
mkns() { k create namespace "$1" >/dev/null && poll 30 k -n "$1" get serviceaccount default; }
phase() { k -n "$1" get pod "$2" -o 'jsonpath={.status.phase}'; }
running() { [ "$(phase "$1" "$2")" = Running ]; }
not_running() { [ "$(phase "$1" "$2")" != Running ]; }
podip() { k -n "$1" get pod "$2" -o 'jsonpath={.status.podIP}'; }
annotation() { # annotation NS POD KEY
	k -n "$1" get pod "$2" -o json | jq -r --arg k "$3" '.metadata.annotations[$k] // empty'
}
netstatus() { annotation "$1" "$2" k8s.v1.cni.cncf.io/network-status; }
plan_of() { annotation "$1" "$2" podnet.dev/plan; }
status_has() { # status_has NS POD [JQ-ARGS...] FILTER: network-status matches
	_s=$(netstatus "$1" "$2")
	shift 2
	[ -n "$_s" ] && printf '%s' "$_s" | jq -e "$@" >/dev/null
}
plan_has() { # plan_has NS POD [JQ-ARGS...] FILTER
	_s=$(plan_of "$1" "$2")
	shift 2
	[ -n "$_s" ] && printf '%s' "$_s" | jq -e "$@" >/dev/null
}
restarts() { k -n "$1" get pod "$2" -o 'jsonpath={.status.containerStatuses[0].restartCount}'; }
podpid() { # the pid of the Pod's container task (its netns is the Pod's)
	_c=$(k -n "$1" get pod "$2" -o 'jsonpath={.status.containerStatuses[0].containerID}')
	_c=${_c#containerd://}
	[ -n "$_c" ] || return 1
	ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks ls | awk -v id="$_c" '$1 == id { print $2 }'
}
in_pod() { # in_pod NS POD CMD...: runs a host command in the Pod's netns
	_p=$(podpid "$1" "$2")
	[ -n "$_p" ] || return 1
	shift 2
	nsenter --net="/proc/$_p/ns/net" "$@"
}
links() { in_pod "$1" "$2" ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' '; }
links_are() { [ "$(links "$1" "$2")" = "$3" ]; }
addrs_of() { in_pod "$1" "$2" ip -o addr show dev "$3" scope global 2>/dev/null | awk '{print $4}' | sort | tr '\n' ' '; }
addr4_of() { in_pod "$1" "$2" ip -o -4 addr show dev "$3" 2>/dev/null | awk '{print $4}'; }
addr_is() { [ "$(addr4_of "$1" "$2" "$3")" = "$4" ]; }
default_dev() { in_pod "$1" "$2" ip -4 route show default | awk '{for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1)}'; }
events_mention() { # events_mention NS OBJ TEXT: an Event about OBJ says TEXT
	k -n "$1" get events --field-selector "involvedObject.name=$2" -o json | grep -qF -- "$3"
}
pool_allocated() { # pool_allocated POOL: the sum of status.ranges[].allocated of an IPPool
	k get ippool "$1" -o json 2>/dev/null | jq '[.status.ranges[]?.allocated // 0] | add // 0'
}
pool_allocated_is() { [ "$(pool_allocated "$1")" = "$2" ]; }

# ---- networks ------------------------------------------------------------------
# network_yaml NETWORK CNICONFIG PLUGIN POOL RANGE [SPEC-LINE]: a PodNetwork of
# the cni provider with its CNIConfig (one plugin, a YAML flow map) and its
# IPPool (one range, a flow map), as a YAML stream for kubectl apply.
network_yaml() {
	cat <<EOY
---
apiVersion: podnet.dev/v1alpha1
kind: CNIConfig
metadata: {name: $2}
spec:
  cniVersion: 1.0.0
  plugins:
  - $3
---
apiVersion: podnet.dev/v1alpha1
kind: IPPool
metadata: {name: $4}
spec:
  ranges:
  - $5
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: $1}
spec:
${6:+  $6
}  provider: podnet.dev/cni
  parametersRefs:
  - {group: podnet.dev, kind: CNIConfig, name: $2}
  - {group: podnet.dev, kind: IPPool, name: $4}
EOY
}
# condition NETWORK TYPE [FIELD]: a field (status unless named) of one
# condition of a PodNetwork
condition() { k get podnetwork "$1" -o "jsonpath={.status.conditions[?(@.type==\"$2\")].${3:-status}}"; }
condition_is() { [ "$(condition "$1" "$2")" = "$3" ]; } # condition_is NETWORK TYPE STATUS
net_ready() { condition_is "$1" Ready True; }
# ctl_pool_allocated POOL: the controller's own count (addresses held by plans)
ctl_pool_allocated() {
	curl -s "http://127.0.0.1:$PN_CTL_PORT/metrics" |
		awk -v p="podnet_controller_ipam_allocated{pool=\"$1\"" 'index($1, p) == 1 { s += $2 } END { print s + 0 }'
}
ctl_pool_allocated_is() { [ "$(ctl_pool_allocated "$1")" = "$2" ]; }
# host_local_addrs: the addresses host-local holds for the node's default network
HOST_LOCAL_DIR=$(dirname "$KUBELET_ROOT_DIR")/cni/ipam/podnet-default
host_local_addrs() {
	for _f in "$HOST_LOCAL_DIR"/*; do
		case ${_f##*/} in *[!0-9a-f.:]*) ;; *) echo "${_f##*/}" ;; esac
	done | sort | tr '\n' ' '
}
veths_on() { ip -o link show master "$1" type veth 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | sort; }

# ---- Pods waiting, and Events ----------------------------------------------------
no_pods() { [ -z "$(k -n "$1" get pods -o name)" ]; } # no_pods NS
link_kind() { in_pod "$1" "$2" ip -d link show "$3" | grep -q "$4"; } # link_kind NS POD IF TEXT
distinct() { [ -n "$1" ] && [ "$1" != "$2" ]; }
waiting_reason() { k -n "$1" get pod "$2" -o 'jsonpath={.status.containerStatuses[0].state.waiting.reason}'; }
container_creating() { # Pending, waiting in ContainerCreating, never restarted
	[ "$(phase "$1" "$2")" = Pending ] && [ "$(waiting_reason "$1" "$2")" = ContainerCreating ] &&
		[ "$(restarts "$1" "$2")" = 0 ]
}
# event_is NS POD TYPE SOURCE TEXT: an Event of that type from that component
# about the Pod, whose message holds TEXT
event_is() {
	k -n "$1" get events --field-selector "involvedObject.name=$2" -o json |
		jq -e --arg t "$3" --arg s "$4" --arg m "$5" \
			'[.items[] | select(.type == $t and (.source.component // .reportingComponent) == $s and
				(.message | contains($m)))] | length > 0'
}
show_events() { # show_events NS POD: one line per Event, for the log
	k -n "$1" get events --field-selector "involvedObject.name=$2" -o json |
		jq -r '.items[] | "    \(.type) \(.reason) x\(.count // 1) (\(.source.component // .reportingComponent)): \(.message)"' | cut -c1-300
}
