#!/bin/sh
# kill-steps.sh BUILD-DIR — SIGKILL of podnet-agent at every step of an ADD
# and of a DEL must leak nothing.
#
# A Pod with the default network (bridge pntkbr0 + host-local) and two
# secondary networks (pntkbr1 with a planned static address, pntkbr2 with
# its own host-local range) is added and deleted through podnet-cni, as
# containerd does, against `podnet-agent --no-kube --workers 1` with the real
# cni provider and the real plugins, in a real network namespace.
#
# A dry run traces the agent's syscalls of the kinds that mark a step (record
# and cache writes: fsync, rename, unlink; plugin spawns: vfork; requests to
# plugins and the reply to the shim: sendto; netlink: sendmsg). Then, for each
# of those calls in turn, strace injects SIGKILL into the agent at exactly
# that call (inject=SYSCALL:signal=KILL:when=N); the agent is restarted, the
# runtime's retry runs (a DEL of the sandbox, as kubelet does after a failed
# ADD, and again a DEL after a failed DEL), and the test checks that nothing
# is left: only lo in the netns, no record, no CNI cache file, no host-local
# reservation, no host-side veth on the test's bridges.
#
# Everything it creates is named pntk* and removed at exit. Needs root and
# strace. Last line: "N passed, N failed".
set -u
build=$(cd "${1:?usage: kill-steps.sh BUILD-DIR}" && pwd)
exec 9>/tmp/pnt-kill-steps.lock
flock 9
command -v strace >/dev/null || { echo "kill-steps: strace is not installed"; echo "0 passed, 1 failed"; exit 1; }

T=$(mktemp -d /tmp/pnt-kill-XXXXXX)
ns=pntkA
pass=0
fail=0
agent_pid=""
KINDS=fsync,rename,unlink,vfork,sendto,sendmsg

cleanup() {
	[ -n "$agent_pid" ] && kill -9 "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	for l in pntkbr0 pntkbr1 pntkbr2; do ip link del "$l" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$T/providers" "$T/plans" "$T/state" "$T/run" "$T/ipam0" "$T/ipam2"
cp "$build/providers/cni.so" "$T/providers/"
chmod 0755 "$T/providers" && chmod 0644 "$T/providers"/*.so

cat >"$T/default.conflist" <<EOF
{"cniVersion":"1.0.0","name":"pntk-default","plugins":[
 {"type":"bridge","bridge":"pntkbr0","ipam":{"type":"host-local","dataDir":"$T/ipam0",
  "ranges":[[{"subnet":"10.95.0.0/24","gateway":"10.95.0.1"}]],"routes":[{"dst":"0.0.0.0/0"}]}}]}
EOF
cat >"$T/plans/kill_pod.json" <<EOF
{"v":1,"attachments":[
 {"network":"default","interface":"eth0","gw4":true,"gw6":true},
 {"network":"static-net","interface":"net1","provider":"podnet.dev/cni",
  "params":{"cniVersion":"1.0.0","plugins":[{"type":"bridge","bridge":"pntkbr1"}]},
  "ips":["10.95.1.10/24"],"gateways":[],"routes":[]},
 {"network":"pool-net","interface":"net2","provider":"podnet.dev/cni",
  "params":{"cniVersion":"1.0.0","plugins":[{"type":"bridge","bridge":"pntkbr2",
   "ipam":{"type":"host-local","dataDir":"$T/ipam2","ranges":[[{"subnet":"10.95.2.0/24"}]]}}]}}]}
EOF
shim_conf=$(jq -cn --arg s "$T/run/agent.sock" --arg r "$T/state/records" \
	'{type:"podnet-cni",agentSocket:$s,recordDir:$r,name:"podnet",cniVersion:"1.0.0"}')

fresh_netns() {
	ip netns del "$ns" 2>/dev/null
	ip netns add "$ns" && ip -n "$ns" link set lo up
}

start_agent() {
	"$build/bin/podnet-agent" --no-kube --plans-dir "$T/plans" --socket "$T/run/agent.sock" \
		--state-dir "$T/state" --providers-dir "$T/providers" --primary-cni-conf "$T/default.conflist" \
		--cni-path /usr/lib/cni --workers 1 --plan-wait-ms 2000 2>>"$T/agent.log" &
	agent_pid=$!
	w=0
	while [ ! -S "$T/run/agent.sock" ] && [ $w -lt 400 ]; do sleep 0.02; w=$((w + 1)); done
}
# the agent died (killed by strace) or is stopped: reap it, remove its socket
reap_agent() {
	kill -9 "$agent_pid" 2>/dev/null
	wait "$agent_pid" 2>/dev/null
	agent_pid=""
	rm -f "$T/run/agent.sock"
}

cni() { # cni COMMAND CONTAINERID
	printf '%s' "$shim_conf" | env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CNI_COMMAND="$1" CNI_CONTAINERID="$2" \
		CNI_NETNS="/run/netns/$ns" CNI_IFNAME=eth0 \
		CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=kill;K8S_POD_NAME=pod;K8S_POD_INFRA_CONTAINER_ID=$2;K8S_POD_UID=uid-$2" \
		CNI_PATH=/usr/lib/cni "$build/bin/podnet-cni" >"$T/out" 2>"$T/err"
}

# trace_agent STRACE-ARGS...: strace attached to every thread of the agent;
# returns once all are traced. Sets tracer_pid.
trace_agent() {
	set -- "$@" $(for t in /proc/"$agent_pid"/task/*; do printf -- '-p %s ' "${t##*/}"; done)
	strace -qq "$@" 2>>"$T/strace.log" &
	tracer_pid=$!
	w=0
	while [ $w -lt 300 ]; do
		untraced=0
		for t in /proc/"$agent_pid"/task/*; do
			[ "$(awk '/^TracerPid/ {print $2}' "$t/status" 2>/dev/null)" = 0 ] && untraced=1
		done
		[ $untraced = 0 ] && return 0
		sleep 0.01
		w=$((w + 1))
	done
}

# leaks: prints what is left of the sandbox (nothing when clean)
leaks() {
	l=$(ip -n "$ns" -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -vx lo | tr '\n' ' ')
	[ -n "$l" ] && echo "netns links: $l"
	r=$(ls -A "$T/state/records" 2>/dev/null | tr '\n' ' ')
	[ -n "$r" ] && echo "records: $r"
	c=$(find "$T/state/providers" -type f 2>/dev/null | sed 's|.*/||' | tr '\n' ' ')
	[ -n "$c" ] && echo "cni cache: $c"
	h=$(grep -rls "$1" "$T/ipam0" "$T/ipam2" 2>/dev/null | sed 's|.*/ipam|ipam|' | tr '\n' ' ')
	[ -n "$h" ] && echo "host-local: $h"
	v=$(for b in pntkbr0 pntkbr1 pntkbr2; do ip -o link show master "$b" 2>/dev/null; done | awk -F': ' '{print $2}' | sed 's/@.*//' | tr '\n' ' ')
	[ -n "$v" ] && echo "host veths: $v"
	return 0
}
reset_state() { # after a failed step: start the next one clean
	fresh_netns
	rm -f "$T/state/records"/* "$T/ipam0"/*/1* "$T/ipam2"/*/1* 2>/dev/null
	find "$T/state/providers" -type f -delete 2>/dev/null
	for b in pntkbr0 pntkbr1 pntkbr2; do
		for v in $(ip -o link show master "$b" 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//'); do ip link del "$v"; done
	done
}

fresh_netns
start_agent

# ---- dry run: the steps of one ADD and one DEL
trace_agent -f -o "$T/dry.ADD" -e trace="$KINDS"
if cni ADD dry; then :; else echo "  FAIL  dry ADD: $(cat "$T/out" "$T/err")"; exit 1; fi
kill "$tracer_pid"; wait "$tracer_pid" 2>/dev/null
for n in eth0 net1 net2; do
	ip -n "$ns" link show "$n" >/dev/null 2>&1 || { echo "  FAIL  dry ADD made no $n"; exit 1; }
done
trace_agent -f -o "$T/dry.DEL" -e trace="$KINDS"
cni DEL dry || { echo "  FAIL  dry DEL: $(cat "$T/out" "$T/err")"; exit 1; }
kill "$tracer_pid"; wait "$tracer_pid" 2>/dev/null
left=$(leaks dry | paste -sd ";" -)
[ -z "$left" ] || { echo "  FAIL  dry DEL left: $left"; exit 1; }

# steps FILE: "KIND N DETAIL" for each traced call of the agent's threads
# (not of its plugin children, whose calls strace -f also shows), N counting
# the calls of that kind by that thread
steps() {
	tids=" $(ls /proc/"$agent_pid"/task | tr '\n' ' ')"
	awk -v tids="$tids" '
		{ tid = $1; if (index(tids, " " tid " ") == 0) next
		  if (!match($0, /^[0-9]+ +[a-z_0-9]+\(/)) next
		  call = $0; sub(/^[0-9]+ +/, "", call); kind = call; sub(/\(.*/, "", kind)
		  n = ++count[tid, kind]
		  detail = call; sub(/^[a-z_0-9]+\(/, "", detail); sub(/[,)].*/, "", detail); gsub(/"/, "", detail)
		  sub(/.*\//, "", detail)
		  printf "%s %d %s\n", kind, n, detail }' "$1"
}
steps "$T/dry.ADD" >"$T/steps.ADD"
steps "$T/dry.DEL" >"$T/steps.DEL"
echo "kill-steps: $(wc -l <"$T/steps.ADD") steps in an ADD, $(wc -l <"$T/steps.DEL") in a DEL (default + 2 secondary networks)"

k=0
for phase in ADD DEL; do
	total=$(wc -l <"$T/steps.$phase")
	i=0
	while read -r kind n detail; do
		i=$((i + 1))
		k=$((k + 1))
		cid="k$k"
		what="$phase step $i/$total: SIGKILL at $kind #$n ($detail)"
		if [ "$phase" = DEL ]; then
			cni ADD "$cid" || { fail=$((fail + 1)); echo "  FAIL  $what: setup ADD: $(cat "$T/out")"; reset_state; continue; }
		fi
		trace_agent -o /dev/null -e trace="$kind" -e inject="$kind":signal=KILL:when="$n"
		cni "$phase" "$cid"
		rc=$?
		wait "$tracer_pid" 2>/dev/null
		if kill -0 "$agent_pid" 2>/dev/null; then
			fail=$((fail + 1))
			echo "  FAIL  $what: the agent was not killed (rc $rc)"
			kill "$tracer_pid" 2>/dev/null
			reap_agent
			start_agent
			reset_state
			continue
		fi
		reap_agent
		start_agent
		# the runtime's retry: DEL after a failed ADD or DEL
		what="$what, $phase exit $rc"
		if ! cni DEL "$cid"; then
			fail=$((fail + 1))
			echo "  FAIL  $what: retried DEL failed: $(cat "$T/out")"
			reset_state
			continue
		fi
		left=$(leaks "$cid" | paste -sd ";" -)
		if [ -z "$left" ]; then
			pass=$((pass + 1))
			echo "  PASS  $what"
		else
			fail=$((fail + 1))
			echo "  FAIL  $what: left $left"
			reset_state
		fi
	done <"$T/steps.$phase"
done
if grep -qE 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' "$T/agent.log"; then
	fail=$((fail + 1))
	echo "  FAIL  agent log has sanitizer reports:"
	grep -E -A5 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' "$T/agent.log" | head -20
else
	pass=$((pass + 1))
	echo "  PASS  agent log: no sanitizer reports"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
