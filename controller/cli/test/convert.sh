#!/bin/sh
# convert.sh — `podnetctl convert` on the Multus fixtures of
# controller/cli/test/convert: the whole output and every reported line
# against expected files (FILE.expected, FILE.err.expected), the exit codes
# (0 all converted, 1 something reported, 2 usage or I/O), and the output
# checked by `podnetctl validate`. Runs from the repository root; PODNETCTL
# names the binary (default build/bin/podnetctl). `make check-unit` runs it
# through $(BUILD)/test/cli_convert (run_convert.c). Regenerate the expected
# files, after reading the difference, with UPDATE=1.
set -u
root=$(pwd)
bin=${PODNETCTL:-$root/build/bin/podnetctl}
data=$root/controller/cli/test/convert
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
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

# same EXPECTED out|err: the whole stream equals the expected file.
same() {
	if [ -n "${UPDATE:-}" ]; then
		cp "$tmp/$2" "$data/$1"
	fi
	if diff -u "$data/$1" "$tmp/$2" >"$tmp/diff"; then
		ok "$1: identical"
	else
		nok "$1: differs"
		head -n 30 "$tmp/diff" | sed 's/^/     | /'
	fi
}

has_err() {
	if grep -qxF -- "$1" "$tmp/err"; then
		ok "reports: $1"
	else
		nok "missing report line: $1"
	fi
}

# valid FILE: `podnetctl validate` finds nothing in FILE.
valid() {
	if "$bin" validate "$1" >"$tmp/vout" 2>&1; then
		ok "$2: podnetctl validate passes"
	else
		nok "$2: podnetctl validate fails"
		sed 's/^/     | /' "$tmp/vout" | head -n 5
	fi
}

# ---- each fixture alone ---------------------------------------------------------
# The five NADs, the two workloads (everything converts but the host-device
# NAD's DHCP ipam and resource annotation, and Whereabouts' network_name),
# and the List of what cannot be converted.
for f in bridge-host-local macvlan-whereabouts ipvlan-static sriov-host-device \
	whereabouts-exclude deployment-short pod-json misc; do
	case $f in sriov-host-device | whereabouts-exclude | misc) want=1 ;; *) want=0 ;; esac
	run "convert $f.yaml" $want "$bin" convert "$f.yaml"
	same "$f.yaml.expected" out
	same "$f.yaml.err.expected" err
	cp "$tmp/out" "$tmp/$f.out"
	valid "$tmp/$f.out" "$f.yaml converted"
	if [ $want = 0 ] && [ -s "$tmp/err" ]; then nok "$f.yaml: nothing reported"; fi
done

# ---- all seven together: the same objects, in order, and valid together -------
set -- bridge-host-local macvlan-whereabouts ipvlan-static sriov-host-device \
	whereabouts-exclude pod-json deployment-short
run "convert -f of all seven" 1 "$bin" convert $(for f; do printf -- '-f %s.yaml ' "$f"; done)
: >"$tmp/concat"
sep=
for f; do
	{ [ -n "$sep" ] && echo ---; cat "$tmp/$f.out"; } >>"$tmp/concat"
	sep=1
done
if cmp -s "$tmp/concat" "$tmp/out"; then ok "together: the files' outputs in order"; else nok "together: the files' outputs in order"; fi
cp "$tmp/out" "$tmp/all.out"
valid "$tmp/all.out" "all seven converted"
# the report names the object and the field path
has_err 'NetworkAttachmentDefinition default/sriov-net: spec.config.ipam.type: "dhcp" has no podnet equivalent; kept in the CNI config'
has_err 'NetworkAttachmentDefinition default/whereabouts-exclude: spec.config.plugins[0].ipam.network_name: has no podnet equivalent; dropped'
[ "$(wc -l <"$tmp/err")" = 3 ] && ok "together: three report lines" || nok "together: $(wc -l <"$tmp/err") report lines, expected 3"
# plan over the converted objects: the Pod's addresses come from the pools
"$bin" plan -o json "$tmp/all.out" >"$tmp/plan" 2>"$tmp/plan.err"
if [ $? = 0 ] && grep -q '"10.30.0.10/24"' "$tmp/plan" && grep -q '"172.16.20.10/24"' "$tmp/plan" &&
	grep -q '"192.168.2.225/28"' "$tmp/plan"; then
	ok "plan: conv-pod gets the first address of each converted pool"
else
	nok "plan: conv-pod gets the first address of each converted pool"
	sed 's/^/     | /' "$tmp/plan.err" | head -n 5
fi
if grep -q '"pod": "default/storage-client"' "$tmp/plan"; then
	nok "plan: a Deployment is not planned as a Pod"
else
	ok "plan: a Deployment is not planned as a Pod"
fi

# ---- standard input, Lists, text errors ------------------------------------------
run "convert - (stdin)" 0 sh -c "\"$bin\" convert -f - < pod-json.yaml"
cmp -s "$tmp/out" "$tmp/pod-json.out" && ok "stdin: same output" || nok "stdin: same output"
run "syntax error" 1 sh -c "printf 'kind: [\n' | \"$bin\" convert -"
if grep -q '^-:2:1: ' "$tmp/err"; then ok "syntax error: FILE:LINE:COL"; else nok "syntax error: FILE:LINE:COL: $(cat "$tmp/err")"; fi
run "not an object" 1 sh -c "printf -- '- a\n' | \"$bin\" convert -"
has_err '- -: -: not an object; left out'

# ---- workloads through validate: the pod template is checked as a Pod -----------
run "validate workloads" 1 "$bin" validate workload-bad.yaml
same "workload-bad.yaml.expected" out

# ---- usage and I/O errors --------------------------------------------------------
run "convert without files" 2 "$bin" convert
run "convert missing file" 2 "$bin" convert no-such.yaml
has_err "podnetctl: no-such.yaml: No such file or directory"
run "convert bad flag" 2 "$bin" convert -x pod-json.yaml
run "stdin twice" 2 sh -c "\"$bin\" convert - -f - < pod-json.yaml"
run "help" 0 "$bin" --help
if grep -q "KIND NAMESPACE/NAME: FIELD.PATH: message" "$tmp/out" && grep -q "convert \[-f\] FILE" "$tmp/out"; then
	ok "help documents convert and its report format"
else
	nok "help documents convert and its report format"
fi

echo "convert: $passed passed, $failed failed"
[ "$failed" = 0 ]
