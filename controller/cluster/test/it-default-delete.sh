#!/bin/sh
# it-default-delete.sh: `kubectl delete podnetwork default` while Pods use it.
# podnet-webhook refuses that DELETE; this is the path where it does not
# (down, its configuration removed, or bypassed): no webhook runs here.
# Shows: a Pod naming `default` gets its plan and `default` carries the
# finalizer podnet.dev/in-use; the delete lets it go at once (no object
# left with a deletionTimestamp) and the controller creates it again (a new
# uid), Ready and InUse again; the Pod using it keeps its plan; a new Pod
# naming `default` is planned. Pods are bound to a Node object without a
# kubelet. The controller runs as the token user podnet-controller under
# deploy/controller/rbac.yaml. Prints "N passed, N failed" last.
set -u
. "$(dirname "$0")/lib.sh"
ns=pn-defdel-$$
node=pn-fake-defdel-$$
cleanup() {
	stop_controllers
	k -n "$ns" delete pods --all --grace-period=0 --force --wait=false >/dev/null 2>&1
	k delete namespace "$ns" --wait=false >/dev/null 2>&1
	k delete node "$node" >/dev/null 2>&1
	rm -rf "$logdir"
}
trap cleanup EXIT

setup_rbac || { nok "setup"; finish; exit 1; }
k create namespace "$ns" >/dev/null
fake_node "$node"
start_controller ctl-defdel --metrics-addr 127.0.0.1:18186
check "controller__ready" poll 30 curl -sf http://127.0.0.1:18186/readyz
check "default__created" poll 30 k get podnetwork default
check "default__ready" poll 30 cond_is podnetwork/default Ready True/Ready
wait_sa "$ns"

plan_of() { k -n "$ns" get pod "$1" -o 'jsonpath={.metadata.annotations.podnet\.dev/plan}' 2>/dev/null; }
has_plan() { [ -n "$(plan_of "$1")" ]; }
uid() { k get podnetwork default -o 'jsonpath={.metadata.uid}' 2>/dev/null; }
finalizers() { k get podnetwork default -o 'jsonpath={.metadata.finalizers}' 2>/dev/null; }
held() { finalizers | grep -q 'podnet.dev/in-use'; }

pods_yaml "$ns" user 1 1 "$node" '[{podNetworkName: default}]' | k create -f - >/dev/null
check "user__planned" poll 30 has_plan user-1
check "default__in_use" poll 30 cond_is podnetwork/default InUse True/InUse
check "default__held_by_finalizer" poll 30 held
uid0=$(uid)
plan0=$(plan_of user-1)

t0=$(date +%s)
k delete podnetwork default --wait=false >/dev/null
recreated() { u=$(uid) && [ -n "$u" ] && [ "$u" != "$uid0" ]; }
if poll 20 recreated; then
	ok "deleted_in_use__recreated_within_$(( $(date +%s) - t0 ))s"
else
	nok "deleted_in_use__recreated_within_20s (still: uid $(uid), deletionTimestamp $(k get podnetwork default -o 'jsonpath={.metadata.deletionTimestamp}' 2>/dev/null), finalizers $(finalizers))"
fi
not_deleting() { [ -z "$(k get podnetwork default -o 'jsonpath={.metadata.deletionTimestamp}' 2>/dev/null)" ]; }
check "recreated__not_being_deleted" not_deleting
check "recreated__ready" poll 20 cond_is podnetwork/default Ready True/Ready
check "recreated__in_use_again" poll 20 cond_is podnetwork/default InUse True/InUse
check "recreated__held_again" poll 20 held
same_plan() { [ -n "$plan0" ] && [ "$(plan_of user-1)" = "$plan0" ]; }
check "user__keeps_its_plan" same_plan

pods_yaml "$ns" later 1 1 "$node" '[{podNetworkName: default}]' | k create -f - >/dev/null
check "new_pod__planned" poll 30 has_plan later-1

check "controller__no_forbidden" sh -c "! grep -i forbidden '$logdir/ctl-defdel.log'"
if [ "$failed" != 0 ]; then echo "--- controller log"; tail -n 40 "$logdir/ctl-defdel.log"; fi
finish
