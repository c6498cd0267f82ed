#!/bin/sh
# it-plan-sign.sh: plans only podnet-controller can write, on the real
# cluster, the controller running as the token user podnet-controller under
# deploy/controller/rbac.yaml only.
#   - keys: with no Secret podnet-system/podnet-plan-key the controller makes
#     one and lists its public key in the ConfigMap podnet-plan-keys; its
#     RBAC reads no other Secret;
#   - a forged plan present when the controller starts (unsigned, on a Pod
#     asking for the network, claiming a fixed address of the pool) holds no
#     address: another Pod asking for that address gets it; the forged plan
#     gets a PlanRejected Event and is replaced by a signed plan;
#   - a forged plan on a Pod asking for nothing (signed with a key of the
#     attacker's) is removed with its signature;
#   - a plan forged while the controller runs: the same, the pool's allocated
#     count unchanged;
#   - rotation: the Secret deleted and the controller restarted, a new key is
#     made, listed beside the old one, and every plan is signed again.
# Prints "N passed, N failed" last.
set -u
. "$(dirname "$0")/lib.sh"
ns=pn-sign-$$
node=pn-fake-sign-$$
SIGN=$BUILD/test/plan-sign
cleanup() {
	stop_controllers
	k -n "$ns" delete pods --all --grace-period=0 --force --wait=false >/dev/null 2>&1
	k delete namespace "$ns" --wait=false >/dev/null 2>&1
	k delete node "$node" >/dev/null 2>&1
	for o in $(k get podnetworks -o name -l podnet.dev/test=sign 2>/dev/null); do
		k patch "$o" --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1
	done
	k delete podnetworks,cniconfigs,ippools -l podnet.dev/test=sign --wait=false >/dev/null 2>&1
	rm -rf "$logdir"
}
trap cleanup EXIT

setup_rbac || { nok "setup"; finish; exit 1; }
# podnet makes the key itself: start from none
k -n podnet-system delete secret podnet-plan-key >/dev/null 2>&1
k -n podnet-system delete configmap podnet-plan-keys >/dev/null 2>&1
ctl_can() { [ "$(KUBECONFIG=$CTL_KUBECONFIG "$KUBECTL" auth can-i "$@" 2>/dev/null)" = yes ]; }
check "rbac__controller__gets_its_key_secret" ctl_can get secret/podnet-plan-key -n podnet-system
if ctl_can get secret/other -n podnet-system || ctl_can list secrets -n podnet-system ||
	ctl_can get secrets -n "$ns" || ctl_can update secret/podnet-plan-key -n podnet-system ||
	ctl_can delete secret/podnet-plan-key -n podnet-system || ctl_can update configmap/other -n podnet-system; then
	nok "rbac__controller__no_other_secret_or_configmap_rights"
else
	ok "rbac__controller__no_other_secret_or_configmap_rights"
fi
k create namespace "$ns" >/dev/null
fake_node "$node"
wait_sa "$ns"

k apply -f - >/dev/null <<'EOF'
apiVersion: podnet.dev/v1alpha1
kind: CNIConfig
metadata: {name: sign-bridge, labels: {podnet.dev/test: sign}}
spec:
  plugins:
  - {type: bridge, bridge: pnsign0}
---
apiVersion: podnet.dev/v1alpha1
kind: IPPool
metadata: {name: sign-pool, labels: {podnet.dev/test: sign}}
spec:
  ranges:
  - {cidr: 172.30.7.0/24, start: 172.30.7.10, end: 172.30.7.20, gateway: 172.30.7.1}
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: sign-net, labels: {podnet.dev/test: sign}}
spec:
  provider: podnet.dev/cni
  parametersRefs:
  - {group: podnet.dev, kind: CNIConfig, name: sign-bridge}
  - {group: podnet.dev, kind: IPPool, name: sign-pool}
EOF

# ---- forged plans present at start ----------------------------------------------
forged='{"v":1,"attachments":[{"network":"default","interface":"eth0","gw4":true,"gw6":true},{"network":"sign-net","interface":"evil0","provider":"podnet.dev/cni","params":{"cniVersion":"1.0.0","plugins":[{"type":"host-device","device":"eth0"}]},"ips":["172.30.7.15/24"],"gateways":[],"routes":[],"mac":null}]}'
{
	pods_yaml "$ns" forged 1 1 "$node" '[{podNetworkName: sign-net}]'
	pods_yaml "$ns" quiet 1 1 "$node" '[]' | sed '/podnet.dev\/networks/d; /annotations:/d'
} | k apply -f - >/dev/null
k -n "$ns" annotate pod forged-1 "podnet.dev/plan=$forged" >/dev/null
"$SIGN" genkey "$logdir/evil.key" >/dev/null
uid_of() { k -n "$ns" get pod "$1" -o 'jsonpath={.metadata.uid}'; }
k -n "$ns" annotate pod quiet-1 "podnet.dev/plan=$forged" \
	"podnet.dev/plan-signature=$("$SIGN" sign "$logdir/evil.key" "$(uid_of quiet-1)" 99 "$forged")" >/dev/null

start_controller ctl-a --metrics-addr 127.0.0.1:18183 --lease-namespace podnet-system
check "controller__ready__readyz" poll 30 curl -sf http://127.0.0.1:18183/readyz

# ---- keys -----------------------------------------------------------------------
check "key__secret_created" poll 20 k -n podnet-system get secret podnet-plan-key
k -n podnet-system get secret podnet-plan-key -o 'jsonpath={.data.private\.pem}' | base64 -d >"$logdir/ctl.key"
keyid=$("$SIGN" keyid "$logdir/ctl.key")
check "key__secret_holds_an_ed25519_key" [ -n "$keyid" ]
"$SIGN" pubkey "$logdir/ctl.key" >"$logdir/ctl.pub"
check "key__configmap_lists_it" poll 10 sh -c "k -n podnet-system get configmap podnet-plan-keys -o json | jq -e --arg id '$keyid' --rawfile pem '$logdir/ctl.pub' '.data[\$id] == \$pem'"

plan_of() { k -n "$ns" get pod "$1" -o 'jsonpath={.metadata.annotations.podnet\.dev/plan}'; }
sig_of() { k -n "$ns" get pod "$1" -o 'jsonpath={.metadata.annotations.podnet\.dev/plan-signature}'; }
# verified POD [PUB]: the Pod's plan verifies with the controller's key
verified() { "$SIGN" verify "${2:-$logdir/ctl.pub}" "$(uid_of "$1")" "$(plan_of "$1")" "$(sig_of "$1")" >/dev/null; }
events_of() { k -n "$ns" get events --field-selector "involvedObject.name=$1,reason=PlanRejected" -o json; }
rejected() { events_of "$1" | jq -e '.items | length > 0' >/dev/null; }
ips_of() { plan_of "$1" | jq -c '[.attachments[] | .ips // [] | .[]]'; }
allocated_is() { [ "$(k get ippool sign-pool -o 'jsonpath={.status.ranges[0].allocated}')" = "$1" ]; }
events_say() { events_of "$1" | grep -qF "$2"; }
good_has_15() { [ "$(ips_of good-1)" = '["172.30.7.15/24"]' ]; }
not_15() { ! ips_of "$1" | grep -q 172.30.7.15; }
no_plan() { [ -z "$(plan_of "$1")" ] && [ -z "$(sig_of "$1")" ]; }
seq_of() { sig_of "$1" | cut -d. -f3; }

# the forged address is free: a Pod asking for it gets it
pods_yaml "$ns" good 1 1 "$node" '[{podNetworkName: sign-net, ips: [172.30.7.15]}]' | k apply -f - >/dev/null
check "forged_at_start__other_pod_planned_with_it" poll 20 good_has_15
check "forged_at_start__other_pod_plan_signed" poll 5 verified good-1
check "forged_at_start__no_address_conflict_event" sh -c "[ \"\$(k -n $ns get events --field-selector reason=AddressConflict -o name | wc -l)\" = 0 ]"
check "forged_at_start__event_plan_rejected" poll 20 rejected forged-1
check "forged_at_start__event_says_why" events_say forged-1 "podnet.dev/plan-signature: missing"
check "forged_at_start__replaced_by_signed_plan" poll 20 verified forged-1
check "forged_at_start__replacement_not_the_forged_address" not_15 forged-1
no_evil0() { plan_of "$1" | jq -e '[.attachments[].interface] | index("evil0") == null' >/dev/null; }
check "forged_at_start__replacement_has_no_evil0" no_evil0 forged-1
check "asks_nothing__forged_plan_removed" poll 20 no_plan quiet-1
check "asks_nothing__event_names_the_key" poll 10 events_say quiet-1 "which is not listed in ConfigMap podnet-system/podnet-plan-keys"
check "pool__two_allocated" poll 10 allocated_is 2

# ---- a plan forged while the controller runs ---------------------------------------
before_sig=$(sig_of good-1)
k -n "$ns" annotate --overwrite pod good-1 "podnet.dev/plan=$(echo "$forged" | sed 's/172.30.7.15/172.30.7.18/')" \
	"podnet.dev/plan-signature=$before_sig" >/dev/null
check "forged_running__event" poll 20 events_say good-1 "does not match this Pod"
check "forged_running__replaced_by_signed_plan" poll 20 verified good-1
check "forged_running__planned_address_back" good_has_15
check "forged_running__seq_moved_on" [ "$(seq_of good-1)" -gt "$(echo "$before_sig" | cut -d. -f3)" ]
check "forged_running__pool_allocated_unchanged" poll 10 allocated_is 2

# ---- rotation: delete the Secret, restart --------------------------------------------
stop_controllers
k -n podnet-system delete secret podnet-plan-key >/dev/null
start_controller ctl-b --metrics-addr 127.0.0.1:18183 --lease-namespace podnet-system
check "rotation__new_secret" poll 60 k -n podnet-system get secret podnet-plan-key
k -n podnet-system get secret podnet-plan-key -o 'jsonpath={.data.private\.pem}' | base64 -d >"$logdir/ctl2.key"
keyid2=$("$SIGN" keyid "$logdir/ctl2.key")
"$SIGN" pubkey "$logdir/ctl2.key" >"$logdir/ctl2.pub"
check "rotation__new_key" [ -n "$keyid2" -a "$keyid2" != "$keyid" ]
check "rotation__configmap_lists_both" poll 10 sh -c "k -n podnet-system get configmap podnet-plan-keys -o json | jq -e '.data | has(\"$keyid\") and has(\"$keyid2\")'"
both_new() { verified good-1 "$logdir/ctl2.pub" && verified forged-1 "$logdir/ctl2.pub"; }
check "rotation__plans_signed_again_with_new_key" poll 30 both_new
check "rotation__addresses_kept" good_has_15
check "rotation__pool_allocated_unchanged" poll 10 allocated_is 2
# plans signed with the old key stay trusted while it is listed: signed again, not rejected
check "rotation__no_plan_rejected_for_old_key" sh -c "! grep -qF 'not written by podnet-controller' '$logdir/ctl-b.log'"

if [ "$failed" != 0 ]; then
	for f in "$logdir"/ctl-*.log; do echo "--- $f"; tail -30 "$f"; done
fi
finish
