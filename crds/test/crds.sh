#!/bin/sh
# crds/test/crds.sh — integration test of podnet's CRDs on the real local
# cluster. Needs KUBECONFIG (admin) and PODNET_CLUSTER_DIR (its env file gives
# KUBECTL); run it through e2e/lib/with-cluster.
#
# Applies the CRDs with crds/apply and checks: they are Established and served
# with their short names and scopes; the docs/examples objects are accepted
# (Pods by server dry-run only, so nothing needs podnet running); defaults are
# filled in; the server refuses objects the schemas forbid (sent with
# --validate=false so the server, not kubectl, decides); CNIConfig plugins
# keep unknown fields while unknown spec fields are pruned; printer columns;
# the status subresource (status through /status sticks, status through the
# main resource and spec through /status are ignored). CEL immutability is not
# tested: the 1.20 server does not run it (see crds/README.md).
# Prints "N passed, N failed" last; exit status 1 on any failure.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ -n "${PODNET_CLUSTER_DIR:-}" ] && [ -r "$PODNET_CLUSTER_DIR/env" ]; then
	# shellcheck disable=SC1091
	. "$PODNET_CLUSTER_DIR/env"
fi
K=${KUBECTL:-kubectl}
export KUBECTL="$K"
tmp=$(mktemp -d /tmp/podnet-crds-test.XXXXXX)
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   - $1"; }
nok() { fail=$((fail + 1)); echo "FAIL - $1"; [ -s "$tmp/out" ] && sed 's/^/       | /' "$tmp/out" | head -n 20; }

# t DESC CMD...: CMD must succeed.
t() { d=$1; shift; if "$@" >"$tmp/out" 2>&1; then ok "$d"; else nok "$d"; fi; }
# refused DESC PATTERN YAML: the server must refuse the object, with an error
# matching PATTERN (extended regexp), and must not have created it.
refused() {
	d=$1 pat=$2
	printf '%s\n' "$3" >"$tmp/obj.yaml"
	if "$K" create --validate=false -f "$tmp/obj.yaml" >"$tmp/out" 2>&1; then
		nok "$d (accepted)"
		"$K" delete --wait=false -f "$tmp/obj.yaml" >/dev/null 2>&1
	elif grep -Eq "$pat" "$tmp/out"; then
		ok "$d"
	else
		nok "$d (refused, but not for /$pat/)"
	fi
}
# eq DESC WANT CMD...: CMD's output must be exactly WANT.
eq() {
	d=$1 want=$2; shift 2
	got=$("$@" 2>"$tmp/out")
	if [ "$got" = "$want" ]; then ok "$d"; else echo "want [$want] got [$got]" >>"$tmp/out"; nok "$d"; fi
}
# status_refused DESC EREGEX URL FILE: PUT of FILE to URL must fail with an
# error matching EREGEX.
status_refused() {
	d=$1 pat=$2
	if "$K" replace --raw "$3" -f "$4" >"$tmp/out" 2>&1; then
		nok "$d (accepted)"
	elif grep -Eq "$pat" "$tmp/out"; then
		ok "$d"
	else
		nok "$d (refused, but not for /$pat/)"
	fi
}
# has DESC EREGEX CMD...: CMD succeeds and its output matches.
has() {
	d=$1 pat=$2; shift 2
	if "$@" >"$tmp/out" 2>&1 && grep -Eq "$pat" "$tmp/out"; then ok "$d"; else nok "$d"; fi
}

cleanup() {
	"$K" delete --ignore-not-found --wait=false pod/upf-0 pod/probe-0 >/dev/null 2>&1
	"$K" delete --ignore-not-found -f "$tmp/objects.yaml" >/dev/null 2>&1
	"$K" delete --ignore-not-found cniconfig/defaulted >/dev/null 2>&1
	"$K" delete --ignore-not-found podnetworknode/pnt-crds-node >/dev/null 2>&1
	# The CRDs stay: later tests of the same cluster session may use them.
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the CRDs ----------------------------------------------------------------
t "crds/apply applies the five CRDs and they become Established" "$top/crds/apply"
for crd in podnetworks podnetworkattachments cniconfigs ippools podnetworknodes; do
	eq "crd $crd.podnet.dev is Established" True \
		"$K" get crd "$crd.podnet.dev" -o 'jsonpath={.status.conditions[?(@.type=="Established")].status}'
	eq "crd $crd.podnet.dev has no CEL rules on the 1.20 server" 0 \
		sh -c "'$K' get crd $crd.podnet.dev -o json | grep -c x-kubernetes-validations"
done
eq "the PodNetwork and PodNetworkAttachment files keep their CEL rules for modern clusters" \
	"podnetwork.yaml podnetworkattachment.yaml" \
	sh -c "cd '$top/crds' && grep -l 'x-kubernetes-validations' *.yaml | xargs"
t "crds/apply is idempotent" "$top/crds/apply"
"$K" api-resources --api-group=podnet.dev --no-headers >"$tmp/res" 2>&1
for row in "podnetworks pn false PodNetwork" "podnetworkattachments pna true PodNetworkAttachment" \
	"cniconfigs cnic false CNIConfig" "ippools pnpool,ipp false IPPool" "podnetworknodes pnnode false PodNetworkNode"; do
	set -- $row
	if grep -Eq "^$1 +$2 +podnet.dev(/v1alpha1)? +$3 +$4\$" "$tmp/res"; then
		ok "api-resources: $1 (short name $2, namespaced $3)"
	else
		cp "$tmp/res" "$tmp/out"; nok "api-resources: $1 (short name $2, namespaced $3)"
	fi
done

# ---- the examples --------------------------------------------------------------
# Every document of docs/examples whose kind is not Pod, as one stream.
awk 'function flush() {
		if (doc ~ /(^|\n)kind: / && doc !~ /(^|\n)kind: Pod\n/) printf "---\n%s", doc
		doc = ""
	}
	FNR == 1 { flush() }
	/^---/ { flush(); next }
	{ doc = doc $0 "\n" }
	END { flush() }' "$top"/docs/examples/*.yaml >"$tmp/objects.yaml" 2>"$tmp/out"
n_obj=$(grep -c '^kind: ' "$tmp/objects.yaml")
n_all=$(cat "$top"/docs/examples/*.yaml | grep -c '^kind: ')
n_pod=$(cat "$top"/docs/examples/*.yaml | grep -c '^kind: Pod$')
eq "the examples hold $n_all objects, $n_pod of them Pods" "$n_all" echo $((n_obj + n_pod))
t "the podnet objects of docs/examples are accepted" "$K" apply -f "$tmp/objects.yaml"
t "the whole of docs/examples passes a server dry-run (Pods too)" \
	"$K" apply --dry-run=server -f "$top/docs/examples/"
eq "PodNetworks of the examples" "data signaling storage" \
	sh -c "'$K' get pn -o name | sed 's|.*/||' | grep -Ex 'data|signaling|storage' | sort | xargs"
eq "spec.enabled defaults to true" true "$K" get podnetwork data -o 'jsonpath={.spec.enabled}'
eq "PodNetworkAttachment data-reserved names its network" data \
	"$K" get pna -n default data-reserved -o 'jsonpath={.spec.podNetworkName}'
eq "CNIConfig plugins keep their own fields" "pn-data false" \
	"$K" get cnic data-bridge -o 'jsonpath={.spec.plugins[0].bridge} {.spec.plugins[0].isGateway}'
eq "IPPool ranges keep start, end, gateway, exclude" "172.16.10.10 172.16.10.99 172.16.10.1 172.16.10.64/28" \
	"$K" get ipp signaling-pool -o 'jsonpath={.spec.ranges[0].start} {.spec.ranges[0].end} {.spec.ranges[0].gateway} {.spec.ranges[0].exclude[0]}'

cat >"$tmp/defaulted.yaml" <<'YAML'
apiVersion: podnet.dev/v1alpha1
kind: CNIConfig
metadata: {name: defaulted}
spec:
  bogus: dropped
  plugins:
  - {type: host-device, device: eth9, nested: {keep: [1, 2]}}
YAML
t "a CNIConfig without cniVersion is accepted" "$K" create --validate=false -f "$tmp/defaulted.yaml"
eq "cniVersion defaults to 1.0.0" 1.0.0 "$K" get cnic defaulted -o 'jsonpath={.spec.cniVersion}'
eq "unknown spec fields are pruned" "" "$K" get cnic defaulted -o 'jsonpath={.spec.bogus}'
eq "unknown plugin fields are kept, nested too" "eth9 2" \
	"$K" get cnic defaulted -o 'jsonpath={.spec.plugins[0].device} {.spec.plugins[0].nested.keep[1]}'

# ---- what the schemas refuse -------------------------------------------------
hdr='apiVersion: podnet.dev/v1alpha1'
refused "PodNetwork: provider that is not a domain-prefixed path" 'spec.provider' "$hdr
kind: PodNetwork
metadata: {name: bad-provider}
spec: {provider: cni}"
refused "PodNetwork: provider with a .. path segment" 'spec.provider' "$hdr
kind: PodNetwork
metadata: {name: dotdot-provider}
spec: {provider: acme.io/..}"
refused "PodNetwork: provider longer than 253" 'spec.provider' "$hdr
kind: PodNetwork
metadata: {name: long-provider}
spec: {provider: acme.io/$(printf '%0260d' 0)}"
refused "PodNetwork: enabled that is not a boolean" 'spec.enabled' "$hdr
kind: PodNetwork
metadata: {name: bad-enabled}
spec: {provider: podnet.dev/cni, enabled: \"yes\"}"
refused "PodNetwork: without spec" 'spec' "$hdr
kind: PodNetwork
metadata: {name: no-spec}"
refused "PodNetwork: parametersRef without name" 'parametersRefs.*name.*[Rr]equired' "$hdr
kind: PodNetwork
metadata: {name: ref-no-name}
spec:
  provider: podnet.dev/cni
  parametersRefs: [{group: podnet.dev, kind: CNIConfig}]"
refused "PodNetwork: parametersRef kind in lower case" 'kind' "$hdr
kind: PodNetwork
metadata: {name: ref-bad-kind}
spec:
  provider: podnet.dev/cni
  parametersRefs: [{group: podnet.dev, kind: cniconfig, name: x}]"
refused "PodNetwork: name that is not a DNS subdomain" 'metadata.name' "$hdr
kind: PodNetwork
metadata: {name: Bad_Name}
spec: {provider: podnet.dev/cni}"
refused "PodNetworkAttachment: without podNetworkName" 'podNetworkName' "$hdr
kind: PodNetworkAttachment
metadata: {name: no-net, namespace: default}
spec: {}"
refused "CNIConfig: no plugins" 'spec.plugins' "$hdr
kind: CNIConfig
metadata: {name: no-plugins}
spec: {plugins: []}"
refused "CNIConfig: plugin without type" 'type' "$hdr
kind: CNIConfig
metadata: {name: no-type}
spec: {plugins: [{master: eth0}]}"
refused "CNIConfig: plugin type with a slash" 'type' "$hdr
kind: CNIConfig
metadata: {name: slash-type}
spec: {plugins: [{type: ../../bin/sh}]}"
refused "CNIConfig: plugin type '..'" 'type' "$hdr
kind: CNIConfig
metadata: {name: dotdot-type}
spec: {plugins: [{type: ..}]}"
refused "CNIConfig: unknown cniVersion" 'cniVersion' "$hdr
kind: CNIConfig
metadata: {name: bad-version}
spec: {cniVersion: 2.0.0, plugins: [{type: bridge}]}"
refused "IPPool: without ranges" 'ranges' "$hdr
kind: IPPool
metadata: {name: no-ranges}
spec: {ranges: []}"
refused "IPPool: cidr that is not a CIDR" 'cidr' "$hdr
kind: IPPool
metadata: {name: bad-cidr}
spec: {ranges: [{cidr: banana}]}"
refused "IPPool: cidr with a bad prefix length" 'cidr' "$hdr
kind: IPPool
metadata: {name: bad-len}
spec: {ranges: [{cidr: 10.0.0.0/99}]}"
refused "IPPool: start that is not an address" 'start' "$hdr
kind: IPPool
metadata: {name: bad-start}
spec: {ranges: [{cidr: 10.0.0.0/24, start: ten}]}"
refused "IPPool: exclude that is not a CIDR" 'exclude' "$hdr
kind: IPPool
metadata: {name: bad-exclude}
spec: {ranges: [{cidr: 10.0.0.0/24, exclude: [10.0.0.5]}]}"

# ---- printer columns and short names ------------------------------------------
has "kubectl get podnetworks: NAME READY PROVIDER ENABLED NODES-AVAILABLE NODES AGE" \
	'^NAME +READY +PROVIDER +ENABLED +NODES-AVAILABLE +NODES +AGE$' "$K" get podnetworks
has "kubectl get pn: signaling row shows its provider" \
	'^signaling +podnet.dev/cni +true +[0-9]+' "$K" get pn
has "kubectl get pn -o wide: the InUse and Reason columns" \
	'^NAME +READY +PROVIDER +ENABLED +NODES-AVAILABLE +NODES +INUSE +REASON +AGE$' "$K" get pn -o wide
# PodNetworkNode: written whole by an agent (no status subresource)
printf '%s\n' 'apiVersion: podnet.dev/v1alpha1
kind: PodNetworkNode
metadata: {name: pnt-crds-node}
status:
  observedTime: "2026-12-03T16:00:00Z"
  networks:
  - {name: data, available: false, reason: ParentLinkMissing, message: no eth9}
  - {name: signaling, available: true}' >"$tmp/pnnode.yaml"
t "PodNetworkNode: a report with its status is accepted" "$K" create -f "$tmp/pnnode.yaml"
eq "PodNetworkNode: status is stored with the object (no status subresource)" ParentLinkMissing \
	"$K" get pnnode pnt-crds-node -o 'jsonpath={.status.networks[?(@.name=="data")].reason}'
has "kubectl get pnnode: NAME OBSERVED AGE" '^NAME +OBSERVED +AGE$' "$K" get pnnode pnt-crds-node
refused "PodNetworkNode: a reason that is not CamelCase" 'reason' "apiVersion: podnet.dev/v1alpha1
kind: PodNetworkNode
metadata: {name: pnt-crds-bad}
status: {networks: [{name: data, available: false, reason: not-camel}]}"
refused "PodNetworkNode: an entry without available" 'available' "apiVersion: podnet.dev/v1alpha1
kind: PodNetworkNode
metadata: {name: pnt-crds-bad}
status: {networks: [{name: data}]}"
has "kubectl get pna: READY PODNETWORK AGE" \
	'^data-reserved +data +[0-9]+' "$K" get pna -n default
has "kubectl get cnic: CNIVERSION and PLUGINS" \
	'^data-bridge +1\.0\.0 +bridge +[0-9]+' "$K" get cnic
has "kubectl get ipp: NAME READY CIDRS ALLOCATED SIZE AGE" \
	'^NAME +READY +CIDRS +ALLOCATED +SIZE +AGE$' "$K" get ipp
has "kubectl get ipp: storage-pool row shows its cidr" \
	'^storage-pool +192\.168\.50\.0/24 +[0-9]+' "$K" get ipp
has "kubectl get pnpool: the short name the docs use" \
	'^storage-pool +192\.168\.50\.0/24 +[0-9]+' "$K" get pnpool
has "kubectl get ippools.podnet.dev: the full name the docs use" \
	'^storage-pool +192\.168\.50\.0/24 +[0-9]+' "$K" get ippools.podnet.dev

# ---- the status subresource --------------------------------------------------
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cond="{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"Ready\",\"message\":\"\",\"lastTransitionTime\":\"$now\",\"observedGeneration\":1}"
"$K" get pn signaling -o json >"$tmp/pn.json" 2>"$tmp/out"
jq --argjson c "$cond" '.status = {observedGeneration: 1, conditions: [$c]} | .spec.enabled = false' \
	"$tmp/pn.json" >"$tmp/pn-status.json"
t "PUT /status of a PodNetwork" "$K" replace --raw /apis/podnet.dev/v1alpha1/podnetworks/signaling/status -f "$tmp/pn-status.json"
eq "the status written through /status is kept" "True 1" \
	"$K" get pn signaling -o 'jsonpath={.status.conditions[0].status} {.status.observedGeneration}'
eq "a spec change sent to /status is ignored" true "$K" get pn signaling -o 'jsonpath={.spec.enabled}'
has "the READY column shows the Ready condition" '^signaling +True +podnet.dev/cni' "$K" get pn
"$K" get pn signaling -o json | jq '.status.conditions[0].status = "False" | .spec.enabled = false' >"$tmp/pn-main.json" 2>"$tmp/out"
t "PUT of the main resource with another status" "$K" replace --raw /apis/podnet.dev/v1alpha1/podnetworks/signaling -f "$tmp/pn-main.json"
eq "the status sent to the main resource is ignored" True \
	"$K" get pn signaling -o 'jsonpath={.status.conditions[0].status}'
eq "the spec change sent to the main resource is kept" false \
	"$K" get pn signaling -o 'jsonpath={.spec.enabled}'
eq "the spec change bumped the generation to 2" 2 \
	"$K" get pn signaling -o 'jsonpath={.metadata.generation}'

"$K" get pn data -o json | jq '.status = {conditions: [{type: "Ready", status: "Maybe", reason: "X", message: "", lastTransitionTime: "2026-01-01T00:00:00Z"}]}' >"$tmp/bad1.json"
status_refused "a condition status other than True/False/Unknown is refused" \
	'status.conditions.*status.*(Unsupported value|supported values)' /apis/podnet.dev/v1alpha1/podnetworks/data/status "$tmp/bad1.json"
"$K" get pn data -o json | jq '.status = {conditions: [{type: "Ready", status: "True", reason: "not valid", message: "", lastTransitionTime: "2026-01-01T00:00:00Z"}]}' >"$tmp/bad2.json"
status_refused "a condition reason with a space is refused" \
	'status.conditions.*reason.*(should match|pattern)' /apis/podnet.dev/v1alpha1/podnetworks/data/status "$tmp/bad2.json"
"$K" get pn data -o json | jq '.status = {conditions: [range(6) | {type: "T\(.)", status: "True", reason: "R", message: "", lastTransitionTime: "2026-01-01T00:00:00Z"}]}' >"$tmp/bad3.json"
status_refused "six conditions are refused (at most 5)" \
	'status.conditions.*at most 5' /apis/podnet.dev/v1alpha1/podnetworks/data/status "$tmp/bad3.json"
# Two conditions of one type: the list-map key is not enforced by the 1.20
# server (it accepts the duplicate); pn_conditions_from_json refuses it.

"$K" get pn data -o json | jq '.status = {conditions: [{type: "Ready", status: "False", reason: "ParamsNotReady", message: "", lastTransitionTime: "2026-01-01T00:00:00Z"}]}' >"$tmp/empty-msg.json"
t "a condition with an empty message is accepted through /status" \
	"$K" replace --raw /apis/podnet.dev/v1alpha1/podnetworks/data/status -f "$tmp/empty-msg.json"
eq "the empty message reads back as an empty string" '[""]' \
	sh -c "'$K' get pn data -o json | jq -c '[.status.conditions[0].message]'"

# IPPool status.ranges and its columns
"$K" get ipp storage-pool -o json |
	jq --argjson c "$cond" '.status = {conditions: [$c], ranges: [{cidr: "192.168.50.0/24", size: 231, allocated: 7}]}' >"$tmp/ipp.json"
t "PUT /status of an IPPool with ranges" "$K" replace --raw /apis/podnet.dev/v1alpha1/ippools/storage-pool/status -f "$tmp/ipp.json"
has "kubectl get ipp: storage-pool shows Ready, Allocated and Size" \
	'^storage-pool +True +192\.168\.50\.0/24 +7 +231 +[0-9]+' "$K" get ipp
"$K" get ipp storage-pool -o json | jq '.status.ranges[0].size = -1' >"$tmp/ipp-bad.json"
status_refused "a negative range size is refused" \
	'status.ranges.*size.*(greater than or equal to 0|minimum)' /apis/podnet.dev/v1alpha1/ippools/storage-pool/status "$tmp/ipp-bad.json"

# PodNetworkAttachment and CNIConfig have /status too
"$K" get pna -n default data-reserved -o json | jq --argjson c "$cond" '.status = {conditions: [$c]}' >"$tmp/pna.json"
t "PUT /status of a PodNetworkAttachment" \
	"$K" replace --raw /apis/podnet.dev/v1alpha1/namespaces/default/podnetworkattachments/data-reserved/status -f "$tmp/pna.json"
has "kubectl get pna shows Ready" '^data-reserved +True +data' "$K" get pna -n default
"$K" get cnic data-bridge -o json | jq --argjson c "$cond" '.status = {conditions: [$c]}' >"$tmp/cnic.json"
t "PUT /status of a CNIConfig" "$K" replace --raw /apis/podnet.dev/v1alpha1/cniconfigs/data-bridge/status -f "$tmp/cnic.json"
has "kubectl get cnic shows Ready" '^data-bridge +True +1\.0\.0' "$K" get cnic

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
