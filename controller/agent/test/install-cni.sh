#!/bin/sh
# install-cni.sh — deploy/agent/install-cni in throw-away directories:
# install writes a podnet conflist pointing at the primary config and copies
# the shim; a second install changes nothing more; --uninstall restores the
# conf and bin dirs exactly (a podnet-cni that was there before comes back);
# a conf dir without a primary config is refused; a conflist that is not
# podnet's is never removed. Last line: "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
ic=$top/deploy/agent/install-cni
T=$(mktemp -d /tmp/pnt-installcni-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
check() {
	name=$1
	shift
	if "$@" >/dev/null 2>&1; then pass=$((pass + 1)); echo "  PASS  $name"; else fail=$((fail + 1)); echo "  FAIL  $name"; fi
}
snap() { (cd "$T" && find conf bin -printf '%p %y %m %s %T@\n' | sort && find conf bin -type f -exec md5sum {} + | sort); }
printf '#!/bin/sh\necho shim\n' >"$T/shim" && chmod 755 "$T/shim"
mkdir -p "$T/conf" "$T/bin" "$T/state"
echo '{"cniVersion":"1.0.0","name":"b","plugins":[{"type":"bridge"}]}' >"$T/conf/20-b.conflist"
echo '{"cniVersion":"1.0.0","name":"a","type":"bridge"}' >"$T/conf/10-a.conf"
echo 'not a config' >"$T/conf/05-notes.txt"
echo 'old' >"$T/bin/podnet-cni"
touch -d '2020-01-01' "$T/conf"/* "$T/bin/podnet-cni"
before=$(snap)
run() { "$ic" --cni-conf-dir "$T/conf" --cni-bin-dir "$T/bin" --shim "$T/shim" --state-dir "$T/state" "$@"; }

check "install__exit_0" run
check "install__conflist_points_at_first_config" \
	jq -e --arg p "$T/conf/10-a.conf" '.plugins[0].type == "podnet-cni" and .plugins[0].primaryConfList == $p and .plugins[0].recordDir == ($p | sub("conf/10-a.conf$"; "state/records"))' \
	"$T/conf/00-podnet.conflist"
check "install__shim_copied" cmp "$T/shim" "$T/bin/podnet-cni"
check "install__shim_executable" test -x "$T/bin/podnet-cni"
check "install__primary_untouched" [ "$(md5sum <"$T/conf/10-a.conf")" = "$(echo '{"cniVersion":"1.0.0","name":"a","type":"bridge"}' | md5sum)" ]
check "install_again__same_conflist" sh -c 'a=$(cat "$1/conf/00-podnet.conflist"); "$2" --cni-conf-dir "$1/conf" --cni-bin-dir "$1/bin" --shim "$1/shim" --state-dir "$1/state" && [ "$(cat "$1/conf/00-podnet.conflist")" = "$a" ]' _ "$T" "$ic"
check "uninstall__exit_0" run --uninstall
check "uninstall__dirs_restored_exactly" [ "$(snap)" = "$before" ]
check "uninstall__previous_shim_back" [ "$(cat "$T/bin/podnet-cni")" = old ]
check "uninstall_again__exit_0" run --uninstall
check "uninstall_again__still_exact" [ "$(snap)" = "$before" ]

rm "$T/bin/podnet-cni"
before=$(snap)
check "install_no_previous_shim__exit_0" run
check "uninstall_no_previous_shim__shim_removed" sh -c '"$1" --uninstall --cni-conf-dir "$2/conf" --state-dir "$2/state" && [ ! -e "$2/bin/podnet-cni" ]' _ "$ic" "$T"
check "uninstall_no_previous_shim__dirs_exact" [ "$(snap)" = "$before" ]

echo '{"cniVersion":"1.0.0","name":"other","plugins":[{"type":"bridge"}]}' >"$T/conf/00-podnet.conflist"
check "uninstall__foreign_conflist_refused" sh -c '! "$1" --uninstall --cni-conf-dir "$2/conf" --state-dir "$2/state"' _ "$ic" "$T"
check "uninstall__foreign_conflist_kept" grep -q other "$T/conf/00-podnet.conflist"
rm -f "$T/conf"/*
check "install__no_primary_refused" sh -c '! "$1" --cni-conf-dir "$2/conf" --cni-bin-dir "$2/bin" --shim "$2/shim" --state-dir "$2/state"' _ "$ic" "$T"
check "install__no_primary_writes_nothing" [ -z "$(ls -A "$T/conf")" ]

echo "$pass passed, $fail failed"
[ $fail = 0 ]
