#!/bin/sh
# it-failover.sh: two replicas with leader election; the leader is killed
# with SIGKILL while 1,000 Pods (two PodNetworks sharing one IPPool) are being
# created; the other replica takes over, rebuilds the address state from the
# plans the first one wrote, and finishes. In the end every Pod has a plan,
# no address is used twice, and the IPPool status equals the addresses of the
# live plans. Then the new leader is killed too while nothing is pending, and
# a restarted replica keeps every plan as it is (the rebuild finds no
# conflict). Both run as the token user podnet-controller under
# deploy/controller/rbac.yaml. Prints "N passed, N failed" last.
set -u
. "$(dirname "$0")/lib.sh"
ns=pn-fo-$$
node=pn-fake-fo-$$
N=${FAILOVER_TEST_PODS:-1000}
lease="--lease-name podnet-fo-$$ --lease-duration 6 --renew-deadline 4 --retry-period 1"
cleanup() {
	stop_controllers
	k -n "$ns" delete pods --all --grace-period=0 --force --wait=false >/dev/null 2>&1
	k delete namespace "$ns" --wait=false >/dev/null 2>&1
	k delete node "$node" >/dev/null 2>&1
	# the controller is gone: drop our finalizers so nothing waits
	for o in $(k get podnetworks -o name -l podnet.dev/test 2>/dev/null); do
		k patch "$o" --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1
	done
	k delete podnetworks,cniconfigs,ippools -l podnet.dev/test=fo --wait=false >/dev/null 2>&1
	rm -rf "$logdir"
}
trap cleanup EXIT

setup_rbac || { nok "setup"; finish; exit 1; }
k create namespace "$ns" >/dev/null
fake_node "$node"
k apply -f - >/dev/null <<'EOF2'
apiVersion: podnet.dev/v1alpha1
kind: CNIConfig
metadata: {name: fo-bridge, labels: {podnet.dev/test: fo}}
spec:
  plugins: [{type: bridge, bridge: pnfo0}]
---
apiVersion: podnet.dev/v1alpha1
kind: IPPool
metadata: {name: fo-pool, labels: {podnet.dev/test: fo}}
spec:
  ranges: [{cidr: 10.77.0.0/20}]
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: fo-a, labels: {podnet.dev/test: fo}}
spec:
  provider: podnet.dev/cni
  parametersRefs:
  - {group: podnet.dev, kind: CNIConfig, name: fo-bridge}
  - {group: podnet.dev, kind: IPPool, name: fo-pool}
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: fo-b, labels: {podnet.dev/test: fo}}
spec:
  provider: podnet.dev/cni
  parametersRefs:
  - {group: podnet.dev, kind: CNIConfig, name: fo-bridge}
  - {group: podnet.dev, kind: IPPool, name: fo-pool}
EOF2
holder() { k -n podnet-system get lease "podnet-fo-$$" -o jsonpath='{.spec.holderIdentity}' 2>/dev/null; }
start_controller ctl-a $lease --metrics-addr 127.0.0.1:18183
pid_a=$ctl_pid
check "leader__a_leads" poll 30 sh -c "[ \"\$(k -n podnet-system get lease podnet-fo-$$ -o jsonpath='{.spec.holderIdentity}')\" = ctl-a ]"
start_controller ctl-b $lease --metrics-addr 127.0.0.1:18184
pid_b=$ctl_pid
check "standby__b_ready" poll 30 curl -sf http://127.0.0.1:18184/readyz
check "networks__ready" poll 30 cond_is podnetwork/fo-b Ready True/Ready
wait_sa "$ns"

pods_yaml "$ns" p 1 "$N" "$node" '[{podNetworkName: fo-a}, {podNetworkName: fo-b}]' >"$logdir/pods.yaml"
k create -f "$logdir/pods.yaml" >/dev/null 2>"$logdir/create.err" &
creator=$!
# kill the leader once it has written a good part of the plans
midway() { [ "$(plans "$ns" | wc -l)" -ge $((N / 4)) ]; }
poll 120 midway
before=$(plans "$ns" | wc -l)
kill -9 "$pid_a"
echo "# killed ctl-a (SIGKILL) after $before plans"
check "failover__b_takes_over" poll 30 sh -c "[ \"\$(k -n podnet-system get lease podnet-fo-$$ -o jsonpath='{.spec.holderIdentity}')\" = ctl-b ]"
wait "$creator"
echo "# created: $(k -n "$ns" get pods -o name | wc -l) Pods"
all_planned() { [ "$(plans "$ns" | wc -l)" = "$N" ]; }
check "failover__every_pod_planned" poll 180 all_planned
echo "# planned: $(plans "$ns" | wc -l) of $N"
check "failover__no_address_twice" addresses_unique "$ns" $((2 * N))
check "failover__ippool_status_equals_live_plans" poll 20 sh -c "[ \"\$(k get ippool fo-pool -o jsonpath={.status.ranges[0].allocated})\" = $((2 * N)) ]"
check "failover__rebuild_no_conflicts" sh -c "grep 'leading:' '$logdir/ctl-b.log' | grep -q ', 0 conflicts'"
grep 'leading:' "$logdir/ctl-b.log" | sed 's/^/# ctl-b: /'

# a third replica after the second dies: same plans, no rewrite, no conflict
k -n "$ns" get pods -o json | jq -r '.items[] | [.metadata.name, .metadata.annotations["podnet.dev/plan"]] | @tsv' | sort >"$logdir/plans.before"
kill -9 "$pid_b"
start_controller ctl-c $lease --metrics-addr 127.0.0.1:18185
check "failover__c_takes_over" poll 30 sh -c "grep -q 'leading:' '$logdir/ctl-c.log'"
sleep 3
k -n "$ns" get pods -o json | jq -r '.items[] | [.metadata.name, .metadata.annotations["podnet.dev/plan"]] | @tsv' | sort >"$logdir/plans.after"
check "restart__plans_unchanged" cmp -s "$logdir/plans.before" "$logdir/plans.after"
check "restart__no_plan_written" sh -c "curl -s http://127.0.0.1:18185/metrics | grep -q '^podnet_controller_plans_written_total 0'"
check "restart__rebuild_holds_all" sh -c "grep 'leading:' '$logdir/ctl-c.log' | grep -q '($((2 * N)) addresses held, 0 conflicts)'"
# deletion after the failover still frees: 100 Pods gone, status follows
k -n "$ns" get pods -o name | head -n 100 | xargs k -n "$ns" delete --grace-period=0 --force >/dev/null 2>&1
check "restart__deleted_released" poll 30 sh -c "[ \"\$(k get ippool fo-pool -o jsonpath={.status.ranges[0].allocated})\" = $((2 * (N - 100))) ]"
for f in ctl-a ctl-b ctl-c; do
	check "controller__no_forbidden_$f" sh -c "! grep -i forbidden '$logdir/$f.log'"
done
if [ "$failed" != 0 ]; then for f in ctl-a ctl-b ctl-c; do echo "--- $f"; tail -n 25 "$logdir/$f.log"; done; fi
finish
