#!/bin/sh
# Scenario 16: nobody attaches what they may not. The attacker is the token
# user tenant-a with only the `edit` ClusterRole in its namespace tenant-a;
# podnet runs with exactly the RBAC of deploy/.
#
# The victim: Pod victim of namespace pn-s16-v holds 10.26.0.10 on sig0, a
# macvlan on node 1's sig-parent (PodNetwork s16-sig, IPPool s16-pool, open
# to namespaces labelled podnet.dev/s16=allowed). The attack is the one a
# new user found: a Pod carrying its own podnet.dev/plan, a copy of the
# victim's plan with the interface renamed evil0 (the victim's address, the
# victim's plugin), once with the victim's own signature (a replay) and once
# without. Tried in four states:
#   A  everything running        the webhook refuses the Pod and the edit
#   B  controller stopped        the webhook still refuses
#   C  controller and webhook    the Pod is admitted (failurePolicy Ignore);
#      stopped                   the agent verifies the plan, ignores it:
#                                the Pod starts with eth0 only; Event
#                                PlanRejected from podnet-agent
#                                The victim's signed plan copied onto the
#                                tenant's running Pod: nothing attached
#   D  webhook stopped,          the controller removes the forged plans
#      controller back           (Event PlanRejected from podnet-controller)
# Each time, inside the tenant Pod's network namespace: no evil0, not the
# victim's address; the victim keeps it; the pool counts one address.
#
# Namespace access: tenant-a may not use s16-sig: refused by the webhook with
# the network and the rule, and with the webhook down the controller plans
# nothing and says why (NetworkNotAllowed); the pool's count does not move.
# tenant-a's PodNetworkAttachment to it is refused too, and its own
# network-status edits. tenant-b, labelled allowed, attaches. Narrowing the selector leaves
# tenant-b's running Pod its address and refuses its next Pod.
set -u
. "$(dirname "$0")/../lib/podnet.sh"
vns=pn-s16-v
tns=tenant-a
bns=tenant-b
restore() {
	scale_deploy podnet-webhook 2
	scale_deploy podnet-controller 2
}
cleanup() {
	restore
	podnet_down $vns $tns $bns
	podnet_forget_objects
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

check "s16__podnet__up" podnet_up
for n in $vns $tns $bns; do mkns $n; done
k label namespace $vns podnet.dev/s16=allowed podnet.dev/s16-victim=yes >/dev/null
k label namespace $bns podnet.dev/s16=allowed >/dev/null
for u in tenant-a tenant-b; do
	k -n "$u" create rolebinding "$u-edit" --clusterrole=edit --user="$u" >/dev/null
	kubectl_as "$u"
done
check "s16__tenant__can_create_pods_in_own_namespace" k_tenant-a auth can-i create pods -n $tns
check "s16__tenant__cannot_touch_podnet_system" sh -c '! k_tenant-a auth can-i get secrets -n podnet-system'
check "s16__tenant__cannot_write_podnetworks" sh -c '! k_tenant-a auth can-i create podnetworks.podnet.dev'

check "s16__network__created" k apply -f - <<EOF
$(network_yaml s16-sig s16-macvlan '{type: macvlan, master: sig-parent, mode: bridge}' s16-pool '{cidr: 10.26.0.0/24, start: 10.26.0.10, end: 10.26.0.99}' \
	'namespaceSelector: {matchLabels: {podnet.dev/s16: allowed}}')
EOF
check "s16__network__ready" poll 30 net_ready s16-sig
check "s16__victim__created" mkpod $vns victim '- podNetworkName: default
- podNetworkName: s16-sig
  interfaceName: sig0'
check "s16__victim__running" poll 90 running $vns victim
check "s16__victim__holds_first_address" addr_is $vns victim sig0 10.26.0.10/24
check "s16__pool__counts_one" poll 15 pool_allocated_is s16-pool 1

vplan=$(plan_of $vns victim)
vsig=$(annotation $vns victim podnet.dev/plan-signature)
check "s16__victim__plan_is_signed" [ -n "$vsig" ]
evil_plan=$(printf '%s' "$vplan" | jq -c '.attachments |= map(if .interface == "sig0" then .interface = "evil0" else . end)')
check "s16__forged_plan__names_evil0" sh -c 'printf "%s" "$1" | jq -e ".attachments[] | select(.interface == \"evil0\" and .ips == [\"10.26.0.10/24\"])"' _ "$evil_plan"

# forged_pod NAME PLAN [SIGNATURE]: a Pod of tenant-a on node 1 asking for no
# network and carrying its own plan, as JSON for kubectl create -f -
forged_pod() {
	jq -n --arg name "$1" --arg ns $tns --arg plan "$2" --arg sig "${3:-}" --arg node "$(node_name 1)" \
		--arg img "$POD_IMAGE" '{apiVersion: "v1", kind: "Pod",
		metadata: {name: $name, namespace: $ns,
			annotations: ({"podnet.dev/plan": $plan} + (if $sig == "" then {} else {"podnet.dev/plan-signature": $sig} end))},
		spec: {nodeName: $node, terminationGracePeriodSeconds: 0,
			containers: [{name: "main", image: $img, imagePullPolicy: "Never", command: ["sleep", "3600"]}]}}'
}
create_forged() { forged_pod "$@" | k_tenant-a create -f -; } # create_forged NAME PLAN [SIGNATURE]
# refused STATE NAME PLAN [SIGNATURE]: the tenant's create fails with the webhook's message
refused() {
	_st=$1
	shift
	forged_pod "$@" | k_tenant-a create -f - >"$PN_DIR/refused-$1.out" 2>&1 && return 1
	grep -q 'denied the request' "$PN_DIR/refused-$1.out" && grep -q 'podnet.dev/plan' "$PN_DIR/refused-$1.out" &&
		! k -n $tns get pod "$1" >/dev/null 2>&1
}
showout() { echo "    $(cut -c1-300 "$PN_DIR/$1.out" 2>/dev/null)"; } # what kubectl said
# unharmed STATE NAME: the tenant Pod's netns has eth0 and lo only, and not the
# victim's address; the victim still holds it; the pool counts one
no_victim_addr() { ! in_pod $tns "$1" ip -o addr show | grep -q '10\.26\.0\.10/'; }
unharmed() { # unharmed STATE NAME
	_s=$1 _p=$2
	check "s16__${_s}__${_p}__netns_has_eth0_only" links_are $tns "$_p" "eth0 lo "
	check "s16__${_s}__${_p}__netns_lacks_victim_address" no_victim_addr "$_p"
	check "s16__${_s}__${_p}__victim_keeps_its_address" addr_is $vns victim sig0 10.26.0.10/24
	echo "    $_p: links $(links $tns "$_p")"
}

echo "  A: controller and webhook running"
check "s16__A__forged_plan_refused" refused A evil-a "$evil_plan"
showout refused-evil-a
check "s16__A__replayed_plan_refused" refused A evil-a2 "$vplan" "$vsig"
showout refused-evil-a2
check "s16__A__plain_pod_created" mkpod $tns plain
check "s16__A__plain_pod_running" poll 90 running $tns plain
check "s16__A__plan_edit_refused" sh -c '! k_tenant-a -n "$1" annotate pod plain "podnet.dev/plan=$2" >"$3" 2>&1 && grep -q "denied the request" "$3"' \
	_ $tns "$evil_plan" "$PN_DIR/annotate.out"
echo "    edit: $(cut -c1-240 "$PN_DIR/annotate.out")"
check "s16__A__plain_pod_has_no_plan" [ -z "$(plan_of $tns plain)" ]
# the controller keeps the addresses network-status reports: only the agent writes it
check "s16__A__status_edit_refused" sh -c '! k_tenant-a -n "$1" annotate --overwrite pod plain "k8s.v1.cni.cncf.io/network-status=[{\"name\":\"s16-sig\",\"ips\":[\"10.26.0.12\"]}]" >"$2" 2>&1 && grep -q "written only by podnet-agent" "$2"' \
	_ $tns "$PN_DIR/status.out"
showout status

echo "  namespace access (webhook running)"
netpod() { # netpod NS NAME: the request for s16-sig as JSON
	jq -n --arg name "$2" --arg ns "$1" --arg node "$(node_name 1)" --arg img "$POD_IMAGE" \
		'{apiVersion: "v1", kind: "Pod",
		metadata: {name: $name, namespace: $ns,
			annotations: {"podnet.dev/networks": "- podNetworkName: default\n- podNetworkName: s16-sig\n  interfaceName: sig0\n"}},
		spec: {nodeName: $node, terminationGracePeriodSeconds: 0,
			containers: [{name: "main", image: $img, imagePullPolicy: "Never", command: ["sleep", "3600"]}]}}'
}
create_netpod() { netpod "$2" "$3" | "$1" create -f -; } # create_netpod KUBECTL NS NAME
access_refused() { # access_refused KUBECTL NS NAME
	netpod "$2" "$3" | "$1" create -f - >"$PN_DIR/access-$3.out" 2>&1 && return 1
	grep -q 'denied the request' "$PN_DIR/access-$3.out" && grep -q 's16-sig' "$PN_DIR/access-$3.out" &&
		grep -q 'namespaceSelector' "$PN_DIR/access-$3.out"
}
check "s16__access__tenant_a_refused_by_webhook" access_refused k_tenant-a $tns wants-sig
showout access-wants-sig
check "s16__access__pool_unchanged" pool_allocated_is s16-pool 1
# edit covers PodNetworkAttachments (deploy/ aggregates them into it); the
# attachment to a network the namespace may not use is refused
check "s16__access__tenant_may_write_attachments" k_tenant-a auth can-i create podnetworkattachments.podnet.dev -n $tns
check "s16__access__attachment_refused" sh -c '! k_tenant-a create -f - >"$2" 2>&1 <<EOY
apiVersion: podnet.dev/v1alpha1
kind: PodNetworkAttachment
metadata: {name: sig, namespace: $1}
spec: {podNetworkName: s16-sig}
EOY
grep -q "denied the request" "$2" && grep -q namespaceSelector "$2"' _ $tns "$PN_DIR/pna.out"
showout pna
check "s16__access__tenant_b_pod_created" create_netpod k_tenant-b $bns allowed
check "s16__access__tenant_b_pod_running" poll 90 running $bns allowed
check "s16__access__tenant_b_pod_holds_second_address" addr_is $bns allowed sig0 10.26.0.11/24
check "s16__access__pool_counts_two" poll 15 pool_allocated_is s16-pool 2
bplan=$(plan_of $bns allowed)
check "s16__narrow__selector_patched" k patch podnetwork s16-sig --type json \
	-p '[{"op":"replace","path":"/spec/namespaceSelector","value":{"matchLabels":{"podnet.dev/s16-victim":"yes"}}}]'
sleep 3
check "s16__narrow__running_pod_keeps_address" addr_is $bns allowed sig0 10.26.0.11/24
check "s16__narrow__running_pod_keeps_plan" [ "$(plan_of $bns allowed)" = "$bplan" ]
check "s16__narrow__new_pod_refused" access_refused k_tenant-b $bns allowed-2
showout access-allowed-2
check "s16__narrow__pool_counts_two" pool_allocated_is s16-pool 2

echo "  B: controller stopped, webhook running"
check "s16__B__controller_stopped" scale_deploy podnet-controller 0
check "s16__B__forged_plan_refused" refused B evil-b "$evil_plan"
showout refused-evil-b
check "s16__B__replayed_plan_refused" refused B evil-b2 "$vplan" "$vsig"
showout refused-evil-b2

echo "  C: controller and webhook stopped"
check "s16__C__webhook_stopped" scale_deploy podnet-webhook 0
check "s16__C__forged_pod_admitted" create_forged evil-c "$evil_plan"
check "s16__C__replay_pod_admitted" create_forged evil-c2 "$vplan" "$vsig"
check "s16__C__forged_pod_running" poll 90 running $tns evil-c
check "s16__C__replay_pod_running" poll 90 running $tns evil-c2
unharmed C evil-c
unharmed C evil-c2
check "s16__C__agent_event_forged" poll 30 event_reason_is $tns evil-c PlanRejected podnet-agent podnet.dev/plan
check "s16__C__agent_event_replay" poll 30 event_reason_is $tns evil-c2 PlanRejected podnet-agent podnet.dev/plan
show_events $tns evil-c
show_events $tns evil-c2
# the victim's signed plan copied onto the tenant's running Pod: a hot-plug
# the agent refuses (signed for another UID); nothing attached or detached
check "s16__C__replay_onto_running_pod_admitted" k_tenant-a -n $tns annotate pod plain \
	"podnet.dev/plan=$vplan" "podnet.dev/plan-signature=$vsig"
check "s16__C__running_pod_agent_event" poll 30 event_reason_is $tns plain PlanRejected podnet-agent podnet.dev/plan
check "s16__C__running_pod_eth0_only" links_are $tns plain "eth0 lo "
check "s16__C__running_pod_lacks_victim_address" no_victim_addr plain
no_status_evil0() { ! netstatus $tns "$1" | grep -q evil0; }
check "s16__C__no_network_status_for_evil0" no_status_evil0 evil-c

echo "  D: webhook stopped, controller back"
plan_gone() { [ -z "$(plan_of $tns "$1")" ] && [ -z "$(annotation $tns "$1" podnet.dev/plan-signature)" ]; }
check "s16__D__controller_back" scale_deploy podnet-controller 2
check "s16__D__forged_plan_removed" poll 60 plan_gone evil-c
check "s16__D__replayed_plan_removed" poll 60 plan_gone evil-c2
check "s16__D__running_pod_plan_removed" poll 60 plan_gone plain
check "s16__D__controller_event" poll 30 event_reason_is $tns evil-c PlanRejected podnet-controller podnet.dev/plan
check "s16__D__forged_pod_admitted" create_forged evil-d "$evil_plan"
check "s16__D__forged_pod_running" poll 90 running $tns evil-d
unharmed D evil-d
unharmed D evil-c
check "s16__D__pool_still_counts_two" poll 15 pool_allocated_is s16-pool 2
check "s16__D__access_pod_admitted_without_webhook" create_netpod k_tenant-a $tns sneaky
check "s16__D__access_event" poll 30 event_reason_is $tns sneaky NetworkNotAllowed podnet-controller s16-sig
show_events $tns sneaky
check "s16__D__access_no_plan" [ -z "$(plan_of $tns sneaky)" ]
check "s16__D__access_pool_unchanged" pool_allocated_is s16-pool 2
check "s16__D__access_pod_not_running" not_running $tns sneaky

echo "  back to normal"
check "s16__webhook__back" scale_deploy podnet-webhook 2
check "s16__victim__still_holds_its_address" addr_is $vns victim sig0 10.26.0.10/24
finish
