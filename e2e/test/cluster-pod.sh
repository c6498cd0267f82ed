#!/bin/sh
# e2e/test/cluster-pod.sh: the local cluster really runs Pods.
#
# On the cluster of e2e/cluster/up (run through e2e/lib/with-cluster, which
# exports PODNET_CLUSTER_DIR): the API server answers /version; the node is
# Ready; a busybox Pod is scheduled, runs, gets an IP from the default bridge
# network, and that IP is configured on eth0 inside the Pod's network
# namespace (found through the container's process, and matching a netns
# that containerd keeps under the run directory); the host reaches it; a
# token user has no rights until an RBAC binding names its group; deleting the
# Pod removes its netns. With a second node (NODE_NAME2), a Pod pinned there
# gets an IP from that node's subnet.
# Prints "N passed, N failed" last; exits non-zero when anything failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${PODNET_CLUSTER_DIR:?run me through e2e/lib/with-cluster}"
# shellcheck disable=SC1091
. "$PODNET_CLUSTER_DIR/env"
k() { "$KUBECTL" --kubeconfig "$KUBECONFIG" "$@"; }

passed=0
failed=0
not() { ! "$@"; }
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
nok() { failed=$((failed + 1)); echo "FAIL - $*"; }
check() { # check NAME CMD...
	name=$1
	shift
	if "$@"; then ok "$name"; else nok "$name"; fi
}
# poll SECONDS CMD...: retries CMD every 0.5 s for at most SECONDS.
poll() {
	n=$(($1 * 2))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		n=$((n - 1))
		sleep 0.5
	done
	return 1
}

ns=podnet-cluster-test-$$
cleanup() { k delete namespace "$ns" --wait=false >/dev/null 2>&1 || true; }
trap cleanup EXIT

# ---- API server --------------------------------------------------------
ver=$(k get --raw /version 2>&1)
echo "/version: $(echo "$ver" | tr -d '\n ')"
check "api__version__reports_real_server" \
	sh -c 'echo "$1" | jq -e ".major == \"1\" and (.gitVersion | startswith(\"v1.\")) and (.platform | length > 0)" >/dev/null' _ "$ver"

node_ready() {
	[ "$(k get node "$1" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')" = True ]
}
check "node__registered__ready" node_ready "$NODE_NAME"

k create namespace "$ns" >/dev/null

# ---- a Pod --------------------------------------------------------------
# mkpod NAME [NODE [selector]]: creates a busybox Pod bound to NODE (or, with
# "selector", scheduled by kube-scheduler onto NODE through a nodeSelector),
# retrying while the namespace's ServiceAccount does not exist yet.
mkpod() {
	sel=""
	[ -z "${2:-}" ] || sel="nodeName: $2"
	[ "${3:-}" != selector ] || sel="nodeSelector: {kubernetes.io/hostname: $2}"
	poll 60 sh -c 'cat <<YAML | "$KUBECTL" --kubeconfig "$KUBECONFIG" create -f -
apiVersion: v1
kind: Pod
metadata: {name: '"$1"', namespace: '"$ns"'}
spec:
  '"$sel"'
  terminationGracePeriodSeconds: 0
  containers:
  - name: main
    image: '"$POD_IMAGE"'
    imagePullPolicy: Never
    command: [sleep, "3600"]
YAML'
}
running() { [ "$(k -n "$ns" get pod "$1" -o 'jsonpath={.status.phase}')" = Running ]; }
podip() { k -n "$ns" get pod "$1" -o 'jsonpath={.status.podIP}'; }
# in_subnet IP CIDR (a /24)
in_subnet() { [ "${1%.*}" = "$(echo "${2%/*}" | cut -d. -f1-3)" ]; }
# task_pid SOCK CONTAINER-ID: the pid of the container's process.
task_pid() { ctr --address "$1" -n k8s.io tasks ls | awk -v id="$2" '$1 == id { print $2 }'; }

t0=$(date +%s)
check "pod__created__accepted" mkpod p1 "$NODE_NAME" selector
check "pod__created__running_within_90s" poll 90 running p1
echo "pod p1 Running after $(($(date +%s) - t0))s"
ip=$(podip p1)
node=$(k -n "$ns" get pod p1 -o 'jsonpath={.spec.nodeName}')
echo "pod p1: node $node ip $ip"
check "pod__scheduled__on_node" [ "$node" = "$NODE_NAME" ]
check "pod__ip__from_default_subnet" in_subnet "$ip" "$DEFAULT_SUBNET"

cid=$(k -n "$ns" get pod p1 -o 'jsonpath={.status.containerStatuses[0].containerID}')
cid=${cid#containerd://}
pid=$(task_pid "$CONTAINERD_SOCK" "$cid")
echo "container $cid pid ${pid:-none}"
check "pod__container__has_process" sh -c '[ -n "$1" ] && [ -e "/proc/$1/ns/net" ]' _ "$pid"
addrs=$(nsenter --net="/proc/$pid/ns/net" ip -4 -o addr show dev eth0 2>&1)
echo "eth0 in the pod: $addrs"
check "pod__ip__configured_on_eth0_in_pod_netns" sh -c 'echo "$1" | grep -qF " inet $2/"' _ "$addrs" "$ip"
hostns=$(stat -L -c %i /proc/self/ns/net)
podns=$(stat -L -c %i "/proc/$pid/ns/net")
check "pod__netns__not_host_netns" sh -c '[ -n "$1" ] && [ -n "$2" ] && [ "$1" != "$2" ]' _ "$podns" "$hostns"
nsfile=""
for f in "$CONTAINERD_NETNS_DIR"/*; do
	[ "$(stat -L -c %i "$f" 2>/dev/null)" = "$podns" ] && nsfile=$f
done
echo "pod netns file: ${nsfile:-none}"
check "pod__netns__kept_under_run_dir" [ -n "$nsfile" ]
check "pod__ip__reachable_from_host" busybox ping -c 1 -W 2 "$ip"

# ---- token users and RBAC --------------------------------------------------
ukc=$("$here/../cluster/kubeconfig-for" podnet-user)
can() { [ "$("$KUBECTL" --kubeconfig "$ukc" auth can-i "$@" 2>/dev/null)" = yes ]; }
check "rbac__token_user__authenticates" "$KUBECTL" --kubeconfig "$ukc" get --raw /version
check "rbac__token_user_unbound__cannot_list_pods" not can list pods -n "$ns"
k -n "$ns" create rolebinding podnet-users-view --clusterrole=view --group=podnet:users >/dev/null
check "rbac__group_bound__can_list_pods" poll 10 can list pods -n "$ns"
check "rbac__group_bound__still_cannot_delete" not can delete pods -n "$ns"

# ---- a second node ------------------------------------------------------
if [ -n "${NODE_NAME2:-}" ]; then
	check "node2__registered__ready" node_ready "$NODE_NAME2"
	mkpod p2 "$NODE_NAME2" >/dev/null
	check "node2__pod__running" poll 90 running p2
	ip2=$(podip p2)
	echo "pod p2: node $NODE_NAME2 ip $ip2"
	check "node2__pod_ip__from_node2_subnet" in_subnet "$ip2" "$DEFAULT_SUBNET2"
	pid2=$(task_pid "$CONTAINERD_SOCK2" "$(k -n "$ns" get pod p2 -o 'jsonpath={.status.containerStatuses[0].containerID}' | sed 's|^containerd://||')")
	check "node2__pod_ip__configured_in_pod_netns" sh -c 'nsenter --net="/proc/$1/ns/net" ip -4 -o addr show dev eth0 | grep -qF " inet $2/"' _ "$pid2" "$ip2"
fi

# ---- deletion -----------------------------------------------------------
k -n "$ns" delete pod p1 --wait=false >/dev/null
gone() { ! k -n "$ns" get pod p1 >/dev/null 2>&1; }
check "pod__deleted__object_gone_within_60s" poll 60 gone
check "pod__deleted__netns_removed" poll 30 sh -c '[ -n "$1" ] && [ ! -e "$1" ]' _ "$nsfile"
check "pod__deleted__process_gone" poll 30 sh -c '[ -n "$1" ] && [ ! -e "/proc/$1" ]' _ "$pid"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
