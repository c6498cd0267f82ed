#!/bin/sh
# Scenario 20: Events and metrics. A telecom-like Pod (default, sig0 on
# macvlan s20-sig, data0 on bridge s20-data) gets one Normal AddedInterface
# Event per interface from podnet-agent, naming network, interface and
# address. A hot-plug of s20-broken (macvlan with a mode the plugin refuses;
# its parent exists, so the node reports the network available and the
# controller plans it) gets the agent's Warning HotplugFailed with the
# plugin's message, and the Pod keeps running with what it had. A Pod that
# asks for s20-broken from the start loops in sandbox creation: the agent's
# AddFailed is one Event whose count grows, not one Event per try. The
# /metrics of the agent, the controller and a webhook replica parse with the
# Prometheus client's parser, every family with HELP and TYPE.
set -u
. "$(dirname "$0")/../lib/podnet.sh"
ns=pn-s20
cleanup() {
	podnet_down $ns
	podnet_forget_objects
	on_node 1 ip link del pn-s20 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

agent_events() { # agent_events NS POD REASON: the agent's Events of that reason, as JSON
	k -n "$1" get events --field-selector "involvedObject.name=$2" -o json |
		jq -c --arg r "$3" '[.items[] | select(.reason == $r and (.source.component // .reportingComponent) == "podnet-agent")]'
}
# looped NS POD: the agent's AddFailed about the Pod was repeated (count >= 2)
looped() { [ "$(agent_events "$1" "$2" AddFailed | jq '[.[].count // 1] | max // 0')" -ge 2 ]; }
get_events() { # the kubectl lines, for the log
	k -n "$1" get events --field-selector "involvedObject.name=$2" --sort-by=.lastTimestamp \
		-o custom-columns='LAST:.lastTimestamp,TYPE:.type,REASON:.reason,FROM:.source.component,COUNT:.count,MESSAGE:.message' |
		cut -c1-260 | sed 's/^/  | /'
}

check "s20__podnet__up" podnet_up
check "s20__networks__apply" k apply -f - <<EOF
$(network_yaml s20-sig s20-sig-macvlan '{type: macvlan, master: sig-parent, mode: bridge}' s20-sig-pool '{cidr: 172.16.20.0/24, start: 172.16.20.10, end: 172.16.20.19}')
$(network_yaml s20-data s20-data-bridge '{type: bridge, bridge: pn-s20, isGateway: false, ipMasq: false}' s20-data-pool '{cidr: 10.26.0.0/24, start: 10.26.0.10, end: 10.26.0.99}')
$(network_yaml s20-broken s20-broken-macvlan '{type: macvlan, master: stor-parent, mode: bogus}' s20-broken-pool '{cidr: 192.168.60.0/24, start: 192.168.60.10, end: 192.168.60.19}')
EOF
for n in s20-sig s20-data s20-broken; do
	check "s20__network_${n}__ready" poll 30 net_ready $n
done
mkns $ns
nets='- podNetworkName: default
- podNetworkName: s20-sig
  interfaceName: sig0
- podNetworkName: s20-data
  interfaceName: data0'

# ---- Normal AddedInterface ----------------------------------------------------------
check "s20__pod__created" mkpod $ns tel "$nets"
check "s20__pod__running" poll 90 running $ns tel
check "s20__event__sig0_added" poll 15 event_is $ns tel Normal podnet-agent \
	"podnet.dev/networks: attached sig0 (network s20-sig) 172.16.20.10/24"
check "s20__event__data0_added" poll 15 event_is $ns tel Normal podnet-agent \
	"podnet.dev/networks: attached data0 (network s20-data) 10.26.0.10/24"
check "s20__event__eth0_added" poll 15 event_is $ns tel Normal podnet-agent "attached eth0 (network default)"
check "s20__event__one_per_interface" [ "$(agent_events $ns tel AddedInterface | jq length)" = 3 ]
echo "  kubectl get events (Pod tel, attached):"
get_events $ns tel

# ---- a broken hot-plug: Warning HotplugFailed ----------------------------------------
check "s20__annotation__broken_added" k -n $ns annotate --overwrite pod tel "podnet.dev/networks=$nets
- podNetworkName: s20-broken
  interfaceName: bad0"
check "s20__event__hotplug_failed" poll 30 event_reason_is $ns tel HotplugFailed podnet-agent \
	"network s20-broken (bad0 on podnet.dev/cni)"
check "s20__event__hotplug_failed_says_why" event_reason_is $ns tel HotplugFailed podnet-agent "bogus"
echo "  kubectl get events (Pod tel, broken hot-plug):"
get_events $ns tel
check "s20__pod__still_running" running $ns tel
check "s20__pod__no_bad0" links_are $ns tel "data0 eth0 lo sig0 "
check "s20__annotation__broken_removed" k -n $ns annotate --overwrite pod tel "podnet.dev/networks=$nets"

# ---- a looping ADD: one Event, its count grows ------------------------------------------
check "s20__looping_pod__created" mkpod $ns loop '- podNetworkName: default
- podNetworkName: s20-broken
  interfaceName: bad0'
check "s20__looping_pod__add_failed_repeats" poll 120 looped $ns loop
sleep 10 # more tries of the runtime
echo "  kubectl get events (Pod loop, sandbox creation looping):"
get_events $ns loop
n=$(agent_events $ns loop AddFailed | jq length)
c=$(agent_events $ns loop AddFailed | jq '[.[].count // 1] | add')
echo "  the agent's AddFailed about loop: $n Event(s) for $c failures"
check "s20__looping_pod__at_most_one_event" [ "$n" = 1 ]
check "s20__looping_pod__count_grows" [ "$c" -ge 2 ]
check "s20__looping_pod__still_creating" container_creating $ns loop
check "s20__looping_pod__message_from_plugin" event_reason_is $ns loop AddFailed podnet-agent 'unknown macvlan mode'

# ---- metrics of the three daemons ----------------------------------------------------------
wh=$(k -n $PN_NS get pods -l app.kubernetes.io/name=podnet-webhook -o 'jsonpath={.items[0].status.podIP}')
curl -sf "http://$AGENT_METRICS/metrics" >"$PN_DIR/agent.prom"
curl -sf "http://$(ctl_metrics_addr)/metrics" >"$PN_DIR/controller.prom"
curl -sfk "https://$wh:8443/metrics" >"$PN_DIR/webhook.prom"
grep -E '^podnet_agent_cni_duration_seconds_count|^podnet_agent_events_total|^podnet_build_info' "$PN_DIR/agent.prom" | sed 's/^/  | /'
grep -E '^podnet_controller_plan_write_duration_seconds_count|^podnet_build_info' "$PN_DIR/controller.prom" | sed 's/^/  | /'
grep -E '^podnet_webhook_requests_total|^podnet_build_info' "$PN_DIR/webhook.prom" | sed 's/^/  | /'
check "s20__metrics__parse_with_help_and_type" "$top/e2e/lib/prom-check" \
	--expect podnet_build_info --expect podnet_agent_cni_duration_seconds --expect podnet_agent_provider_info \
	--expect podnet_agent_events_total --expect podnet_controller_plan_write_duration_seconds \
	--expect podnet_controller_reconcile_duration_seconds --expect podnet_webhook_requests_total \
	"$PN_DIR/agent.prom" "$PN_DIR/controller.prom" "$PN_DIR/webhook.prom"
cni_adds() { awk '$1 == "podnet_agent_cni_duration_seconds_count{op=\"ADD\",provider=\"podnet.dev/cni\"}" { print $2 }' "$PN_DIR/agent.prom"; }
check "s20__metrics__agent_add_histogram_counted" [ "$(cni_adds)" -ge 3 ]
check "s20__metrics__agent_events_created" grep -Eq '^podnet_agent_events_total\{result="created"\} [1-9]' "$PN_DIR/agent.prom"
check "s20__metrics__controller_plan_writes_timed" grep -Eq '^podnet_controller_plan_write_duration_seconds_count [1-9]' "$PN_DIR/controller.prom"
finish
