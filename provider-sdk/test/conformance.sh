#!/bin/sh
# conformance.sh BUILD-DIR PROVIDER: runs podnet-provider-conformance against
# one of podnet's own providers (example, cni) with parameters that suit it.
# The cni provider gets a bridge chain on a bridge of its own (pntcb<pid>),
# removed at the end whatever happened. Last line: "N passed, N failed".
set -u
build=$1
prov=$2
kit="$build/bin/podnet-provider-conformance"
case $prov in
example)
	"$kit" "$build/providers/example.so" &
	kit_pid=$!
	;;
cni)
	br="pntcb$$"
	trap 'ip link del "$br" 2>/dev/null; true' EXIT
	params='{"cniVersion":"1.0.0","plugins":[{"type":"bridge","bridge":"'$br'","ipam":{"type":"host-local","subnet":"10.123.0.0/24"}}]}'
	"$kit" "$build/providers/cni.so" "$params" &
	kit_pid=$!
	;;
*)
	echo "conformance.sh: unknown provider $prov" >&2
	exit 2
	;;
esac
wait "$kit_pid"
rc=$?
# The kit removes its namespaces itself, except when it dies (a sanitizer
# abort, a signal): then they are removed here.
ip netns del "pntc${kit_pid}a" 2>/dev/null
ip netns del "pntc${kit_pid}b" 2>/dev/null
exit $rc
