#!/bin/sh
# it-pool.sh: 500 Pods ask for two PodNetworks that share one /24 IPPool
# (254 addresses: 127 Pods fit). Pods are bound to a Node object without a
# kubelet, so nothing runs (deleting them needs --grace-period=0 --force).
# Shows: the first 127 Pods get plans; every Pod past the pool's size gets a
# Warning Event saying the pool is exhausted and no plan; no address is used
# twice; the IPPool status counts what the plans hold; deleting Pods frees
# their addresses for waiting ones. The controller runs as the token user
# podnet-controller under deploy/controller/rbac.yaml.
# Prints "N passed, N failed" last.
set -u
. "$(dirname "$0")/lib.sh"
ns=pn-pool-$$
node=pn-fake-pool-$$
N=${POOL_TEST_PODS:-500}
cleanup() {
	stop_controllers
	k delete namespace "$ns" --wait=false >/dev/null 2>&1
	k -n "$ns" delete pods --all --grace-period=0 --force --wait=false >/dev/null 2>&1
	k delete node "$node" >/dev/null 2>&1
	# the controller is gone: drop our finalizers so nothing waits
	for o in $(k get podnetworks -o name -l podnet.dev/test 2>/dev/null); do
		k patch "$o" --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1
	done
	k delete podnetworks,cniconfigs,ippools -l podnet.dev/test=pool --wait=false >/dev/null 2>&1
	rm -rf "$logdir"
}
trap cleanup EXIT

setup_rbac || { nok "setup"; finish; exit 1; }
k create namespace "$ns" >/dev/null
fake_node "$node"
k apply -f - >/dev/null <<'EOF2'
apiVersion: podnet.dev/v1alpha1
kind: CNIConfig
metadata: {name: pool-bridge, labels: {podnet.dev/test: pool}}
spec:
  plugins: [{type: bridge, bridge: pnpool0}]
---
apiVersion: podnet.dev/v1alpha1
kind: IPPool
metadata: {name: pool-24, labels: {podnet.dev/test: pool}}
spec:
  ranges: [{cidr: 172.31.7.0/24}]
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: pool-a, labels: {podnet.dev/test: pool}}
spec:
  provider: podnet.dev/cni
  parametersRefs:
  - {group: podnet.dev, kind: CNIConfig, name: pool-bridge}
  - {group: podnet.dev, kind: IPPool, name: pool-24}
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: pool-b, labels: {podnet.dev/test: pool}}
spec:
  provider: podnet.dev/cni
  parametersRefs:
  - {group: podnet.dev, kind: CNIConfig, name: pool-bridge}
  - {group: podnet.dev, kind: IPPool, name: pool-24}
EOF2
start_controller ctl-pool --metrics-addr 127.0.0.1:18182
check "controller__ready" poll 30 curl -sf http://127.0.0.1:18182/readyz
check "networks__ready" poll 30 cond_is podnetwork/pool-b Ready True/Ready
wait_sa "$ns"

t0=$(date +%s)
pods_yaml "$ns" p 1 "$N" "$node" '[{podNetworkName: pool-a}, {podNetworkName: pool-b}]' >"$logdir/pods.yaml"
k create -f "$logdir/pods.yaml" >/dev/null 2>"$logdir/create.err" || { echo "create failed"; tail -3 "$logdir/create.err"; }
echo "# created $N Pods in $(( $(date +%s) - t0 ))s"

planned() { plans "$ns" | wc -l; }
settled() { # the number of planned Pods stops moving and the waiting ones have Events
	[ "$(planned)" = 127 ] && [ "$(k -n "$ns" get events --field-selector reason=AddressAllocationFailed -o name | wc -l)" -ge $((N - 127)) ]
}
check "pool__full__127_planned_rest_events" poll 120 settled
echo "# planned: $(planned) of $N"
check "pool__exactly_127_plans" plans_count_is "$ns" 127
check "pool__no_address_twice" addresses_unique "$ns" 254
# every unplanned Pod has a Warning Event that says why
k -n "$ns" get events -o json | jq -r '.items[] | select(.type == "Warning" and .reason == "AddressAllocationFailed") | .involvedObject.name' | sort -u >"$logdir/warned"
plans "$ns" | cut -f1 | sort -u >"$logdir/planned"
k -n "$ns" get pods -o name | sed 's|^pod/||' | sort -u >"$logdir/all"
comm -23 "$logdir/all" "$logdir/planned" >"$logdir/unplanned"
check "pool__every_unplanned_pod_warned" sh -c "[ \"\$(comm -23 $logdir/unplanned $logdir/warned | wc -l)\" = 0 ] && [ \"\$(wc -l <$logdir/unplanned)\" = $((N - 127)) ]"
check "pool__no_planned_pod_warned" sh -c "[ \"\$(comm -12 $logdir/planned $logdir/warned | wc -l)\" = 0 ]"
msg=$(k -n "$ns" get events -o json | jq -r '[.items[] | select(.reason == "AddressAllocationFailed")][0].message')
echo "# event: $msg"
check "pool__event_is_clear" sh -c "echo '$msg' | grep -q 'networks\[[01]\]' && echo '$msg' | grep -qi 'pool-24'"
check "pool__status_allocated_254" poll 10 sh -c '[ "$(k get ippool pool-24 -o jsonpath={.status.ranges[0].size}/{.status.ranges[0].allocated})" = 254/254 ]'

# delete 30 planned Pods: 30 waiting ones take their 60 addresses
head -n 30 "$logdir/planned" | sed 's|^|pod/|' | xargs k -n "$ns" delete --grace-period=0 --force >/dev/null 2>&1
replanned() {
	p=$(plans "$ns" | wc -l)
	[ "$p" = 127 ] && [ "$(k -n "$ns" get pods -o name | wc -l)" = $((N - 30)) ]
}
check "pool__deleted_pods__addresses_reused" poll 60 replanned
check "pool__after_delete__no_address_twice" addresses_unique "$ns" 254
check "pool__after_delete__status_254" poll 10 sh -c '[ "$(k get ippool pool-24 -o jsonpath={.status.ranges[0].allocated})" = 254 ]'
# one more deleted: exactly one waiting Pod takes its place
victim=$(plans "$ns" | head -n 1 | cut -f1)
k -n "$ns" delete pod "$victim" --grace-period=0 --force >/dev/null 2>&1
one_more() { [ "$(k -n "$ns" get pods -o name | wc -l)" = $((N - 31)) ] && plans_count_is "$ns" 127 && addresses_unique "$ns" 254; }
check "pool__delete_one__another_planned" poll 30 one_more
check "controller__no_conflicts" sh -c "curl -s http://127.0.0.1:18182/metrics | grep -q '^podnet_controller_ipam_conflicts_total 0'"
check "controller__no_forbidden" sh -c "! grep -i forbidden '$logdir/ctl-pool.log'"
if [ "$failed" != 0 ]; then echo "--- controller log"; tail -n 40 "$logdir/ctl-pool.log"; fi
finish
