#!/bin/sh
# status-it.sh: `podnetctl status` and `kubectl podnet status` on the real
# cluster, without the controller or the agent. Pods bound to a Node that
# has no kubelet never start; the test writes their podnet.dev/plan (signed
# with a key of its own, published as podnet-controller would in the
# ConfigMap podnet-system/podnet-plan-keys) and
# network-status annotations itself (kubectl annotate), sets the phase of
# two of them to Running through the status subresource (curl, admin
# token), and creates Warning Events. Checked: the exact lines of the
# table and of the details under wrong Pods, the newest Warning picked,
# exit codes 0 (all fine), 1 (some Pod wrong), 2 (missing Pod, unreachable
# server, refused request, usage), the namespace of the kubeconfig's
# context, KUBECONFIG from the environment, -A, and that the rights to get
# and list Pods and list Events are enough (without the Events: the table
# and verdict, and the Events said to be unreadable). A Pod whose plan is
# unsigned, or signed with a key not in the ConfigMap, is shown wrong.
# Run: e2e/lib/with-cluster sh controller/cli/test/status-it.sh (after
# `make build-all`). Prints "N passed, N failed" last.
set -u
. "$(dirname "$0")/../../cluster/test/lib.sh"
ns=pn-status
node=pn-fake-status
ctl=$BUILD/bin/podnetctl
out=$logdir/out
err=$logdir/err
cleanup() {
	k -n "$ns" delete pods --all --grace-period=0 --force --wait=false >/dev/null 2>&1
	k delete namespace "$ns" --wait=false >/dev/null 2>&1
	k delete node "$node" >/dev/null 2>&1
	k -n podnet-system delete configmap podnet-plan-keys >/dev/null 2>&1
	rm -rf "$logdir"
}
trap cleanup EXIT

# run NAME WANT_RC CMD...: runs CMD, keeps stdout in $out and stderr in $err.
run() {
	name=$1 want=$2
	shift 2
	"$@" >"$out" 2>"$err"
	rc=$?
	if [ "$rc" = "$want" ]; then
		ok "$name: exit $rc"
	else
		nok "$name: exit $rc, expected $want"
		sed 's/^/     | /' "$out" "$err" | head -n 30
	fi
}
# has LINE: an exact line of the last stdout.
has() {
	if grep -qxF -- "$1" "$out"; then ok "prints: $1"; else nok "missing line: $1"; fi
}
has_err() {
	if grep -qF -- "$1" "$err"; then ok "stderr says: $1"; else
		nok "stderr lacks: $1"
		sed 's/^/     | /' "$err" | head -n 5
	fi
}
# same FILE: the last stdout equals FILE exactly.
same() {
	if diff -u "$1" "$out" >"$logdir/diff"; then ok "$2: output identical"; else
		nok "$2: output differs"
		sed 's/^/     | /' "$logdir/diff" | head -n 30
	fi
}

# ---- objects -------------------------------------------------------------------
k create namespace "$ns" >/dev/null
fake_node "$node"
wait_sa "$ns" || nok "default ServiceAccount of $ns"
nets='[{podNetworkName: default}, {podNetworkName: signaling, interfaceName: sig0, ips: [172.16.10.50]},
 {podNetworkName: data, interfaceName: data0}, {podNetworkName: storage, interfaceName: stor0}]'
{
	pods_yaml "$ns" upf 0 1 "$node" "$nets"
	pods_yaml "$ns" noplan 0 0 "$node" "$nets"
	pods_yaml "$ns" plain 0 0 "$node" "[]" | sed '/podnet.dev\/networks/d; /annotations:/d'
} | k apply -f - >/dev/null || nok "create Pods"
plan='{"v":1,"attachments":[{"network":"default","interface":"eth0","gw4":true,"gw6":true},
{"network":"signaling","interface":"sig0","provider":"podnet.dev/cni","params":{"cniVersion":"1.0.0","plugins":[{"type":"macvlan","master":"pnsig0"}]},"ips":["172.16.10.50/24"],"gateways":["172.16.10.1"],"routes":[],"mac":null},
{"network":"data","interface":"data0","provider":"podnet.dev/cni","params":{},"ips":["10.20.0.10/24"],"gateways":[],"routes":[],"mac":null},
{"network":"storage","interface":"stor0","provider":"podnet.dev/cni","params":{},"ips":["192.168.50.20/24"],"gateways":[],"routes":[],"mac":null}]}'
st_eth0='{"name":"default","interface":"eth0","ips":["IP"],"mac":"0a:58:0a:f4:01:07","default":true,"dns":{},"gateway":["10.244.1.1"]}'
st_rest='{"name":"signaling","interface":"sig0","ips":["172.16.10.50"],"default":false,"dns":{}},
{"name":"data","interface":"data0","ips":["10.20.0.10"],"default":false,"dns":{}}'
st_stor='{"name":"storage","interface":"stor0","ips":["192.168.50.20"],"default":false,"dns":{}}'
eth0() { echo "$st_eth0" | sed "s/IP/$1/"; }
# the plan key: this test plays podnet-controller
SIGN=$BUILD/test/plan-sign
keyid=$("$SIGN" genkey "$logdir/plan.key") || nok "plan key"
evil_id=$("$SIGN" genkey "$logdir/evil.key")
"$SIGN" pubkey "$logdir/plan.key" >"$logdir/plan.pub"
k create namespace podnet-system >/dev/null 2>&1
k -n podnet-system delete configmap podnet-plan-keys >/dev/null 2>&1
k -n podnet-system create configmap podnet-plan-keys --from-file="$keyid=$logdir/plan.pub" >/dev/null ||
	nok "create ConfigMap podnet-plan-keys"
# sig POD PLAN [KEY]: the podnet.dev/plan-signature of PLAN for POD
sig() { "$SIGN" sign "${3:-$logdir/plan.key}" "$(k -n "$ns" get pod "$1" -o 'jsonpath={.metadata.uid}')" 1 "$2"; }
plan1=$(echo "$plan" | sed 's/10.20.0.10/10.20.0.11/')
k -n "$ns" annotate pod upf-0 "podnet.dev/plan=$plan" "podnet.dev/plan-signature=$(sig upf-0 "$plan")" \
	"k8s.v1.cni.cncf.io/network-status=[$(eth0 10.244.1.7),$st_rest,$st_stor]" >/dev/null ||
	nok "annotate upf-0"
# upf-1: planned the same way (another data address), stor0 missing
k -n "$ns" annotate pod upf-1 "podnet.dev/plan=$plan1" "podnet.dev/plan-signature=$(sig upf-1 "$plan1")" \
	"k8s.v1.cni.cncf.io/network-status=[$(eth0 10.244.1.8),$(echo "$st_rest" | sed 's/10.20.0.10/10.20.0.11/')]" >/dev/null ||
	nok "annotate upf-1"

# Running, with a Pod IP, through the status subresource (no kubelet here).
token=$(k config view --raw -o 'jsonpath={.users[0].user.token}')
running() { # running POD IP
	curl -sfk -o /dev/null -X PATCH -H "Authorization: Bearer $token" \
		-H 'Content-Type: application/merge-patch+json' \
		--data "{\"status\":{\"phase\":\"Running\",\"podIP\":\"$2\",\"podIPs\":[{\"ip\":\"$2\"}]}}" \
		"$API_SERVER/api/v1/namespaces/$ns/pods/$1/status"
}
check "setup__upf-0_running" running upf-0 10.244.1.7
check "setup__upf-1_running" running upf-1 10.244.1.8
check "setup__plain_running" running plain-0 10.244.1.9

# Events about upf-1: an older Warning, the newest Warning, a newer Normal.
uid=$(k -n "$ns" get pod upf-1 -o 'jsonpath={.metadata.uid}')
ts() { date -u -d "@$(($(date +%s) - $1))" +%Y-%m-%dT%H:%M:%SZ; }
event() { # event NAME TYPE REASON MESSAGE AGE_SECONDS
	cat <<EOE
---
apiVersion: v1
kind: Event
metadata: {name: $1, namespace: $ns}
involvedObject: {apiVersion: v1, kind: Pod, name: upf-1, namespace: $ns, uid: "$uid"}
type: $2
reason: $3
message: "$4"
firstTimestamp: "$(ts "$5")"
lastTimestamp: "$(ts "$5")"
count: 1
source: {component: status-it}
EOE
}
{
	event upf-1.old Warning FailedOld "an older warning" 600
	event upf-1.new Warning FailedAttach "storage: parent link pnstor0 missing" 5
	event upf-1.normal Normal Pulled "newer but Normal" 1
} | k create -f - >/dev/null || nok "create Events"

# ---- a fine Pod: exact output, exit 0 -----------------------------------------
cat >"$logdir/upf-0.expected" <<'EOF'
NAMESPACE  POD    PHASE    INTERFACE  NETWORK    ADDRESSES         DEFAULT ROUTE
pn-status  upf-0  Running  eth0       default    10.244.1.7        via 10.244.1.1
                           sig0       signaling  172.16.10.50/24   -
                           data0      data       10.20.0.10/24     -
                           stor0      storage    192.168.50.20/24  -
EOF
run "status__fine_pod" 0 "$ctl" status -n "$ns" upf-0
same "$logdir/upf-0.expected" "status -n $ns upf-0"
run "status__default_only_pod" 0 "$ctl" status --namespace "$ns" plain-0
has "pn-status  plain-0  Running  eth0       default  10.244.1.9  yes"

# ---- a Pod missing an interface: details, exit 1 ------------------------------
run "status__missing_interface" 1 "$ctl" status -n "$ns" upf-1
has "pn-status  upf-1  Running  eth0       default    10.244.1.8       via 10.244.1.1"
has "                           stor0      storage    (not attached)   -"
has "  problem: stor0 (storage): planned, not attached"
has "  plan: eth0 (default): addresses from the node's primary network, default route"
has "  plan: data0 (data): 10.20.0.11/24"
has "  plan: stor0 (storage): 192.168.50.20/24"
has "  status: Running"
if grep -qxE '  last warning: ([5-9]|[1-5][0-9])s ago FailedAttach: storage: parent link pnstor0 missing' "$out"; then
	ok "last warning: the newest Warning, with its age"
else
	nok "last warning: $(grep 'last warning' "$out")"
fi
cp "$out" "$logdir/upf-1.out"

# ---- the whole namespace: sorted, aligned, exit 1 -----------------------------
run "status__namespace" 1 "$ctl" status -n "$ns"
check "namespace__pods_sorted" sh -c "grep -oE '^pn-status +[a-z0-9-]+' '$out' | awk '{print \$2}' | tr '\n' ' ' | grep -qx 'noplan-0 plain-0 upf-0 upf-1 '"
check "namespace__columns_aligned" sh -c "awk 'NR == 1 { c = index(\$0, \"INTERFACE\") } /^ *(eth0|sig0|data0|stor0|-) / || /^pn-status/ { if (substr(\$0, c - 2, 2) != \"  \" || substr(\$0, c, 1) == \" \") bad = 1 } END { exit bad }' '$out'"
has "pn-status  noplan-0  Pending  -          -          (no network status yet)  -"
has "  problem: Pod is Pending, not Running"
has "  problem: asks for networks (podnet.dev/networks) but has no plan (podnet.dev/plan)"
has "  plan: none written (asks for 4 networks in podnet.dev/networks)"
has "  last warning: none"
check "namespace__fine_pods_have_no_details" sh -c "[ \$(grep -c '^  problem:' '$out') = 3 ]"
echo "  podnetctl status -n $ns (exit 1):"
sed 's/^/  | /' "$out"

# ---- the kubectl plugin ---------------------------------------------------------
# kubectl 1.20 looks a plugin up only when no flag comes before its name:
# the kubeconfig comes from the environment, or as the plugin's own flag.
run "kubectl_podnet__plugin" 1 env PATH="$BUILD/bin:$PATH" "$KUBECTL" podnet status --kubeconfig "$KUBECONFIG" -n "$ns" upf-1
# the same bytes, but for the Event's age (a second may have passed)
noage() { sed 's/^  last warning: [0-9]*[smhd] ago /  last warning: AGE /' "$1"; }
noage "$logdir/upf-1.out" >"$logdir/a"
noage "$out" >"$logdir/b"
check "kubectl_podnet__same_output" diff -u "$logdir/a" "$logdir/b"
run "kubectl_podnet__fine_pod" 0 env PATH="$BUILD/bin:$PATH" KUBECONFIG="$KUBECONFIG" "$KUBECTL" podnet status -n "$ns" upf-0
same "$logdir/upf-0.expected" "kubectl podnet status -n $ns upf-0"
run "kubectl_podnet__usage_names_the_plugin" 2 env PATH="$BUILD/bin:$PATH" "$KUBECTL" podnet status -A upf-0
has_err "usage: kubectl podnet status"

# ---- kubeconfig: the context's namespace, KUBECONFIG, --kubeconfig ------------
k config view --raw >"$logdir/kc-ns"
"$KUBECTL" --kubeconfig "$logdir/kc-ns" config set-context --current --namespace "$ns" >/dev/null
run "kubeconfig__context_namespace" 0 env KUBECONFIG="$logdir/kc-ns" "$ctl" status upf-0
same "$logdir/upf-0.expected" "context namespace"
run "kubeconfig__explicit_wins" 2 env KUBECONFIG="$logdir/kc-ns" "$ctl" status --kubeconfig "$KUBECONFIG" upf-0
has_err 'podnetctl: pod "upf-0" not found in namespace "default"'

# ---- fixing the Pod: exit 0 -----------------------------------------------------
k -n "$ns" annotate --overwrite pod upf-1 \
	"k8s.v1.cni.cncf.io/network-status=[$(eth0 10.244.1.8),$(echo "$st_rest" | sed 's/10.20.0.10/10.20.0.11/'),$st_stor]" >/dev/null
run "status__fixed_pod" 0 "$ctl" status -n "$ns" upf-1
has "                           stor0      storage    192.168.50.20/24  -"

# ---- -o wide, json, yaml --------------------------------------------------------
# (upf-0, upf-1 and plain-0 fine now, noplan-0 Pending without a plan)
Y2J=$BUILD/test/yaml2json
cat >"$logdir/upf-0.wide" <<EOF
NAMESPACE  POD    PHASE    NODE            INTERFACE  NETWORK    ADDRESSES         DEFAULT ROUTE   MAC                STATE
pn-status  upf-0  Running  $node  eth0       default    10.244.1.7        via 10.244.1.1  0a:58:0a:f4:01:07  Attached
                                           sig0       signaling  172.16.10.50/24   -               -                  Attached
                                           data0      data       10.20.0.10/24     -               -                  Attached
                                           stor0      storage    192.168.50.20/24  -               -                  Attached
EOF
run "output__wide" 0 "$ctl" status -n "$ns" -o wide upf-0
same "$logdir/upf-0.wide" "status -o wide upf-0"
run "output__table_is_the_default" 0 "$ctl" status -n "$ns" --output table upf-0
same "$logdir/upf-0.expected" "status -o table upf-0"
# jqok NAME FILTER: jq -e FILTER holds on the last stdout
jqok() {
	if jq -e "$2" "$out" >/dev/null 2>"$logdir/jqerr"; then ok "$1"; else
		nok "$1: jq -e '$2' fails"
		sed 's/^/     | /' "$logdir/jqerr" "$out" | head -n 40
	fi
}
run "output__json" 0 "$ctl" status -n "$ns" -o json upf-0
jqok "json__list" '.apiVersion == "podnet.dev/v1alpha1" and .kind == "PodNetworkStatusList" and (.items | length) == 1'
jqok "json__pod" ".items[0] | .namespace == \"$ns\" and .name == \"upf-0\" and .node == \"$node\" and .phase == \"Running\" and .ok == true and .podIP == \"10.244.1.7\" and .hostNetwork == false and .uid == \"$(k -n "$ns" get pod upf-0 -o 'jsonpath={.metadata.uid}')\""
jqok "json__requested" '[.items[0].requestedNetworks[] | [.podNetworkName, .interfaceName]] == [["default", null], ["signaling", "sig0"], ["data", "data0"], ["storage", "stor0"]]'
jqok "json__interfaces" '[.items[0].interfaces[] | [.interface, .network, (.addresses | join(",")), .state]] == [["eth0", "default", "10.244.1.7", "Attached"], ["sig0", "signaling", "172.16.10.50/24", "Attached"], ["data0", "data", "10.20.0.10/24", "Attached"], ["stor0", "storage", "192.168.50.20/24", "Attached"]]'
jqok "json__eth0" '.items[0].interfaces[0] | .mac == "0a:58:0a:f4:01:07" and .default == true and .gateways == ["10.244.1.1"] and .reason == null'
jqok "json__fine_pod_no_problems" '.items[0].problems == [] and .items[0].lastWarning == null'
jq -cS . "$out" >"$logdir/upf-0.json"
run "output__yaml" 0 "$ctl" status -n "$ns" -o yaml upf-0
has "apiVersion: podnet.dev/v1alpha1"
has "kind: PodNetworkStatusList"
has "  - namespace: pn-status"
has "      - interface: sig0"
"$Y2J" <"$out" >"$logdir/upf-0.yaml.json" || nok "yaml__parses"
check "yaml__same_as_json" cmp -s "$logdir/upf-0.yaml.json" "$logdir/upf-0.json"

# ---- -l: the same Pods as kubectl -l -------------------------------------------
k -n "$ns" label pod upf-0 upf-1 app=upf tier=core >/dev/null || nok "label upf"
k -n "$ns" label pod plain-0 app=plain tier=edge >/dev/null || nok "label plain-0"
k -n "$ns" label pod upf-1 canary=yes >/dev/null || nok "label upf-1"
# sel NAME WANT_RC SELECTOR: status -l SELECTOR lists the Pods kubectl -l does
sel() {
	run "selector__$1" "$2" "$ctl" status -n "$ns" -l "$3"
	got=$(grep -oE '^pn-status +[a-z0-9-]+' "$out" | awk '{print $2}' | tr '\n' ' ')
	want=$(k -n "$ns" get pods -l "$3" -o name | sed 's|^pod/||' | sort | tr '\n' ' ')
	if [ -n "$want" ] && [ "$got" = "$want" ]; then ok "selector__$1: -l '$3' lists $got"; else
		nok "selector__$1: -l '$3' lists '$got', kubectl lists '$want'"
	fi
}
sel equality 0 app=upf
sel double_equals 0 'app==upf'
sel inequality 1 'app!=upf'
sel in 0 'app in (upf, plain)'
sel notin 1 'tier notin (core)'
sel exists 0 app
sel not_exists 1 '!app'
sel and 0 'app=upf,!canary'
sel and_set 0 'tier in (core,edge),canary notin (yes)'
run "selector__matches_none" 0 "$ctl" status -n "$ns" -l app=nothere
check "selector__matches_none__no_table" test ! -s "$out"
has_err "No Pods found in namespace pn-status matching app=nothere."
run "selector__matches_none_json" 0 "$ctl" status -n "$ns" -l app=nothere -o json
jqok "selector__matches_none_json__empty_items" '.kind == "PodNetworkStatusList" and .items == []'
run "selector__matches_none_yaml" 0 "$ctl" status -n "$ns" -l 'app in (x,y)' -o yaml
has "items: []"
run "selector__all_namespaces" 0 "$ctl" status -A -l 'app=upf,tier=core'
check "selector__all_namespaces__two_pods" sh -c "[ \$(grep -cE '^pn-status +upf-[01] ' '$out') = 2 ] && [ \$(grep -cE '^[a-z]' '$out') = 2 ]"
run "selector__wrong_pod_json" 1 "$ctl" status -n "$ns" -l '!app' -o json
jqok "selector__wrong_pod_json__fields" '(.items | map(.name)) == ["noplan-0"] and .items[0].ok == false and (.items[0].problems | index("Pod is Pending, not Running")) != null and .items[0].interfaces == [] and .items[0].lastWarning == null and .items[0].eventsError == null'
run "selector__yaml" 0 "$ctl" status -n "$ns" -l app=upf -o yaml
if "$Y2J" <"$out" | jq -e '[.items[].name] == ["upf-0", "upf-1"] and all(.items[]; .ok)' >/dev/null; then
	ok "selector__yaml__two_fine_pods"
else
	nok "selector__yaml__two_fine_pods"
fi
run "selector__bad" 2 "$ctl" status -n "$ns" -l 'app in upf'
has_err 'podnetctl: status: -l (--selector) "app in upf": at character 8: expected "(" after "in", found "upf"'
check "selector__bad__no_output" test ! -s "$out"
run "output__bad" 2 "$ctl" status -n "$ns" -o jsonpath
has_err 'podnetctl: status: -o (--output) "jsonpath": must be table, wide, json or yaml'
run "kubectl_podnet__json" 0 env PATH="$BUILD/bin:$PATH" KUBECONFIG="$KUBECONFIG" "$KUBECTL" podnet status -n "$ns" -l app=upf -o json
jqok "kubectl_podnet__json__two_pods" '[.items[].name] == ["upf-0", "upf-1"]'

# ---- plans podnet-controller did not write ----------------------------------------
# network-status matching the plan (as if an agent had attached it): the
# plan's signature alone makes the Pod wrong.
pods_yaml "$ns" forged 0 0 "$node" "$nets" | k apply -f - >/dev/null || nok "create forged-0"
k -n "$ns" annotate pod forged-0 "podnet.dev/plan=$plan" \
	"k8s.v1.cni.cncf.io/network-status=[$(eth0 10.244.1.6),$st_rest,$st_stor]" >/dev/null ||
	nok "annotate forged-0"
check "setup__forged-0_running" running forged-0 10.244.1.6
run "status__unsigned_plan" 1 "$ctl" status -n "$ns" forged-0
has "  problem: podnet.dev/plan: not signed by podnet-controller (podnet.dev/plan-signature missing): the agent ignores it"
k -n "$ns" annotate pod forged-0 "podnet.dev/plan-signature=$(sig forged-0 "$plan" "$logdir/evil.key")" >/dev/null
run "status__plan_signed_by_another_key" 1 "$ctl" status -n "$ns" forged-0
has "  problem: podnet.dev/plan: podnet.dev/plan-signature: signed with key $evil_id, which is not listed in ConfigMap podnet-system/podnet-plan-keys: the agent ignores it"
k -n "$ns" annotate --overwrite pod forged-0 "podnet.dev/plan-signature=$(sig upf-0 "$plan")" >/dev/null
run "status__plan_signed_for_another_pod" 1 "$ctl" status -n "$ns" forged-0
check "status__plan_signed_for_another_pod__said" grep -qF "does not match this Pod (uid $(k -n "$ns" get pod forged-0 -o 'jsonpath={.metadata.uid}')) and plan text: the agent ignores it" "$out"
k -n "$ns" annotate --overwrite pod forged-0 "podnet.dev/plan-signature=$(sig forged-0 "$plan")" >/dev/null
run "status__plan_signed_for_it" 0 "$ctl" status -n "$ns" forged-0
k -n "$ns" delete pod forged-0 --grace-period=0 --force >/dev/null 2>&1

# ---- -A ------------------------------------------------------------------------
run "status__all_namespaces" 1 "$ctl" status -A
check "all__lists_our_pods" sh -c "[ \$(grep -cE '^pn-status +(noplan-0|plain-0|upf-0|upf-1) ' '$out') = 4 ]"

# ---- errors: exit 2 --------------------------------------------------------------
run "errors__missing_pod" 2 "$ctl" status -n "$ns" nothere
has_err 'podnetctl: pod "nothere" not found in namespace "pn-status"'
check "errors__missing_pod_prints_no_table" test ! -s "$out"
sed "s|server: .*|server: https://127.0.0.1:1|" "$logdir/kc-ns" >"$logdir/kc-bad"
run "errors__unreachable" 2 "$ctl" status --kubeconfig "$logdir/kc-bad"
has_err "podnetctl: cannot reach https://127.0.0.1:1: "
run "errors__no_kubeconfig" 2 "$ctl" status --kubeconfig "$logdir/nothere"
has_err "podnetctl: kubeconfig: "
run "errors__usage" 2 "$ctl" status -n "$ns" a b
has_err "at most one POD"
run "errors__empty_namespace" 0 "$ctl" status -n kube-node-lease
has_err "No Pods found in namespace kube-node-lease."

# ---- least privilege: get/list Pods, list Events ------------------------------
user_kc=$("$top/e2e/cluster/kubeconfig-for" podnet-user)
run "rbac__refused_without_rights" 2 "$ctl" status --kubeconfig "$user_kc" -n "$ns"
has_err "podnetctl: listing Pods: HTTP 403 Forbidden"
role() { # role RULES_YAML: the Role bound to podnet-user in $ns
	k apply -f - >/dev/null <<EOR
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: podnet-status-reader, namespace: $ns}
rules: $1
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: podnet-status-reader, namespace: $ns}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: podnet-status-reader}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: podnet-user}
EOR
}
k -n "$ns" annotate --overwrite pod upf-1 \
	"k8s.v1.cni.cncf.io/network-status=[$(eth0 10.244.1.8),$(echo "$st_rest" | sed 's/10.20.0.10/10.20.0.11/')]" >/dev/null
# Pods only: the table and the verdict, the Events reported unreadable.
role '[{apiGroups: [""], resources: [pods], verbs: [get, list]}]'
poll 10 sh -c "KUBECONFIG='$user_kc' '$ctl' status -n '$ns' upf-0"
run "rbac__pods_only" 1 "$ctl" status --kubeconfig "$user_kc" -n "$ns" upf-1
has "  problem: stor0 (storage): planned, not attached"
if grep -qE '^  last warning: unknown \(Events not readable: events is forbidden: ' "$out"; then
	ok "rbac__events_unreadable_said_so"
else
	nok "rbac__events_unreadable_said_so: $(grep 'last warning' "$out")"
fi
role '[{apiGroups: [""], resources: [pods], verbs: [get, list]}, {apiGroups: [""], resources: [events], verbs: [list]}]'
poll 10 sh -c "KUBECONFIG='$user_kc' '$ctl' status -n '$ns' upf-1 | grep -q 'last warning: [0-9]'"
run "rbac__reader_role_is_enough" 1 "$ctl" status --kubeconfig "$user_kc" -n "$ns" upf-1
if grep -qE '^  last warning: [0-9]+[sm] ago FailedAttach: ' "$out"; then
	ok "rbac__reader_reads_events"
else
	nok "rbac__reader_reads_events: $(grep 'last warning' "$out")"
fi

finish
