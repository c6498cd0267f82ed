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
#    /metrics). Where the time goes: the controller's CPU seconds (from
#    /proc) and those of kube-apiserver and etcd over the same interval, the
#    mean reconcile time and plan PATCH latency (its histograms), and the
#    writes in flight sampled every 0.1 s.
# 2. The ceiling: the same API server's rate for plain merge PATCHes of the
#    same Pods (an annotation), with the same concurrency (64 in flight, one
#    HTTP/2 client), measured right after in the same run; then JSON patches
#    carrying as many bytes as a plan and its signature.
# 3. Where the bytes go (MASSIF=1, the default): a fresh controller runs
#    under valgrind's massif with the PLAN_PODS Pods cached and planned; once
#    its queue is empty a detailed heap snapshot is taken (vgdb) and kept in
#    $OUT/plan-massif.steady ($OUT: build/bench), with ms_print's text beside.
# 4. Controller RSS with RSS_PODS (10,000) Pods cached and planned: more Pods
#    are created, a fresh controller plans them, VmRSS/VmHWM are read; the
#    difference to 1. divided by the Pods added is the RSS per Pod.
# 5. Cold start with RSS_PODS Pods: a bare paged LIST of every Pod (pages of
#    500, parsed), a fresh controller's start to caches synced, to leadership
#    (address state rebuilt by its own LIST) and to its queue drained, and the
#    bare LIST again (interleaved).
# At the end the bench's Pods, Node, namespace and objects are deleted.
#
# CONTROLLER_BEFORE=BIN adds, after 1., the same planning by another
# controller binary (PLAN_PODS more Pods, two networks with fresh pools).
# AB_ROUNDS="after before before after" (with CONTROLLER_BEFORE) runs only
# A/B rounds: each creates PLAN_PODS Pods, has them planned by a fresh
# controller (after: this tree's, before: BIN), measures the PATCH ceiling
# on them and deletes them. PERF=0 skips perf, MASSIF=0 the massif run.
# When the shared cluster is busy, e2e/bench/bare-apiserver runs this on a
# private etcd and kube-apiserver.
set -u
: "${PODNET_CLUSTER_DIR:?run me through e2e/lib/with-cluster or e2e/bench/bare-apiserver}"
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
CTL_KUBECONFIG=${CTL_KUBECONFIG:-$("$top/e2e/cluster/kubeconfig-for" podnet-controller)}
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
[ -n "${APISERVER_PID:-}" ] || until k -n "$ns" get serviceaccount default >/dev/null 2>&1 || [ $n -gt 100 ]; do sleep 0.2; n=$((n + 1)); done
nets='[{podNetworkName: default}, {podNetworkName: bench-a}, {podNetworkName: bench-b}]'

metric() { curl -s "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1 == m { print $2 }'; }
hz=$(getconf CLK_TCK)
# cpu PID: user+system CPU seconds of a process so far (0 when gone)
cpu() { awk -v hz="$hz" '{ printf "%.2f\n", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0; }
apiserver=${APISERVER_PID:-$(pgrep -x kube-apiserver | head -1)}
etcd=${ETCD_PID:-$(pgrep -x etcd | head -1)}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), nproc $(nproc), load average $(loadavg)"

# run_controller PORT NAME WANT [WRAPPER...]: starts a controller, waits
# until it has written WANT plans (WANT 0: until its queue is empty after
# leadership, every Pod reconciled); prints "start synced lead end
# ctl_cpu_lead ctl_cpu_end api_cpu_lead api_cpu_end etcd_cpu_lead etcd_cpu_end
# inflight_mean inflight_max".
run_controller() {
	port=$1 name=$2 want=$3
	shift 3
	t_start=$(date +%s.%N)
	"$@" "${CTL_BIN:-$CONTROLLER}" --kubeconfig "$CTL_KUBECONFIG" --identity "$name" --qps -1 \
		--lease-name "podnet-bench-$name" --metrics-addr "127.0.0.1:$port" -v 1 ${CTL_EXTRA:-} \
		>"$work/$name.log" 2>&1 3>&- &
	pid=$!
	t_sync=""
	until [ "$(metric "$port" podnet_controller_leader)" = 1 ]; do
		[ -z "$t_sync" ] && grep -q 'caches synced' "$work/$name.log" && t_sync=$(date +%s.%N)
		sleep 0.05
		kill -0 "$pid" 2>/dev/null || { echo "controller died" >&2; tail "$work/$name.log" >&2; return 1; }
	done
	t_lead=$(date +%s.%N)
	[ -z "$t_sync" ] && t_sync=$t_lead
	c0=$(cpu "$pid") a0=$(cpu "$apiserver") e0=$(cpu "$etcd")
	perf_pid=""
	if [ -n "${PERF_DATA:-}" ]; then
		perf record -F 499 --call-graph dwarf,16384 -p "$pid" -o "$PERF_DATA" >/dev/null 2>&1 &
		perf_pid=$!
	fi
	samples=0 sum=0 max=0
	while :; do
		if [ "$want" -gt 0 ]; then
			[ "$(metric "$port" podnet_controller_plans_written_total)" -ge "$want" ] 2>/dev/null && break
		else
			m=$(curl -s "http://127.0.0.1:$port/metrics")
			rec=$(echo "$m" | awk '$1 == "podnet_controller_reconciles_total{kind=\"Pod\"}" { print $2 }')
			depth=$(echo "$m" | awk '$1 == "podnet_controller_queue_depth" { print $2 }')
			[ "${rec:-0}" -ge "$PODS_NOW" ] 2>/dev/null && [ "${depth:-1}" = 0 ] && break
		fi
		f=$(metric "$port" podnet_controller_writes_in_flight)
		samples=$((samples + 1)) sum=$((sum + ${f:-0}))
		[ "${f:-0}" -gt "$max" ] && max=${f:-0}
		sleep 0.1
		kill -0 "$pid" 2>/dev/null || { echo "controller died" >&2; tail "$work/$name.log" >&2; return 1; }
	done
	t_end=$(date +%s.%N)
	if [ -n "$perf_pid" ]; then
		kill -INT "$perf_pid" 2>/dev/null
		wait "$perf_pid" 2>/dev/null
	fi
	echo "$t_start $t_sync $t_lead $t_end $c0 $(cpu "$pid") $a0 $(cpu "$apiserver") $e0 $(cpu "$etcd")" \
		"$(echo "$sum / ($samples + (${samples} == 0))" | bc -l) $max"
}
hist() { # PORT NAME: "mean_ms count" of a histogram
	curl -s "http://127.0.0.1:$1/metrics" | awk -v s="$2_sum" -v c="$2_count" \
		'$1 == s { sum = $2 } $1 == c { n = $2 } END { printf "%.2f %d\n", n ? 1000 * sum / n : 0, n }'
}
stop_controller() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=""; }
# timed COMMAND: runs it, prints its output and the API server's and etcd's
# CPU seconds meanwhile
timed() {
	a0=$(cpu "$apiserver") e0=$(cpu "$etcd")
	"$@"
	printf '   (kube-apiserver %.1f CPU s, etcd %.1f CPU s)\n' "$(echo "$(cpu "$apiserver") - $a0" | bc -l)" \
		"$(echo "$(cpu "$etcd") - $e0" | bc -l)"
}

cleanup_objects() {
	k delete node "$node" --wait=false >/dev/null 2>&1
	k delete namespace "$ns" --wait=false >/dev/null 2>&1
	k delete podnetworks bench-a bench-b bench-c bench-d --wait=false >/dev/null 2>&1
	k delete ippools bench-a bench-b bench-c bench-d --wait=false >/dev/null 2>&1
	k delete cniconfigs bench-bridge --wait=false >/dev/null 2>&1
	for l in $(k -n podnet-system get leases -o name 2>/dev/null | grep '/podnet-bench-'); do
		k -n podnet-system delete "$l" --wait=false >/dev/null 2>&1
	done
}

if [ -n "${AB_ROUNDS:-}" ]; then
	# A/B: rounds (e.g. "after before before after") that each create
	# PLAN_PODS Pods, let a fresh controller (after: $CONTROLLER, before:
	# $CONTROLLER_BEFORE) plan them, then force-delete them: every round
	# starts from the same state (no Pod, empty pools). Each round ends
	# with the plain merge PATCH ceiling on the same Pods, right after.
	echo "== A/B rounds: $AB_ROUNDS; $PLAN_PODS Pods each"
	i=0
	for who in $AB_ROUNDS; do
		i=$((i + 1))
		bin=$CONTROLLER
		[ "$who" = before ] && bin=$CONTROLLER_BEFORE
		"$LOAD" create "$ns" "ab$i" "$PLAN_PODS" "$node" "$nets" >/dev/null
		la=$(loadavg)
		CTL_BIN=$bin run_controller $((18200 + i)) "ab$i" "$PLAN_PODS" >"$work/ab$i" || exit 1
		set -- $(cat "$work/ab$i")
		printf '   round %d %-6s planned %d in %6.2f s: %4.0f Pods/s; CPU controller %5.1f s (%.2f ms per plan), kube-apiserver %5.1f s (%.2f ms per plan); in flight mean %4.1f; load %s\n' \
			"$i" "$who" "$PLAN_PODS" "$(echo "$4 - $3" | bc -l)" "$(echo "$PLAN_PODS / ($4 - $3)" | bc -l)" \
			"$(echo "$6 - $5" | bc -l)" "$(echo "1000 * ($6 - $5) / $PLAN_PODS" | bc -l)" \
			"$(echo "$8 - $7" | bc -l)" "$(echo "1000 * ($8 - $7) / $PLAN_PODS" | bc -l)" "${11}" "$la"
		stop_controller
		printf '   round %d ceiling: ' "$i"
		"$LOAD" patch "$ns" "ab$i" "$PLAN_PODS"
		# one DELETE of the collection, grace period 0: gone at once
		# (kubectl would delete them one by one)
		# (again while some are left: a loaded etcd may time it out)
		until [ "$(k -n "$ns" get pods -o name 2>/dev/null | wc -l)" = 0 ]; do
			k delete --raw "/api/v1/namespaces/$ns/pods?gracePeriodSeconds=0" >/dev/null
			sleep 1
		done
	done
	cleanup_objects
	exit 0
fi

echo "== creating $PLAN_PODS Pods (two networks each + default), no controller running"
"$LOAD" create "$ns" p "$PLAN_PODS" "$node" "$nets"

echo "== planning $PLAN_PODS Pods (load average $(loadavg))"
OUT=${OUT:-$BUILD/bench}
mkdir -p "$OUT"
PERF_DATA=""
[ "${PERF:-1}" = 1 ] && command -v perf >/dev/null && PERF_DATA=$OUT/plan-perf.data
run_controller 18191 bench1 "$PLAN_PODS" >"$work/t1" || exit 1
set -- $(cat "$work/t1")
plan_s=$(echo "$4 - $3" | bc -l)
start_s=$(echo "$3 - $1" | bc -l)
rss1=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
grep 'leading:' "$work/bench1.log" | sed 's/^/   /'
printf '   controller start to leadership (caches synced, plans read): %.2f s\n' "$start_s"
printf '   planned %d Pods in %.2f s: %.0f Pods/s (%d plan PATCHes, 2 addresses each)\n' \
	"$PLAN_PODS" "$plan_s" "$(echo "$PLAN_PODS / $plan_s" | bc -l)" "$PLAN_PODS"
printf '   CPU while planning: controller %.1f s (%.2f ms per plan), kube-apiserver %.1f s (%.2f ms per plan), etcd %.1f s\n' \
	"$(echo "$6 - $5" | bc -l)" "$(echo "1000 * ($6 - $5) / $PLAN_PODS" | bc -l)" \
	"$(echo "$8 - $7" | bc -l)" "$(echo "1000 * ($8 - $7) / $PLAN_PODS" | bc -l)" "$(echo "${10} - $9" | bc -l)"
printf '   writes in flight (sampled every 0.1 s): mean %.1f, max %d of --max-inflight 64\n' "${11}" "${12}"
set -- $(hist 18191 podnet_controller_reconcile_duration_seconds)
echo "   reconciles: $2, mean $1 ms each (CPU in the event loop)"
set -- $(hist 18191 podnet_controller_plan_write_duration_seconds)
echo "   plan PATCH latency (sent to answered): mean $1 ms over $2 writes"
echo "   conflicts: $(metric 18191 'podnet_controller_errors_total{reason="PlanConflict"}') refused plan writes, $(metric 18191 podnet_controller_ipam_conflicts_total) address conflicts"
echo "   RSS with $PLAN_PODS Pods cached: $((rss1 / 1024)) MiB"
if [ -n "$PERF_DATA" ] && [ -s "$PERF_DATA" ]; then
	# where the controller's CPU goes while planning (perf, 499 Hz, DWARF
	# call graphs): self time by library and function, and inclusive time
	# of podnet's own functions (what each step costs with its callees)
	perf report -i "$PERF_DATA" --stdio --no-children -g none --sort dso 2>/dev/null |
		grep -v '^#' | grep '%' | head -8 | sed 's/^/   controller CPU (self) by library: /'
	perf report -i "$PERF_DATA" --stdio --no-children -g none --sort dso,sym 2>/dev/null |
		grep -v '^#' | grep '%' >"$OUT/plan-perf-self.txt"
	head -12 "$OUT/plan-perf-self.txt" | sed 's/^/   controller CPU (self) by function: /'
	perf report -i "$PERF_DATA" --stdio --children -g none --sort sym 2>/dev/null |
		grep -v '^#' | grep '%' >"$OUT/plan-perf-children.txt"
	grep -E ' (pn_|observe|wanted|write_plan|plan_done|refs_of|dispatch|upsert|index_add|w_event|list_done|json_loadb|EVP_Digest|pool_for|add_addr|req_finish|frame_)' \
		"$OUT/plan-perf-children.txt" | head -40 | sed 's/^/   controller CPU (with callees): /'
fi
PERF_DATA=""
stop_controller
plan_len=$(k -n "$ns" get pod p-0 -o jsonpath='{.metadata.annotations.podnet\.dev/plan}' | wc -c)
sig_len=$(k -n "$ns" get pod p-0 -o jsonpath='{.metadata.annotations.podnet\.dev/plan-signature}' | wc -c)
echo "   a plan is $plan_len bytes, its signature $sig_len"

PODS_CACHED=$PLAN_PODS
if [ -n "${CONTROLLER_BEFORE:-}" ]; then
	# The same planning by another controller binary (the one before a
	# change), for PLAN_PODS new Pods asking for two new networks with
	# fresh pools: the same pool occupancy as above, in the same run.
	k apply -f - >/dev/null <<'EOF3'
apiVersion: podnet.dev/v1alpha1
kind: IPPool
metadata: {name: bench-c}
spec:
  ranges: [{cidr: 10.98.0.0/18}]
---
apiVersion: podnet.dev/v1alpha1
kind: IPPool
metadata: {name: bench-d}
spec:
  ranges: [{cidr: 10.99.0.0/18}]
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: bench-c}
spec:
  provider: podnet.dev/cni
  parametersRefs:
  - {group: podnet.dev, kind: CNIConfig, name: bench-bridge}
  - {group: podnet.dev, kind: IPPool, name: bench-c}
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: bench-d}
spec:
  provider: podnet.dev/cni
  parametersRefs:
  - {group: podnet.dev, kind: CNIConfig, name: bench-bridge}
  - {group: podnet.dev, kind: IPPool, name: bench-d}
EOF3
	echo "== the same with $CONTROLLER_BEFORE: $PLAN_PODS more Pods, two other networks with fresh pools"
	"$LOAD" create "$ns" r "$PLAN_PODS" "$node" \
		'[{podNetworkName: default}, {podNetworkName: bench-c}, {podNetworkName: bench-d}]' | sed 's/^/   /'
	echo "   (load average $(loadavg))"
	CTL_BIN=$CONTROLLER_BEFORE run_controller 18195 before "$PLAN_PODS" >"$work/t5" || exit 1
	set -- $(cat "$work/t5")
	printf '   before: planned %d Pods in %.2f s: %.0f Pods/s; CPU controller %.1f s (%.2f ms per plan), kube-apiserver %.1f s; writes in flight mean %.1f\n' \
		"$PLAN_PODS" "$(echo "$4 - $3" | bc -l)" "$(echo "$PLAN_PODS / ($4 - $3)" | bc -l)" \
		"$(echo "$6 - $5" | bc -l)" "$(echo "1000 * ($6 - $5) / $PLAN_PODS" | bc -l)" \
		"$(echo "$8 - $7" | bc -l)" "${11}"
	stop_controller
	PODS_CACHED=$((2 * PLAN_PODS))
fi

echo "== ceiling: plain merge PATCHes of the same $PLAN_PODS Pods, same API server, 64 in flight (load average $(loadavg))"
timed "$LOAD" patch "$ns" p "$PLAN_PODS" | sed 's/^/   /'
echo "== JSON patches of the same Pods adding $((plan_len + sig_len)) bytes (a plan's size), 64 in flight"
PAYLOAD=$((plan_len + sig_len)) timed "$LOAD" patchjson "$ns" p "$PLAN_PODS" | sed 's/^/   /'

if [ "${MASSIF:-1}" = 1 ]; then
	echo "== where the bytes go: a controller under valgrind massif, $PODS_CACHED Pods cached and planned"
	PODS_NOW=$PODS_CACHED
	# valgrind slows the loop past the default lease deadlines
	CTL_EXTRA="--lease-duration 300 --renew-deadline 250 --retry-period 5"
	run_controller 18193 massif 0 valgrind --tool=massif --threshold=0.1 --depth=40 --massif-out-file="$work/massif.out" \
		>"$work/t3" || exit 1
	set -- $(cat "$work/t3")
	printf '   under valgrind: start to leadership %.1f s, queue drained %.1f s later\n' \
		"$(echo "$3 - $1" | bc -l)" "$(echo "$4 - $3" | bc -l)"
	CTL_EXTRA=""
	vgdb --pid="$pid" detailed_snapshot "$OUT/plan-massif.steady" >/dev/null 2>&1 ||
		echo "   vgdb snapshot failed"
	stop_controller
	cp "$work/massif.out" "$OUT/plan-massif.out"
	ms_print --threshold=1 "$OUT/plan-massif.steady" >"$OUT/plan-massif.steady.txt" 2>&1
	echo "   steady heap: $(grep -m1 'mem_heap_B' "$OUT/plan-massif.steady") (+ $(grep -m1 'mem_heap_extra_B' "$OUT/plan-massif.steady")); tree in $OUT/plan-massif.steady.txt"
fi

echo "== RSS with $RSS_PODS Pods cached"
more=$((RSS_PODS - PODS_CACHED))
if [ "$more" -gt 0 ]; then
	"$LOAD" create "$ns" q "$more" "$node" "$nets" | sed 's/^/   /'
	todo=$more
	run_controller 18192 bench2 "$more" >"$work/t2" || exit 1
else
	# every Pod is there and planned already: a fresh controller's queue
	# drained stands for "cached and planned"
	more=$((RSS_PODS - PLAN_PODS))
	PODS_NOW=$RSS_PODS
	todo=$RSS_PODS
	run_controller 18192 bench2 0 >"$work/t2" || exit 1
fi
set -- $(cat "$work/t2")
sleep 2
rss2=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
hwm2=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
printf '   fresh controller: %.2f s from leadership until done (%d Pods to plan or check)\n' "$(echo "$4 - $3" | bc -l)" "$todo"
echo "   RSS with $RSS_PODS Pods cached (every one planned): $((rss2 / 1024)) MiB (peak $((hwm2 / 1024)) MiB)"
printf '   RSS per Pod between %d and %d Pods: %.2f KiB\n' "$PLAN_PODS" "$RSS_PODS" \
	"$(echo "($rss2 - $rss1) / $more" | bc -l)"
echo "   IPPool bench-a: $(k get ippool bench-a -o jsonpath='{.status.ranges[0].allocated}/{.status.ranges[0].size}') allocated"
stop_controller

echo "== cold start with $RSS_PODS Pods (load average $(loadavg))"
PODS_NOW=$RSS_PODS
"$LOAD" list | sed 's/^/   bare LIST: /'
run_controller 18194 bench3 0 >"$work/t4" || exit 1
set -- $(cat "$work/t4")
rss3=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
stop_controller
printf '   controller: start to caches synced %.2f s, to leadership (own LIST read) %.2f s, queue drained %.2f s; RSS %d MiB\n' \
	"$(echo "$2 - $1" | bc -l)" "$(echo "$3 - $1" | bc -l)" "$(echo "$4 - $1" | bc -l)" "$((rss3 / 1024))"
"$LOAD" list | sed 's/^/   bare LIST: /'

echo "== cleaning up (load average $(loadavg))"
k delete node "$node" --wait=false >/dev/null 2>&1
k delete namespace "$ns" --wait=false >/dev/null 2>&1
k delete podnetworks bench-a bench-b --wait=false >/dev/null 2>&1
k delete ippools bench-a bench-b --wait=false >/dev/null 2>&1
k delete cniconfigs bench-bridge --wait=false >/dev/null 2>&1
k delete podnetworks bench-c bench-d --wait=false >/dev/null 2>&1
k delete ippools bench-c bench-d --wait=false >/dev/null 2>&1
k -n podnet-system delete lease podnet-bench-bench1 podnet-bench-bench2 podnet-bench-bench3 \
	podnet-bench-massif podnet-bench-before --wait=false >/dev/null 2>&1
exit 0
