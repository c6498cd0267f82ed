#!/bin/sh
# e2e/bench/plan.sh: podnet-controller benchmarks on the real local cluster
# (prints figures, asserts nothing). Run it through the cluster lock, with the
# node lifecycle controller off so that Pods on the kubelet-less Node are not
# evicted during a long run:
#   make build/bin/podnet-controller build/bench/plan_load
#   PODNET_KCM_FLAGS='--controllers=*,-nodelifecycle' e2e/lib/with-cluster e2e/bench/plan.sh
#
# 1. Pods planned per second: PLAN_PODS (5,000) Pods asking for two
#    PodNetworks (each with its own /18 IPPool) are created while no
#    controller runs; then a controller starts and the time from its start of
#    leadership to the last plan written is measured (plans counted by its
#    /metrics).
# 2. The ceiling: the same API server's rate for plain merge PATCHes of the
#    same Pods (an annotation), with the same concurrency (64 in flight, one
#    HTTP/2 client), measured right after in the same run.
# 3. Controller RSS with RSS_PODS (10,000) Pods cached and planned: more Pods
#    are created, a fresh controller plans them, VmRSS/VmHWM are read.
set -u
: "${PODNET_CLUSTER_DIR:?run me through e2e/lib/with-cluster}"
. "$PODNET_CLUSTER_DIR/env"
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
CONTROLLER=$BUILD/bin/podnet-controller
LOAD=$BUILD/bench/plan_load
PLAN_PODS=${PLAN_PODS:-5000}
RSS_PODS=${RSS_PODS:-10000}
k() { "$KUBECTL" --kubeconfig "$KUBECONFIG" "$@"; }
ns=pn-bench
node=pn-bench-node
work=$(mktemp -d)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

KUBECTL=$KUBECTL "$top/crds/apply" >/dev/null
k apply -f "$top/deploy/controller/namespace.yaml" -f "$top/deploy/controller/rbac.yaml" >/dev/null
CTL_KUBECONFIG=$("$top/e2e/cluster/kubeconfig-for" podnet-controller)
k create namespace "$ns" >/dev/null
printf 'apiVersion: v1\nkind: Node\nmetadata: {name: %s}\n' "$node" | k apply -f - >/dev/null
k apply -f - >/dev/null <<'EOF2'
apiVersion: podnet.dev/v1alpha1
kind: CNIConfig
metadata: {name: bench-bridge}
spec:
  plugins: [{type: bridge, bridge: pnbench0}]
---
apiVersion: podnet.dev/v1alpha1
kind: IPPool
metadata: {name: bench-a}
spec:
  ranges: [{cidr: 10.96.0.0/18}]
---
apiVersion: podnet.dev/v1alpha1
kind: IPPool
metadata: {name: bench-b}
spec:
  ranges: [{cidr: 10.97.0.0/18}]
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: bench-a}
spec:
  provider: podnet.dev/cni
  parametersRefs:
  - {group: podnet.dev, kind: CNIConfig, name: bench-bridge}
  - {group: podnet.dev, kind: IPPool, name: bench-a}
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: bench-b}
spec:
  provider: podnet.dev/cni
  parametersRefs:
  - {group: podnet.dev, kind: CNIConfig, name: bench-bridge}
  - {group: podnet.dev, kind: IPPool, name: bench-b}
EOF2
n=0
until k -n "$ns" get serviceaccount default >/dev/null 2>&1 || [ $n -gt 100 ]; do sleep 0.2; n=$((n + 1)); done
nets='[{podNetworkName: default}, {podNetworkName: bench-a}, {podNetworkName: bench-b}]'

metric() { curl -s "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1 == m { print $2 }'; }
# run_controller PORT NAME: starts a controller, waits until it has written
# WANT plans; prints the seconds from leadership to the last plan.
run_controller() {
	port=$1
	want=$3
	"$CONTROLLER" --kubeconfig "$CTL_KUBECONFIG" --identity "$2" --qps -1 \
		--lease-name "podnet-bench-$2" --metrics-addr "127.0.0.1:$port" -v 1 >"$work/$2.log" 2>&1 3>&- &
	pid=$!
	t_start=$(date +%s.%N)
	until [ "$(metric "$port" podnet_controller_leader)" = 1 ]; do sleep 0.05; done
	t_lead=$(date +%s.%N)
	until [ "$(metric "$port" podnet_controller_plans_written_total)" -ge "$want" ] 2>/dev/null; do
		sleep 0.1
		kill -0 "$pid" 2>/dev/null || { echo "controller died"; tail "$work/$2.log"; return 1; }
	done
	t_end=$(date +%s.%N)
	echo "$t_start $t_lead $t_end"
}

echo "== creating $PLAN_PODS Pods (two networks each + default), no controller running"
"$LOAD" create "$ns" p "$PLAN_PODS" "$node" "$nets"

echo "== planning $PLAN_PODS Pods"
run_controller 18191 bench1 "$PLAN_PODS" >"$work/t1" || exit 1
set -- $(cat "$work/t1")
plan_s=$(echo "$3 - $2" | bc -l)
start_s=$(echo "$2 - $1" | bc -l)
rss1=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
grep 'leading:' "$work/bench1.log" | sed 's/^/   /'
printf '   controller start to leadership (caches synced, plans read): %.2f s\n' "$start_s"
printf '   planned %d Pods in %.2f s: %.0f Pods/s (%d plan PATCHes, 2 addresses each)\n' \
	"$PLAN_PODS" "$plan_s" "$(echo "$PLAN_PODS / $plan_s" | bc -l)" "$PLAN_PODS"
echo "   conflicts: $(metric 18191 'podnet_controller_errors_total{reason="PlanConflict"}') refused plan writes, $(metric 18191 podnet_controller_ipam_conflicts_total) address conflicts"
echo "   RSS with $PLAN_PODS Pods cached: $((rss1 / 1024)) MiB"
kill "$pid"; wait "$pid" 2>/dev/null; pid=""

echo "== ceiling: plain merge PATCHes of the same $PLAN_PODS Pods, same API server, 64 in flight"
"$LOAD" patch "$ns" p "$PLAN_PODS" | sed 's/^/   /'

echo "== RSS with $RSS_PODS Pods cached"
more=$((RSS_PODS - PLAN_PODS))
"$LOAD" create "$ns" q "$more" "$node" "$nets" | sed 's/^/   /'
run_controller 18192 bench2 "$more" >"$work/t2" || exit 1
set -- $(cat "$work/t2")
sleep 2
rss2=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
hwm2=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
printf '   planned %d more Pods in %.2f s\n' "$more" "$(echo "$3 - $2" | bc -l)"
echo "   RSS with $RSS_PODS Pods cached (every one planned): $((rss2 / 1024)) MiB (peak $((hwm2 / 1024)) MiB)"
echo "   IPPool bench-a: $(k get ippool bench-a -o jsonpath='{.status.ranges[0].allocated}/{.status.ranges[0].size}') allocated"
