#!/bin/sh
# programs-version.sh VERSION PROGRAM... — every podnet program (each of
# $(BUILD)/bin, the top Makefile passes them) answers --version with
# "NAME VERSION" on stdout, nothing on stderr, exit 0, where VERSION is the
# make variable PODNET_VERSION the programs were built with; podnetctl also
# answers `version`. podnet-cni: --version as argv[1] wins whatever
# CNI_COMMAND says (runtimes pass no arguments), and CNI's VERSION command
# still answers the spec's JSON. Last line: "N passed, N failed".
set -u
version=$1
shift
T=$(mktemp -d /tmp/pnt-version-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
check() {
	name=$1
	shift
	if "$@" >"$T/check.log" 2>&1; then
		pass=$((pass + 1))
		echo "  PASS  $name"
	else
		fail=$((fail + 1))
		echo "  FAIL  $name"
		sed 's/^/        /' "$T/check.log"
	fi
}
# says PROGRAM ARGS...: prints exactly "NAME VERSION", exits 0, stderr empty
says() {
	out=$(timeout 10 "$@" </dev/null 2>"$T/err")
	rc=$?
	want="$(basename "$1") $version"
	[ $rc = 0 ] || { echo "exit $rc, want 0"; return 1; }
	[ "$out" = "$want" ] || { echo "stdout \"$out\", want \"$want\""; return 1; }
	[ ! -s "$T/err" ] || { echo "stderr:"; cat "$T/err"; return 1; }
}
# as a runtime would call it for ADD, but with --version: no agent is asked
cni_version_flag_wins() (
	export CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_IFNAME=net1 CNI_NETNS=/var/run/netns/none
	says "$1" --version
)
cni_version_json() {
	echo '{"cniVersion":"1.0.0","name":"n","type":"podnet-cni"}' |
		CNI_COMMAND=VERSION timeout 10 "$1" | jq -e -c . >"$T/cni.json" &&
		cat "$T/cni.json" &&
		[ "$(cat "$T/cni.json")" = '{"cniVersion":"1.0.0","supportedVersions":["1.0.0","1.1.0"]}' ]
}

check "version__is_a_version_string" sh -c 'case $1 in "" | *[!A-Za-z0-9._-]*) echo "bad: \"$1\""; exit 1 ;; esac' _ "$version"
for prog in podnet-controller podnet-agent podnet-webhook podnet-cni podnetctl kubectl-podnet podnet-provider-conformance; do
	check "programs__include_$prog" sh -c 'for p; do [ "$(basename "$p")" = "$0" ] && exit 0; done; exit 1' "$prog" "$@"
done
for p in "$@"; do
	prog=$(basename "$p")
	check "${prog}__--version" says "$p" --version
	case $prog in
	podnetctl | kubectl-podnet)
		check "${prog}__version_command" says "$p" version
		;;
	podnet-cni)
		check "${prog}__--version_wins_over_CNI_COMMAND" cni_version_flag_wins "$p"
		check "${prog}__CNI_VERSION_unchanged" cni_version_json "$p"
		;;
	esac
done

echo "$pass passed, $fail failed"
[ $fail = 0 ]
