# controller/cluster/test/lib.sh — shared by the controller's integration
# tests (sourced). Runs under e2e/lib/with-cluster: the admin kubeconfig is
# in KUBECONFIG; the controller itself runs as the token user
# podnet-controller, whose only rights are deploy/controller/rbac.yaml.
: "${PODNET_CLUSTER_DIR:?run me through e2e/lib/with-cluster}"
# shellcheck disable=SC1091
. "$PODNET_CLUSTER_DIR/env"
top=$(cd "$(dirname "$0")/../../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
CONTROLLER=$BUILD/bin/podnet-controller
logdir=${TMPDIR:-/tmp}/podnet-ctl-test.$$
mkdir -p "$logdir/bin"
# k: kubectl as admin (a program, so that `sh -c` checks can use it too)
printf '#!/bin/sh\nexec "%s" --kubeconfig "%s" "$@"\n' "$KUBECTL" "$KUBECONFIG" >"$logdir/bin/k"
chmod +x "$logdir/bin/k"
PATH=$logdir/bin:$PATH
export PATH

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
nok() { failed=$((failed + 1)); echo "FAIL - $*"; }
check() { # check NAME CMD...
	name=$1
	shift
	if "$@"; then ok "$name"; else nok "$name"; fi
}
# poll SECONDS CMD...: retries CMD every 0.2 s for at most SECONDS.
poll() {
	n=$(($1 * 5))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		n=$((n - 1))
		sleep 0.2
	done
	return 1
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
}

# setup_rbac: CRDs, the namespace, deploy/controller's RBAC.
setup_rbac() {
	KUBECTL=$KUBECTL "$top/crds/apply" >/dev/null || return 1
	k apply -f "$top/deploy/controller/namespace.yaml" >/dev/null || return 1
	k apply -f "$top/deploy/controller/rbac.yaml" >/dev/null || return 1
	CTL_KUBECONFIG=$("$top/e2e/cluster/kubeconfig-for" podnet-controller) || return 1
	# the rights really are limited: no reading Secrets, no deleting Pods
	if KUBECONFIG=$CTL_KUBECONFIG "$KUBECTL" auth can-i delete pods -A 2>/dev/null | grep -q yes; then
		echo "podnet-controller may delete Pods: RBAC too wide" >&2
		return 1
	fi
}

# start_controller NAME [ARGS...]: starts a replica in the background as the
# token user; its pid in $ctl_pid, log in $logdir/NAME.log. The cluster
# lock's descriptor (fd 3, from with-cluster's flock) is closed in it, so a
# replica left behind never holds the machine-wide lock.
ctl_pids=""
start_controller() {
	name=$1
	shift
	"$CONTROLLER" --kubeconfig "$CTL_KUBECONFIG" --identity "$name" --qps -1 "$@" \
		>"$logdir/$name.log" 2>&1 3>&- &
	ctl_pid=$!
	ctl_pids="$ctl_pids $ctl_pid"
}
stop_controllers() {
	for p in $ctl_pids; do kill "$p" 2>/dev/null; done
	for p in $ctl_pids; do wait "$p" 2>/dev/null; done
	ctl_pids=""
}

# A Node object without a kubelet: Pods bound to it never run, and the Pod
# garbage collector leaves them alone (CLUSTER.md).
fake_node() {
	k apply -f - >/dev/null <<EON
apiVersion: v1
kind: Node
metadata:
  name: $1
  labels: {podnet.dev/test: fake}
EON
}

# cond OBJ TYPE: "Status/Reason" of a condition.
cond() {
	# shellcheck disable=SC2086
	k get $1 -o "jsonpath={.status.conditions[?(@.type==\"$2\")].status}/{.status.conditions[?(@.type==\"$2\")].reason}" 2>/dev/null
}
cond_is() { [ "$(cond "$1" "$2")" = "$3" ]; }

# wait_sa NS: Pods need the namespace's default ServiceAccount.
wait_sa() { poll 30 k -n "$1" get serviceaccount default; }

# pods_yaml NS PREFIX FROM TO NODE NETWORKS_YAML_FLOW: Pods bound to NODE.
pods_yaml() {
	i=$3
	while [ "$i" -le "$4" ]; do
		cat <<EOP
---
apiVersion: v1
kind: Pod
metadata:
  name: $2-$i
  namespace: $1
  annotations:
    podnet.dev/networks: '$6'
spec:
  nodeName: $5
  terminationGracePeriodSeconds: 0
  containers:
  - {name: c, image: busybox, imagePullPolicy: Never}
EOP
		i=$((i + 1))
	done
}

# all_plans NS: "pod<TAB>plan" per Pod with a plan.
plans() {
	k -n "$1" get pods -o json | jq -r '.items[] | select(.metadata.annotations["podnet.dev/plan"] != null) |
	  [.metadata.name, .metadata.annotations["podnet.dev/plan"]] | @tsv'
}
# plans_count_is NS N, addresses_unique NS N: checks usable with check/poll.
plans_count_is() { [ "$(plans "$1" | wc -l)" = "$2" ]; }
addresses_unique() {
	[ "$(addresses "$1" | sort | uniq -d | wc -l)" = 0 ] && [ "$(addresses "$1" | wc -l)" = "$2" ]
}
# addresses NS: every address of every plan in NS, one per line.
addresses() {
	k -n "$1" get pods -o json | jq -r '.items[] | .metadata.annotations["podnet.dev/plan"] // empty |
	  fromjson | .attachments[] | .ips // [] | .[]'
}
