#!/bin/sh
# conformance-catches.sh BUILD-DIR — the conformance kit must fail a provider
# that breaks the contract: `leaky` (the example with detach turned into a
# no-op) reports success but leaves its links behind. Last line: "N passed,
# N failed" about the kit's verdict.
set -u
build=$(cd "${1:?usage: conformance-catches.sh BUILD-DIR}" && pwd)
out=$(mktemp /tmp/pnt-catch-XXXXXX)
trap 'rm -f "$out"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "  PASS  $*"; }
ko() { fail=$((fail + 1)); echo "  FAIL  $*"; }

"$build/bin/podnet-provider-conformance" "$build/test/providers/leaky.so" >"$out" 2>&1 &
kit=$!
wait $kit
rc=$?
ip netns del "pntc${kit}a" 2>/dev/null
ip netns del "pntc${kit}b" 2>/dev/null
sed 's/^/    | /' "$out"
[ $rc -ne 0 ] && ok "kit exits non-zero on a leaky provider" || ko "kit passed a leaky provider"
grep -q '^  FAIL  detach ' "$out" && ok "kit reports the link left by detach" || ko "detach leak not reported"
grep -q '^  FAIL  gc-removes-unlisted' "$out" && ok "kit reports the link left by gc" || ko "gc leak not reported"
grep -q '^  PASS  attach ' "$out" && ok "kit still passes what works (attach)" || ko "attach not passed"
tail -1 "$out" | grep -Eq '^[0-9]+ passed, [1-9][0-9]* failed$' && ok "kit summary counts the failures" || ko "summary: $(tail -1 "$out")"
# Declared parameters kinds (ABI 1.3) must be well-formed: fail-half
# declares "not-a-kind".
"$build/bin/podnet-provider-conformance" "$build/test/providers/fail-half.so" >"$out" 2>&1 &
kit=$!
wait $kit
ip netns del "pntc${kit}a" 2>/dev/null
ip netns del "pntc${kit}b" 2>/dev/null
line=$(grep 'param-kinds' "$out")
echo "    | $line"
case "$line" in *"FAIL  param-kinds"*'param_kinds[1] "acme.io/AcmeNet" is declared twice'*) ok "kit reports a kind declared twice";;
*) ko "param-kinds not failed as expected: $line";; esac
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
