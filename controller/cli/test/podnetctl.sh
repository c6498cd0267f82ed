#!/bin/sh
# podnetctl.sh — podnetctl validate/plan on the sample files of
# controller/cli/test/data: exact output lines and exit codes (0/1/2).
# Runs from the repository root; PODNETCTL names the binary (the build's
# fragment exports it; default build/bin/podnetctl). `make check-unit` runs
# it through $(BUILD)/test/cli_podnetctl (run_podnetctl.c).
set -u
root=$(pwd)
bin=${PODNETCTL:-$root/build/bin/podnetctl}
data=$root/controller/cli/test/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
# PODNETCTL_WRAP (e.g. "valgrind -q --error-exitcode=99"): run podnetctl
# under it; a complaint then shows as a wrong exit code.
if [ -n "${PODNETCTL_WRAP:-}" ]; then
	printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$PODNETCTL_WRAP" "$bin" >"$tmp/podnetctl"
	chmod +x "$tmp/podnetctl"
	bin=$tmp/podnetctl
fi

ok() { passed=$((passed + 1)); echo "ok   $1"; }
nok() { failed=$((failed + 1)); echo "FAIL $1"; }

# run NAME EXPECTED_RC CMD...: runs CMD in $data, keeps stdout/stderr.
run() {
	name=$1 want=$2
	shift 2
	(cd "$data" && "$@") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" = "$want" ]; then
		ok "$name: exit $rc"
	else
		nok "$name: exit $rc, expected $want"
		sed 's/^/     | /' "$tmp/err" | head -n 5
	fi
}

# same FILE_EXPECTED [out|err]: the whole output equals the expected file.
same() {
	what=${2:-out}
	if diff -u "$data/$1" "$tmp/$what" >"$tmp/diff"; then
		ok "$1: output identical"
	else
		nok "$1: output differs"
		head -n 20 "$tmp/diff" | sed 's/^/     | /'
	fi
}

# has LINE: one exact line of stdout.
has() {
	if grep -qxF -- "$1" "$tmp/out"; then
		ok "prints: $1"
	else
		nok "missing line: $1"
	fi
}

has_err() {
	if grep -qF -- "$1" "$tmp/err"; then
		ok "stderr: $1"
	else
		nok "stderr lacks: $1"
		sed 's/^/     | /' "$tmp/err" | head -n 5
	fi
}

# ---- validate: valid inputs ------------------------------------------------
run "valid file" 0 "$bin" validate good.yaml
[ -s "$tmp/out" ] && nok "valid file prints nothing" || ok "valid file prints nothing"
run "stdin" 0 sh -c "\"$bin\" validate - < good.yaml"
examples=$(ls "$root"/docs/examples/*.yaml 2>/dev/null)
if [ -n "$examples" ]; then
	# shellcheck disable=SC2086
	run "docs/examples" 0 "$bin" validate $examples
else
	nok "docs/examples/*.yaml missing"
fi

# ---- validate: one mistake of each kind of API.md --------------------------
run "bad.yaml" 1 "$bin" validate bad.yaml
same bad.yaml.expected
# each kind, with file, line, column and field path
has "bad.yaml:5:9: PodNetwork/Media_Net: metadata.name: must be a DNS-1123 subdomain: at most 253 characters of lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"
has "bad.yaml:7:12: PodNetwork/Media_Net: spec.enabled: must be a boolean, not a string"
has "bad.yaml:8:13: PodNetwork/Media_Net: spec.provider: must be a domain-prefixed path of 1-253 characters, like acme.io/foo"
has "bad.yaml:11:5: PodNetwork/Media_Net: spec.parametersRefs[1].kind: is required"
has "bad.yaml:16:1: PodNetworkAttachment/fast-media: spec.podNetworkName: is required"
has "bad.yaml:24:15: CNIConfig/macvlan-media: spec.cniVersion: must be a known CNI version (0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0), not \"9.9.9\""
has "bad.yaml:26:5: CNIConfig/macvlan-media: spec.plugins[0].type: is required"
has "bad.yaml:34:11: IPPool/media-pool: spec.ranges[0].cidr: must be a CIDR like 10.0.0.0/24 or fd00::/64, not \"172.16.1.0/33\""
has "bad.yaml:36:12: IPPool/media-pool: spec.ranges[1].start: must be inside the cidr"
has "bad.yaml:37:14: IPPool/media-pool: spec.ranges[1].gateway: must be inside the cidr"
has "bad.yaml:38:15: IPPool/media-pool: spec.ranges[1].exclude[0]: must be a CIDR like 10.0.0.5/32, not \"nonsense\""
has "bad.yaml:39:18: IPPool/media-pool: spec.routes[0].dst: must be a CIDR like 10.20.0.0/16, not \"10.20.0.0\""
has "bad.yaml:66:35: Pod/web: podnet.dev/networks[0].podNetworkAttachmentName: must not be given together with podNetworkName (exactly one of them)"
has "bad.yaml:67:9: Pod/web: podnet.dev/networks[1]: exactly one of podNetworkName and podNetworkAttachmentName is required"
has "bad.yaml:69:24: Pod/web: podnet.dev/networks[2].interfaceName: must be a valid Linux interface name (1-15 bytes, no '/', ':' or white space, not '.' or '..')"
has "bad.yaml:71:25: Pod/web: podnet.dev/networks[3].podNetworkName: PodNetwork \"pooled\" is already requested by podnet.dev/networks[2]: a PodNetwork at most once per Pod"
has "bad.yaml:72:24: Pod/web: podnet.dev/networks[3].interfaceName: must be a valid Linux interface name (1-15 bytes, no '/', ':' or white space, not '.' or '..')"
has "bad.yaml:73:23: Pod/web: podnet.dev/networks[3].isDefaultGW4: only one network may hold the IPv4 default route (podnet.dev/networks[2] already does)"
has "bad.yaml:75:24: Pod/web: podnet.dev/networks[4].interfaceName: interface name \"net5\" is already used by podnet.dev/networks[1]"
has "bad.yaml:76:14: Pod/web: podnet.dev/networks[4].mac: must be a unicast MAC address like 02:00:00:00:00:01 (six hex pairs, multicast bit clear, not all zero)"
has "bad.yaml:77:25: Pod/web: podnet.dev/networks[5].podNetworkName: must be a string, not a number"
has "bad.yaml:79:15: Pod/web: podnet.dev/networks[6].ips[0]: must be an IP address without prefix length, not \"10.1.0.300\""
has "bad.yaml:88:27: Pod/host: podnet.dev/networks: must be empty on a hostNetwork Pod: it has no network namespace of its own to attach to"
has "bad.yaml:99:49: Pod/gw6: podnet.dev/networks[1].isDefaultGW6: only one network may hold the IPv6 default route (podnet.dev/networks[0] already does)"

# ---- validate: across the objects of the files ------------------------------
run "cross.yaml" 1 "$bin" validate cross.yaml
same cross.yaml.expected
has "cross.yaml:51:35: Pod/a: podnet.dev/networks[1].podNetworkAttachmentName: PodNetwork \"pooled\" is already requested by podnet.dev/networks[0]: a PodNetwork at most once per Pod"
has "cross.yaml:53:9: Pod/a: podnet.dev/networks[2].ips: fixed addresses need a PodNetwork with an IPPool in its parametersRefs (\"plain\" has none)"
has "cross.yaml:54:25: Pod/a: podnet.dev/networks[3].podNetworkName: PodNetwork \"off\" is disabled (spec.enabled is false)"
has "cross.yaml:67:15: Pod/b: podnet.dev/networks[0].ips[0]: 10.1.0.10 is already taken in IPPool \"small-pool\" by Pod team-a/a (pooled)"
has "cross.yaml:78:15: Pod/c: podnet.dev/networks[0].ips[0]: 10.1.0.1 is reserved in IPPool \"small-pool\" (excluded, the gateway, or a network or broadcast address)"
has "cross.yaml:89:15: Pod/d: podnet.dev/networks[0].ips[0]: 10.2.0.5 is outside IPPool \"small-pool\" (in no range, or outside start..end)"
has "cross.yaml:100:15: Pod/e: podnet.dev/networks[0].ips[0]: 10.1.0.200 is reserved in IPPool \"small-pool\" (excluded, the gateway, or a network or broadcast address)"
has "cross.yaml:104:18: PodNetwork/plain: metadata.name: PodNetwork \"plain\" is defined twice (also at cross.yaml:10:1)"
# objects the files do not hold are not errors offline
if grep -q 'elsewhere\|cluster-only\|not-in-these-files' "$tmp/out"; then
	nok "a reference to an object outside the files is reported"
else
	ok "references to objects outside the files are not errors"
fi

# ---- spec.namespaceSelector: Namespaces of the files supply labels ------------
run "access.yaml" 1 "$bin" validate access.yaml
has "access.yaml:48:28: Pod/intruder: podnet.dev/networks[0]: PodNetwork \"storage\" may not be used from namespace \"tenant-a\": spec.namespaceSelector (matchLabels podnet.dev/tenant=storage) does not select it"
if [ "$(wc -l <"$tmp/out")" -eq 1 ]; then
	ok "validate: an allowed namespace, and one the files do not hold, are fine"
else
	nok "validate: only the refused Pod is reported"
fi
run "plan access.yaml" 1 "$bin" plan access.yaml
has "pod: store/db"
has_err 'access.yaml:48:28: Pod/intruder: podnet.dev/networks[0]: PodNetwork "storage" may not be used from namespace "tenant-a"'
has_err 'access.yaml:56:28: Pod/elsewhere: podnet.dev/networks[0]: PodNetwork "storage" may not be used from namespace "tenant-x": the Namespace is not known'
if grep -q "intruder\|elsewhere" "$tmp/out"; then nok "refused Pods get no plan"; else ok "refused Pods get no plan"; fi

# ---- issue 13: what the agent could not do, or the controller would hold -------
run "agent-cannot.yaml" 1 "$bin" validate agent-cannot.yaml
same agent-cannot.yaml.expected
run "validate not-ready.yaml" 0 "$bin" validate not-ready.yaml
run "plan not-ready.yaml" 1 "$bin" plan not-ready.yaml
has "pod: default/fine"
has_err 'not-ready.yaml:30:56: Pod/through-att: podnet.dev/networks[0].podNetworkAttachmentName: PodNetworkAttachment "data-att" is not Ready (ParamsNotReady: IPPool gone not found)'
has_err 'not-ready.yaml:38:28: Pod/on-vendor: podnet.dev/networks[0]: PodNetwork "vendor": parameters of kind acme.io/AcmeNet are not supported by podnet, and provider podnet.dev/cni declares it on no node (PodNetworkNode status.providers[].parameterKinds) (ParamsNotReady)'
if grep -q "through-att\|on-vendor" "$tmp/out"; then nok "held Pods get no plan"; else ok "held Pods get no plan"; fi

# ---- issue 16: a provider's own parameters kind, declared by the provider --
run "plan vendor-kinds.yaml (nobody declares AcmeNet)" 1 "$bin" plan vendor-kinds.yaml
has_err 'Pod/on-acme: podnet.dev/networks[0]: PodNetwork "acme-net": parameters of kind acme.io/AcmeNet are not supported by podnet, and provider acme.io/fast declares it on no node'
run "plan vendor-kinds.yaml pnnode.yaml (a node report declares it)" 0 "$bin" plan vendor-kinds.yaml pnnode.yaml
has "pod: default/on-acme"
has "      parametersRefs:"
has "        - group: acme.io"
has "          kind: AcmeNet"
has "          name: gold"
run "plan --provider-kinds acme.io/fast=acme.io/AcmeNet" 0 "$bin" plan --provider-kinds acme.io/fast=acme.io/AcmeNet vendor-kinds.yaml
has "pod: default/on-acme"
run "plan --provider-kinds for another provider" 1 "$bin" plan --provider-kinds acme.io/slow=acme.io/AcmeNet vendor-kinds.yaml
has_err 'provider acme.io/fast declares it on no node'
run "plan --provider-kinds malformed" 2 "$bin" plan --provider-kinds acme.io/fast=AcmeNet vendor-kinds.yaml
has_err 'podnetctl: --provider-kinds "acme.io/fast=AcmeNet": must be group/Kind'
run "validate pnnode-bad.yaml" 1 "$bin" validate pnnode-bad.yaml
has "pnnode-bad.yaml:6:60: PodNetworkNode/node-9: status.providers[0].parameterKinds[1]: must be group/Kind (e.g. acme.io/AcmeNet)"
run "plan with a bad report: the report is not used" 1 "$bin" plan vendor-kinds.yaml pnnode-bad.yaml

# ---- validate: the text itself ----------------------------------------------
run "dup-key.yaml" 1 "$bin" validate dup-key.yaml
same dup-key.yaml.expected
has "dup-key.yaml:5:3: -: -: duplicate key \"name\""
run "alias.yaml" 1 "$bin" validate alias.yaml
same alias.yaml.expected
has "alias.yaml:7:4: -: -: YAML aliases are not supported (*a): write the value out in full"
run "syntax.yaml" 1 "$bin" validate syntax.yaml
same syntax.yaml.expected
run "annotation-alias.yaml" 1 "$bin" validate annotation-alias.yaml
same annotation-alias.yaml.expected
has "annotation-alias.yaml:8:9: Pod/p: metadata.annotations[\"podnet.dev/networks\"]: cannot be parsed: YAML aliases are not supported (*n): write the value out in full"
run "unknown.yaml" 1 "$bin" validate unknown.yaml
same unknown.yaml.expected
run "bad.json" 1 "$bin" validate bad.json
same bad.json.expected
has "bad.json:6:50: IPPool/json-pool: spec.ranges[1].cidr: must be a string, not a number"
# a file over the 4 MiB cap is refused with the position where the cap is hit
{ echo "a: b"; head -c 4194400 /dev/zero | tr '\0' '#'; } >"$tmp/big.yaml"
run "big file" 1 "$bin" validate "$tmp/big.yaml"
has "$tmp/big.yaml:2:4194300: -: -: text larger than 4194304 bytes"
# several files: each line names its own file, in order
run "two files" 1 "$bin" validate good.yaml dup-key.yaml alias.yaml
if [ "$(cut -d: -f1 "$tmp/out" | tr '\n' ' ')" = "dup-key.yaml alias.yaml " ]; then
	ok "lines name their files in order"
else
	nok "lines name their files in order: $(cut -d: -f1 "$tmp/out" | tr '\n' ' ')"
fi

# ---- usage and I/O errors ------------------------------------------------------
run "no arguments" 2 "$bin"
run "unknown command" 2 "$bin" frobnicate good.yaml
has_err 'unknown command "frobnicate"'
run "validate without files" 2 "$bin" validate
run "missing file" 2 "$bin" validate good.yaml no-such-file.yaml
has_err "podnetctl: no-such-file.yaml: No such file or directory"
[ -s "$tmp/out" ] && nok "no output on I/O error" || ok "no output on I/O error"
run "directory" 2 "$bin" validate .
has_err "podnetctl: .: Is a directory"
run "stdin twice" 2 sh -c "\"$bin\" validate - - < good.yaml"
run "bad -o" 2 "$bin" plan -o xml good.yaml
has_err '-o takes yaml or json, not "xml"'
run "plan without files" 2 "$bin" plan -o json
run "help" 0 "$bin" --help
if grep -q "NOT an error" "$tmp/out" && grep -q "FILE:LINE:COL: KIND/NAME: FIELD.PATH: message" "$tmp/out"; then
	ok "help documents the format and the offline cross-object rules"
else
	nok "help documents the format and the offline cross-object rules"
fi

# ---- plan ----------------------------------------------------------------------
run "plan yaml" 0 "$bin" plan good.yaml
same good.plan.yaml.expected
has "pod: team-a/web"
has '      interface: net1'
has '        - "172.16.1.100/24"'
has '        - "172.16.2.50/24"'
run "plan json" 0 "$bin" plan -o json good.yaml
same good.plan.json.expected
(cd "$data" && "$bin" plan -o json good.yaml) >"$tmp/plan.json" 2>/dev/null
if [ -s "$tmp/plan.json" ] && grep -q '"interface": "net2"' "$tmp/plan.json" &&
	grep -q '"gw4": true' "$tmp/plan.json"; then
	ok "json plan has net2 and the IPv4 default route"
else
	nok "json plan has net2 and the IPv4 default route"
fi
run "plan exhaustion" 1 "$bin" plan exhaust.yaml
has "pod: default/p1"
has '        - "10.5.0.2/30"'
has "pod: default/p2"
has '        - "10.5.0.1/30"'
if grep -q "p3" "$tmp/out"; then nok "an unplannable Pod is left out"; else ok "an unplannable Pod is left out"; fi
has_err 'exhaust.yaml:19:87: Pod/p3: podnet.dev/networks[0]: IPPool "tiny-pool" has no free IPv4 address left'
run "plan with objects missing" 1 "$bin" plan cross.yaml
has_err 'cross.yaml:56:25: Pod/a: podnet.dev/networks[5].podNetworkName: PodNetwork "cluster-only" not found'
if [ -n "$examples" ]; then
	# shellcheck disable=SC2086
	run "plan docs/examples" 0 "$bin" plan $examples
fi

# ---- status without a cluster: usage, kubeconfig and connection errors -------
# (the cluster side is controller/cli/test/status-it.sh)
run "status help" 0 "$bin" status --help
if grep -q "^Exit status: 0 when every Pod shown is fine" "$tmp/out" && grep -q "last warning: AGE" "$tmp/out"; then
	ok "status help documents the details and the exit status"
else
	nok "status help documents the details and the exit status"
fi
run "status -A with a POD" 2 "$bin" status -A web
has_err "-A goes with neither -n nor a POD"
run "status two PODs" 2 "$bin" status a b
has_err "at most one POD"
run "status unknown option" 2 "$bin" status --frob
has_err "unknown option --frob"
# -o and -l are checked before anything is read: exit 2 naming the flag
run "status -o unknown" 2 "$bin" status -o xml --kubeconfig "$tmp/none"
has_err 'podnetctl: status: -o (--output) "xml": must be table, wide, json or yaml'
run "status --output= empty" 2 "$bin" status --output= --kubeconfig "$tmp/none"
has_err 'podnetctl: status: -o (--output) "": must be table, wide, json or yaml'
run "status -l syntax" 2 "$bin" status -l 'app in upf' --kubeconfig "$tmp/none"
has_err 'podnetctl: status: -l (--selector) "app in upf": at character 8: expected "(" after "in", found "upf"'
run "status -l bad key" 2 "$bin" status --selector 'a=b,-x' --kubeconfig "$tmp/none"
has_err 'podnetctl: status: -l (--selector) "a=b,-x": at character 5: "-x" is not a label key'
run "status -l trailing comma" 2 "$bin" status -l 'a=b,' --kubeconfig "$tmp/none"
has_err 'at character 5: expected a requirement after ","'
run "status -l numeric" 2 "$bin" status -l 'gen>1' --kubeconfig "$tmp/none"
has_err 'the numeric operators "<" and ">" are not supported'
run "status -l with a POD" 2 "$bin" status -l app=upf upf-0
has_err 'podnetctl: status: -l (--selector) selects among the Pods of -n or -A: it does not go with a POD name'
run "status -o without a value" 2 "$bin" status -o
has_err 'option -o needs a value'
# valid ones get as far as the kubeconfig
run "status good -o and -l" 2 "$bin" status -o yaml -l 'app=upf,tier in (core,edge),!canary' --kubeconfig "$tmp/none"
has_err "podnetctl: kubeconfig: "
run "status help documents -o json" 0 "$bin" status --help
has "  kind: PodNetworkStatusList"
run "status missing kubeconfig" 2 "$bin" status --kubeconfig "$tmp/none"
has_err "podnetctl: kubeconfig: $tmp/none: No such file or directory"
cat >"$tmp/kc-down" <<'EOK'
apiVersion: v1
kind: Config
clusters:
- {name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}
users:
- {name: u, user: {token: t}}
contexts:
- {name: x, context: {cluster: c, user: u, namespace: demo}}
current-context: x
EOK
run "status unreachable server" 2 env KUBECONFIG="$tmp/kc-down" "$bin" status
has_err "podnetctl: cannot reach https://127.0.0.1:1: "
[ -s "$tmp/out" ] && nok "no table when the server is unreachable" || ok "no table when the server is unreachable"
# Called as kubectl-podnet (a link), the usage names the plugin.
real=${PODNETCTL:-$root/build/bin/podnetctl}
mkdir -p "$tmp/plug"
ln -s "$real" "$tmp/plug/kubectl-podnet"
plug=$tmp/plug/kubectl-podnet
if [ -n "${PODNETCTL_WRAP:-}" ]; then
	printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$PODNETCTL_WRAP" "$tmp/plug/kubectl-podnet" >"$tmp/plug-run"
	chmod +x "$tmp/plug-run"
	plug=$tmp/plug-run
fi
run "as kubectl-podnet" 2 "$plug" status a b
has_err "usage: kubectl podnet status"
run "as kubectl-podnet, unreachable" 2 env KUBECONFIG="$tmp/kc-down" "$plug" status -n demo web
has_err "podnetctl: cannot reach https://127.0.0.1:1: "

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
