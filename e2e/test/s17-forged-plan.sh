#!/bin/sh
# Scenario 17: the forged-plan attack of issue 12, scripted as a tenant
# (the token user podnet-user with only the `edit` ClusterRole in its own
# namespace), against podnet as installed. A victim Pod (admin) holds the
# first address of s17-net (bridge pn-s17, IPPool 10.46.0.0/24). The tenant
# creates a Pod that asks for nothing but carries its own podnet.dev/plan:
# s17-net on interface evil0 with the victim's address.
#   (1) controller running: the Pod runs with eth0 only (checked inside its
#       network namespace), a PlanRejected Event says why, the controller
#       removes the forged plan, the pool still counts one address and the
#       victim keeps it;
#   (2) controller stopped (Deployment scaled to 0): a second such Pod runs
#       with eth0 only, the agent's PlanRejected Event says why; the tenant
#       then copies the victim's plan and its real signature onto its running
#       Pod: refused (signed for another Pod's UID), nothing attached; when
#       the controller is back it removes both forged plans; the address was
#       never taken twice.
# (The third state of the issue, the admission webhook down too, adds
# nothing here: the agent checks signatures itself.)
set -u
. "$(dirname "$0")/../lib/podnet.sh"
ns=pn-s17
tns=pn-s17-tenant
cleanup() {
	k -n $PN_NS scale deployment podnet-controller --replicas="${replicas:-2}" >/dev/null 2>&1
	k delete namespace $tns --wait=false >/dev/null 2>&1
	podnet_down $ns
	podnet_forget_objects
	on_node 1 ip link del pn-s17 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

check "s17__podnet__up" podnet_up
replicas=$(k -n $PN_NS get deployment podnet-controller -o 'jsonpath={.spec.replicas}')
check "s17__network__applies" k apply -f - <<EOF
$(network_yaml s17-net s17-bridge '{type: bridge, bridge: pn-s17, isGateway: false, ipMasq: false}' s17-pool '{cidr: 10.46.0.0/24, start: 10.46.0.10, end: 10.46.0.99}')
EOF
check "s17__network__ready" poll 30 net_ready s17-net
mkns $ns
check "s17__victim__created" mkpod $ns victim '- podNetworkName: default
- podNetworkName: s17-net
  interfaceName: net1'
check "s17__victim__running" poll 90 running $ns victim
check "s17__victim__has_first_address" poll 15 addr_is $ns victim net1 10.46.0.10/24
check "s17__pool__one_allocated" poll 15 pool_allocated_is s17-pool 1

# the tenant: namespace edit rights only
mkns $tns
k create rolebinding tenant-edit -n $tns --clusterrole=edit --user=podnet-user >/dev/null
tkc=$("$top/e2e/cluster/kubeconfig-for" podnet-user)
t() { "$KUBECTL" --kubeconfig "$tkc" "$@"; }
check "s17__tenant__may_edit_pods_in_its_namespace" poll 20 sh -c '[ "$("$1" --kubeconfig "$2" auth can-i patch pods -n "$3")" = yes ]' _ "$KUBECTL" "$tkc" $tns
forged=$(plan_of $ns victim | jq -c '.attachments |= map(if .network == "s17-net" then .interface = "evil0" else . end)')
check "s17__forged_plan__names_the_victims_address" sh -c "echo '$forged' | grep -q 10.46.0.10/24"
evil_pod() { # evil_pod NAME: created by the tenant, asking for nothing, with the forged plan
	t create -f - >/dev/null <<EOP
apiVersion: v1
kind: Pod
metadata:
  name: $1
  namespace: $tns
  annotations:
    podnet.dev/plan: '$forged'
spec:
  nodeName: $(node_name 1)
  terminationGracePeriodSeconds: 0
  containers:
  - {name: main, image: $POD_IMAGE, imagePullPolicy: Never, command: [sleep, "3600"]}
EOP
}
no_plan() { [ -z "$(plan_of $tns "$1")" ] && [ -z "$(annotation $tns "$1" podnet.dev/plan-signature)" ]; }
agent_rejected() { event_is $tns "$1" Warning podnet-agent "$2"; }

# ---- (1) controller running ----------------------------------------------------------
check "s17__running__forged_pod_created_by_tenant" evil_pod evil1
check "s17__running__pod_runs" poll 90 running $tns evil1
check "s17__running__netns_eth0_only" links_are $tns evil1 "eth0 lo "
check "s17__running__event_plan_rejected" poll 30 events_mention $tns evil1 PlanRejected
check "s17__running__controller_removed_forged_plan" poll 30 no_plan evil1
check "s17__running__pool_still_one" pool_allocated_is s17-pool 1
check "s17__running__victim_keeps_address" addr_is $ns victim net1 10.46.0.10/24

# ---- (2) controller stopped -------------------------------------------------------------
k -n $PN_NS scale deployment podnet-controller --replicas=0 >/dev/null
no_ctl() { [ -z "$(k -n $PN_NS get pods -l app.kubernetes.io/name=podnet-controller -o name 2>/dev/null)" ]; }
check "s17__stopped__controller_gone" poll 60 no_ctl
check "s17__stopped__forged_pod_created_by_tenant" evil_pod evil2
check "s17__stopped__pod_runs" poll 90 running $tns evil2
check "s17__stopped__netns_eth0_only" links_are $tns evil2 "eth0 lo "
check "s17__stopped__agent_event_says_unsigned" poll 30 agent_rejected evil2 "podnet.dev/plan-signature: missing"
has_plan() { [ -n "$(plan_of $tns "$1")" ]; }
check "s17__stopped__forged_plan_still_there" has_plan evil2
# the victim's real plan and signature, copied onto the tenant's running Pod
vplan=$(plan_of $ns victim)
vsig=$(annotation $ns victim podnet.dev/plan-signature)
check "s17__stopped__tenant_copies_a_real_signature" t -n $tns annotate --overwrite pod evil1 \
	"podnet.dev/plan=$vplan" "podnet.dev/plan-signature=$vsig"
check "s17__stopped__copied_plan_refused" poll 30 agent_rejected evil1 "does not match this Pod"
sleep 3
check "s17__stopped__copied_plan_attaches_nothing" links_are $tns evil1 "eth0 lo "
check "s17__stopped__victim_keeps_address" addr_is $ns victim net1 10.46.0.10/24
show_events $tns evil2

# ---- the controller back ------------------------------------------------------------------
k -n $PN_NS scale deployment podnet-controller --replicas="$replicas" >/dev/null
check "s17__back__podnet_ready" poll 180 podnet_ready
check "s17__back__forged_plans_removed" poll 60 sh -c "[ -z \"\$(k -n $tns get pods -o json | jq -r '.items[].metadata.annotations[\"podnet.dev/plan\"] // empty')\" ]"
check "s17__back__pool_still_one" poll 30 pool_allocated_is s17-pool 1
check "s17__back__victim_keeps_address" addr_is $ns victim net1 10.46.0.10/24
for p in evil1 evil2; do check "s17__back__${p}_eth0_only" links_are $tns $p "eth0 lo "; done
k delete namespace $tns --wait=true --timeout=90s >/dev/null 2>&1
finish
