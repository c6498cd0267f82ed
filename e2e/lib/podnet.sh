# e2e/lib/podnet.sh — podnet on the local cluster, for the end-to-end
# scenarios (e2e/test/s*.sh) and for `make run` (e2e/run-podnet). Sourced.
#
# Needs the cluster's env ($PODNET_CLUSTER_DIR/env, written by
# e2e/cluster/up; the scenarios run under e2e/lib/with-cluster). podnet_up
# installs podnet the way a platform team does (docs/install.md): the image
# of `make image` imported into every node's containerd, then
# `kubectl apply -k build/deploy` (deploy/ with that image's tag): the CRDs,
# RBAC, the controller Deployment (2 replicas) and the agent DaemonSet, which
# puts podnet-cni in front of each node's default network. The install is
# shared by the scenarios; each scenario's podnet_down deletes its namespaces
# and the links it made on the nodes, and leaves podnet running.
#
# The nodes are namespaces of this machine (e2e/cluster/README.md): on_node N
# runs a command in node N's network and mount namespace, node_path N PATH is
# a node's file seen from here; in_pod runs one in a Pod's network namespace.
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
mkdir -p "$PN_DIR/bin"
# k: kubectl as the cluster admin, a program so that `sh -c` checks can use it
printf '#!/bin/sh\nexec "%s" --kubeconfig "%s" "$@"\n' "$KUBECTL" "$KUBECONFIG" >"$PN_DIR/bin/k"
chmod +x "$PN_DIR/bin/k"
# on_node N CMD...: CMD in node N's network and mount namespace (a program too)
cat >"$PN_DIR/bin/on_node" <<'EOS'
#!/bin/sh
if [ "$1" = 2 ]; then p=${NODE_PID2:?no second node}; else p=$NODE_PID; fi
shift
exec nsenter -t "$p" -m -n "$@"
EOS
chmod +x "$PN_DIR/bin/on_node"
PATH=$PN_DIR/bin:$BUILD/bin:$PATH
export PATH
PARENT_LINKS="sig-parent stor-parent"

# ---- counters ------------------------------------------------------------------
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "  PASS  $*"; }
ko() { failed=$((failed + 1)); echo "  FAIL  $* (at $(date +%H:%M:%S))"; }
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
			echo "--- $f log (tail)"
			pn_log $f | tail -30
		done
	fi
	echo "$passed passed, $failed failed"
	[ $failed = 0 ]
}

# ---- podnet up and down --------------------------------------------------------
# podnet runs as users install it: the image of `make image`, imported into
# each node's containerd (e2e/cluster/load-image), and `kubectl apply -k` of
# $BUILD/deploy (deploy/ with that image's tag; --validate=false because the
# 1.20 API server predates the CRDs' CEL rules). The install is shared: the
# first scenario installs, the others find it running and reuse it.
PN_NS=podnet-system
PN_DEPLOY=${PN_DEPLOY:-$BUILD/deploy}
healthy() { curl -sf "http://$1/healthz" >/dev/null; }
metric() { # metric HOST:PORT NAME: the value of one sample
	curl -s "http://$1/metrics" | awk -v m="$2" '$1 == m { print $2 }'
}
metric_ge() { _v=$(metric "$1" "$2"); [ "${_v%.*}" -ge "$3" ] 2>/dev/null; }

# ---- the nodes: each has its own network and mount namespace -----------------
node_pid() { if [ "${1:-1}" = 2 ]; then echo "${NODE_PID2:?no second node}"; else echo "$NODE_PID"; fi; }
node_name() { if [ "${1:-1}" = 2 ]; then echo "${NODE_NAME2:?no second node}"; else echo "$NODE_NAME"; fi; }
node_ip() { if [ "${1:-1}" = 2 ]; then echo "$NODE_IP2"; else echo "$NODE_IP"; fi; }
# pod_node NS POD: 1 or 2, the node the Pod is bound to
pod_node() { [ "$(k -n "$1" get pod "$2" -o 'jsonpath={.spec.nodeName}')" = "${NODE_NAME2:-}" ] && echo 2 || echo 1; }
# node_path N PATH: PATH of node N, from here (/var/run is a symbolic link to
# /run, which would resolve in this machine's root: it is spelt out)
node_path() {
	case $2 in /var/run/*) set -- "$1" "/run/${2#/var/run/}" ;; esac
	echo "/proc/$(node_pid "$1")/root$2"
}
NODES="1${NODE_NAME2:+ 2}"
# what podnet keeps on node 1, as seen from the machine
PN_STATE=$(node_path 1 /var/lib/podnet)
AGENT_METRICS=$NODE_IP:9377

# agent_pod [N]: the name of node N's agent Pod
agent_pod() {
	k -n $PN_NS get pods -l app.kubernetes.io/name=podnet-agent --field-selector "spec.nodeName=$(node_name "${1:-1}")" \
		-o 'jsonpath={.items[0].metadata.name}' 2>/dev/null
}
# leader_pod: the controller Pod holding the lease (identity POD_PID), while
# that Pod exists and is not being deleted
leader_pod() {
	_id=$(k -n $PN_NS get lease podnet-controller -o 'jsonpath={.spec.holderIdentity}' 2>/dev/null)
	[ -n "$_id" ] || return 1
	[ "$(k -n $PN_NS get pod "${_id%_*}" -o 'jsonpath={.metadata.name}/{.metadata.deletionTimestamp}' 2>/dev/null)" = "${_id%_*}/" ] || return 1
	echo "${_id%_*}"
}
ctl_metrics_addr() { echo "$(k -n $PN_NS get pod "$(leader_pod)" -o 'jsonpath={.status.podIP}' 2>/dev/null):8080"; }
# proc_in_node NAME N: pid of the process NAME running in node N's network namespace
proc_in_node() {
	_want=$(readlink "/proc/$(node_pid "$2")/ns/net")
	for _p in $(pgrep -x "$1"); do
		[ "$(readlink "/proc/$_p/ns/net" 2>/dev/null)" = "$_want" ] && echo "$_p"
	done
}
# pn_log controller|agent|webhook [N]: the log of the leader controller / node
# N's agent / the Nth podnet-webhook replica
pn_log() {
	case $1 in
	controller) _pod=$(leader_pod) ;;
	webhook) _pod=$(k -n $PN_NS get pods -l app.kubernetes.io/name=podnet-webhook \
		-o "jsonpath={.items[$((${2:-1} - 1))].metadata.name}" 2>/dev/null) ;;
	*) _pod=$(agent_pod "${2:-1}") ;;
	esac
	[ -n "$_pod" ] && k -n $PN_NS logs "$_pod" -c "$1" 2>&1
}

# deploy_tag: the image tag $PN_DEPLOY names (quoted there: a hash of digits only
# would be a YAML number)
deploy_tag() { sed -n 's/^ *newTag: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$PN_DEPLOY/kustomization.yaml" 2>/dev/null | head -n1; }
podnet_image() { # the archive of `make image` that $PN_DEPLOY names
	_tag=$(deploy_tag)
	[ -n "$_tag" ] && echo "$BUILD/image/podnet-$_tag.oci.tar"
}
podnet_ready() { # the agents of every node and both controllers are ready
	[ "$(k -n $PN_NS get ds podnet-agent -o 'jsonpath={.status.numberReady}/{.status.desiredNumberScheduled}/{.status.updatedNumberScheduled}' 2>/dev/null)" = "$(echo $NODES | wc -w)/$(echo $NODES | wc -w)/$(echo $NODES | wc -w)" ] &&
		[ "$(k -n $PN_NS get deploy podnet-controller -o 'jsonpath={.status.replicas}/{.status.readyReplicas}/{.status.updatedReplicas}' 2>/dev/null)" = 2/2/2 ] &&
		[ -n "$(leader_pod)" ] && k get podnetwork default >/dev/null 2>&1 && webhook_ready
}
# webhook_ready: both podnet-webhook replicas ready, and every webhook of its
# configuration carries the CA bundle podnet put there
webhook_ready() {
	[ "$(k -n $PN_NS get deploy podnet-webhook -o 'jsonpath={.status.replicas}/{.status.readyReplicas}/{.status.updatedReplicas}' 2>/dev/null)" = 2/2/2 ] &&
		[ "$(k get validatingwebhookconfiguration podnet-webhook -o json 2>/dev/null |
			jq '[.webhooks[] | select((.clientConfig.caBundle // "") != "")] | length')" = 3 ]
}
podnet_installed_here() { # the running install uses the image $PN_DEPLOY names
	_img=$(k -n $PN_NS get ds podnet-agent -o 'jsonpath={.spec.template.spec.containers[0].image}' 2>/dev/null)
	[ "${_img##*:}" = "$(deploy_tag)" ]
}
# podnet_install: import, apply, wait. What the docs tell a platform team.
podnet_install() {
	_a=$(podnet_image)
	[ -f "$_a" ] || { echo "no podnet image ${_a:-named in $PN_DEPLOY}: run make image" >&2; return 1; }
	"$top/e2e/cluster/load-image" "$_a" >"$PN_DIR/load-image.log" 2>&1 || { cat "$PN_DIR/load-image.log" >&2; return 1; }
	k apply -k "$PN_DEPLOY" --validate=false >"$PN_DIR/apply.log" 2>&1 || { cat "$PN_DIR/apply.log" >&2; return 1; }
	poll 180 podnet_ready || {
		echo "podnet did not become ready:" >&2
		k -n $PN_NS get pods -o wide >&2
		return 1
	}
}
# podnet_up: podnet installed and ready (installed now unless it already
# runs with this image), and the parent links the telecom example names on
# every node (this kernel has no `dummy` link type: `ifb` links).
podnet_up() {
	if ! podnet_installed_here || ! podnet_ready; then
		podnet_install || return 1
	fi
	for _nd in $NODES; do
		for l in $PARENT_LINKS; do
			on_node "$_nd" ip link show "$l" >/dev/null 2>&1 || on_node "$_nd" ip link add "$l" type ifb || return 1
			on_node "$_nd" ip link set "$l" up || return 1
		done
	done
}

# no_record_of_gone_pods: every agent record names a Pod that still exists
no_record_of_gone_pods() {
	for _nd in $NODES; do
		for _r in "$(node_path "$_nd" /var/lib/podnet/records)"/*; do
			[ -f "$_r" ] || continue
			_np=$(jq -r '"\(.podNamespace) \(.podName)"' "$_r" 2>/dev/null) || continue
			# shellcheck disable=SC2086
			k -n ${_np% *} get pod "${_np#* }" >/dev/null 2>&1 || return 1
		done
	done
	return 0
}

# podnet_kill controller|agent SIGNAL: signals the leader controller's
# process / node 1's agent process (kubelet restarts the container).
podnet_kill() {
	if [ "$1" = controller ]; then
		_c=$(k -n $PN_NS get pod "$(leader_pod)" -o 'jsonpath={.status.containerStatuses[0].containerID}')
		_p=$(ctr_task_pid "$(k -n $PN_NS get pod "$(leader_pod)" -o 'jsonpath={.spec.nodeName}')" "${_c#containerd://}")
	else
		_p=$(proc_in_node podnet-agent 1)
	fi
	[ -n "$_p" ] && kill "-$2" $_p
}

# podnet_down [NAMESPACE...]: deletes the scenario's namespaces (their Pods go
# through the agents), waits until the agents have no record of them, and
# removes the parent links and the example bridge from the nodes. podnet
# itself stays installed for the next scenario.
podnet_down() {
	for ns in "$@"; do k delete namespace "$ns" --wait=false >/dev/null 2>&1; done
	for ns in "$@"; do k wait --for=delete "namespace/$ns" --timeout=90s >/dev/null 2>&1; done
	# The runtime's DELs follow the Pod objects' removal by a few seconds.
	poll 60 no_record_of_gone_pods
	for _nd in $NODES; do
		for l in $PARENT_LINKS pn-data; do on_node "$_nd" ip link del "$l" 2>/dev/null; done
	done
}

# podnet_forget_objects: removes every podnet object (Pods using them must be
# gone), finalizers included, so the next scenario starts from nothing.
podnet_forget_objects() {
	for r in podnetworkattachments.podnet.dev podnetworks.podnet.dev cniconfigs.podnet.dev ippools.podnet.dev; do
		for o in $(k get "$r" -A -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name}{"\n"}{end}' 2>/dev/null); do
			n=${o#*/} s=${o%%/*}
			[ "$r/$n" = podnetworks.podnet.dev/default ] && continue # the controller's own
			set -- "$r" "$n"
			[ -n "$s" ] && set -- "$@" -n "$s"
			k patch "$@" --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1
			k delete "$@" --wait=false >/dev/null 2>&1
		done
	done
}

# kubectl_as USER: makes the program k_USER, kubectl as the cluster's token
# user USER (e2e/cluster/kubeconfig-for), with only the rights RBAC gives it
kubectl_as() {
	_kc=$("$top/e2e/cluster/kubeconfig-for" "$1") || return 1
	printf '#!/bin/sh\nexec "%s" --kubeconfig "%s" "$@"\n' "$KUBECTL" "$_kc" >"$PN_DIR/bin/k_$1"
	chmod +x "$PN_DIR/bin/k_$1"
}
# scale_deploy NAME N: scales a Deployment of podnet-system and waits until it
# has exactly N ready Pods and no other (N=0: all its Pods gone)
deploy_pods() {
	k -n $PN_NS get pods -l "app.kubernetes.io/name=$1" -o name 2>/dev/null | wc -l
}
deploy_at() {
	[ "$(deploy_pods "$1")" = "$2" ] &&
		{ [ "$2" = 0 ] || [ "$(k -n $PN_NS get deploy "$1" -o 'jsonpath={.status.readyReplicas}/{.status.updatedReplicas}')" = "$2/$2" ]; }
}
scale_deploy() {
	k -n $PN_NS scale deploy "$1" --replicas="$2" >/dev/null && poll 120 deploy_at "$1" "$2"
}

# ---- Pods ------------------------------------------------------------------------
# mkpod NS NAME [NETWORKS-YAML]: a busybox Pod on node 1 (on node N with
# PN_POD_NODE=N); NETWORKS-YAML is the podnet.dev/networks value (a YAML list;
# empty: no request).
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
  nodeName: $(node_name "${PN_POD_NODE:-1}")
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
# mkpod_on N NS NAME [NETWORKS-YAML]: mkpod on node N
mkpod_on() { PN_POD_NODE=$1; shift; mkpod "$@"; _r=$?; PN_POD_NODE=1; return $_r; }
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
# ctr_task_pid NODE-NAME CONTAINER-ID: the pid of a container's task
ctr_task_pid() {
	[ -n "$2" ] || return 1
	if [ "$1" = "${NODE_NAME2:-}" ]; then _s=$CONTAINERD_SOCK2; else _s=$CONTAINERD_SOCK; fi
	ctr --address "$_s" -n k8s.io tasks ls | awk -v id="$2" '$1 == id { print $2 }'
}
podpid() { # the pid of the Pod's container task (its netns is the Pod's)
	_c=$(k -n "$1" get pod "$2" -o 'jsonpath={.spec.nodeName} {.status.containerStatuses[0].containerID}')
	ctr_task_pid "${_c% *}" "${_c#*containerd://}"
}
in_pod() { # in_pod NS POD CMD...: runs a host command in the Pod's netns
	_p=$(podpid "$1" "$2")
	[ -n "$_p" ] || return 1
	shift 2
	nsenter --net="/proc/$_p/ns/net" "$@"
}
# ping_ok NS POD ADDR: one echo answered, from inside the Pod's netns
ping_ok() { in_pod "$1" "$2" ping -c 1 -W 2 "$3"; }
# ping_fails NS POD ADDR: the Pod's netns is reachable (its pid is known)
# and the ping gets no answer
ping_fails() { [ -n "$(podpid "$1" "$2")" ] && ! in_pod "$1" "$2" ping -c 1 -W 2 "$3"; }
# neigh_on NS POD DEV ADDR: ADDR has a resolved neighbour entry on DEV
neigh_on() { in_pod "$1" "$2" ip neigh show dev "$3" "$4" | grep -Eq 'lladdr .* (REACHABLE|STALE|DELAY|PROBE)'; }
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
	curl -s "http://$(ctl_metrics_addr)/metrics" |
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
veths_on() { on_node 1 ip -o link show master "$1" type veth 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | sort; }

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
# event_reason_is NS POD REASON SOURCE TEXT: a Warning Event with that reason
# from that component about the Pod, whose message holds TEXT
event_reason_is() {
	k -n "$1" get events --field-selector "involvedObject.name=$2" -o json |
		jq -e --arg r "$3" --arg s "$4" --arg m "$5" \
			'[.items[] | select(.type == "Warning" and .reason == $r and
				(.source.component // .reportingComponent) == $s and (.message | contains($m)))] | length > 0'
}
show_events() { # show_events NS POD: one line per Event, for the log
	k -n "$1" get events --field-selector "involvedObject.name=$2" -o json |
		jq -r '.items[] | "    \(.type) \(.reason) x\(.count // 1) (\(.source.component // .reportingComponent)): \(.message)"' | cut -c1-300
}
