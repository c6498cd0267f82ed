#!/bin/sh
# Scenario 15: admission by podnet-webhook, installed with podnet (two
# replicas, its TLS made by itself). The tenant is the token user
# podnet-user with only the `edit` ClusterRole in namespace pn-s15.
#   - TLS: the webhook configuration's three webhooks carry a caBundle that
#     podnet put there (nobody else writes it in this scenario), equal to the
#     Secret's ca.crt, and the certificate each replica serves chains to it
#     for podnet-webhook.podnet-system.svc;
#   - `kubectl apply` of a Pod with an invalid request fails with the field
#     path and the reason, and no Pod is made; a valid one is created;
#   - the tenant may not write the plan annotations (create or annotate);
#   - a PodNetwork whose namespaceSelector does not select pn-s15: the
#     tenant's Pod asking for it, and an attachment to it, are refused with
#     the field, the network and the rule; from a selected namespace the
#     same Pod is admitted;
#   - `kubectl delete podnetwork default` while Pods use it is refused,
#     naming how many and one of them; `default` is still there;
#   - PodNetwork spec rules without CEL (the 1.20 API server): a changed
#     provider (immutable) and a missing provider are refused;
#   - rotation: the Secret deleted, a replica makes a new CA and serving
#     certificate, the caBundle follows, both replicas serve the new one,
#     and a write through the webhook (failurePolicy Fail) succeeds;
#   - the webhook scaled to 0: Pods are still admitted (Ignore), an invalid
#     one gets the controller's Warning Event and no plan; PodNetwork writes
#     are refused with the API server's message (Fail); scaled back.
set -u
. "$(dirname "$0")/../lib/podnet.sh"
ns=pn-s15
cleanup() {
	k -n $PN_NS scale deploy podnet-webhook --replicas=2 >/dev/null 2>&1
	poll 120 webhook_ready
	k delete podnetwork s15-net s15-bad s15-only --wait=false >/dev/null 2>&1
	podnet_down $ns ${ns}b
	podnet_forget_objects
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

check "s15__podnet__up" podnet_up
mkns $ns
k -n $ns create rolebinding s15-tenant-edit --clusterrole=edit --group=podnet:users >/dev/null
ukc=$("$top/e2e/cluster/kubeconfig-for" podnet-user)
printf '#!/bin/sh\nexec "%s" --kubeconfig "%s" "$@"\n' "$KUBECTL" "$ukc" >"$PN_DIR/bin/tenant"
chmod +x "$PN_DIR/bin/tenant"
check "s15__tenant__can_create_pods" poll 10 sh -c "[ \"\$(tenant auth can-i create pods -n $ns)\" = yes ]"

# ---- TLS made by podnet ---------------------------------------------------------------
bundle_of_config() { # the caBundles of the three webhooks, decoded, must be one
	k get validatingwebhookconfiguration podnet-webhook -o json |
		jq -r '[.webhooks[].clientConfig.caBundle] | unique | if length == 1 then .[0] else error("differ") end' |
		base64 -d
}
secret_ca() { k -n $PN_NS get secret podnet-webhook-tls -o 'jsonpath={.data.ca\.crt}' | base64 -d; }
webhook_ips() { # the replicas' addresses (not those of Pods on their way out)
	k -n $PN_NS get pods -l app.kubernetes.io/name=podnet-webhook -o json |
		jq -r '[.items[] | select(.metadata.deletionTimestamp == null) | .status.podIP // empty] | join(" ")'
}
# serves_chain_to CAFILE: every replica's certificate verifies against CAFILE for the Service name
serves_chain_to() {
	_ips=$(webhook_ips)
	[ "$(echo $_ips | wc -w)" = 2 ] || return 1
	for _ip in $_ips; do
		curl -sf --max-time 5 --cacert "$1" --resolve "podnet-webhook.podnet-system.svc:8443:$_ip" \
			https://podnet-webhook.podnet-system.svc:8443/healthz >/dev/null || return 1
	done
}
bundle_of_config >"$PN_DIR/bundle-1.pem" 2>/dev/null
secret_ca >"$PN_DIR/secret-ca-1.pem" 2>/dev/null
check "s15__ca_bundle__not_empty" grep -q 'BEGIN CERTIFICATE' "$PN_DIR/bundle-1.pem"
check "s15__ca_bundle__is_the_secret_ca" cmp "$PN_DIR/bundle-1.pem" "$PN_DIR/secret-ca-1.pem"
check "s15__served_certificates__chain_to_the_bundle" serves_chain_to "$PN_DIR/bundle-1.pem"
check "s15__manifests__have_no_ca_bundle" sh -c "! grep -q '^ *caBundle:' '$top/deploy/webhook/webhook.yaml'"
echo "  CA: $(openssl x509 -noout -subject -enddate <"$PN_DIR/bundle-1.pem" | tr '\n' ' ')"

# ---- Pods ---------------------------------------------------------------------------------
podfile() { # podfile NAME ANNOTATIONS-YAML (indented 4)
	cat <<EOP
apiVersion: v1
kind: Pod
metadata:
  name: $1
  namespace: $ns
  annotations:
$2
spec:
  nodeName: $NODE_NAME
  terminationGracePeriodSeconds: 0
  containers:
  - {name: main, image: $POD_IMAGE, imagePullPolicy: Never, command: [sleep, "3600"]}
EOP
}
podfile bad '    podnet.dev/networks: |
      - podNetworkName: default
      - podNetworkName: s15-net
        interfaceName: eth0' >"$PN_DIR/bad.yaml"
tenant apply -f "$PN_DIR/bad.yaml" >"$PN_DIR/bad.out" 2>&1
echo "  kubectl apply: $(cat "$PN_DIR/bad.out")"
check "s15__invalid_pod__apply_fails" sh -c "! tenant apply -f '$PN_DIR/bad.yaml' >/dev/null 2>&1"
check "s15__invalid_pod__message_has_field_and_reason" \
	grep -q 'admission webhook "pods.podnet.dev" denied the request: podnet.dev/networks\[1\].interfaceName: "eth0" is the runtime.s interface, reserved for default (podnet.dev/networks\[0\])' "$PN_DIR/bad.out"
check "s15__invalid_pod__not_created" sh -c "! k -n $ns get pod bad"
podfile good '    podnet.dev/networks: |
      - podNetworkName: default' >"$PN_DIR/good.yaml"
check "s15__valid_pod__applies" tenant apply -f "$PN_DIR/good.yaml"
check "s15__valid_pod__running" poll 90 running $ns good

# the plan annotations are podnet-controller's
plan_msg='metadata.annotations\[podnet.dev/plan\]: written only by podnet-controller'
podfile forged "    podnet.dev/plan: '{\"podUID\":\"x\",\"attachments\":[]}'" >"$PN_DIR/forged.yaml"
tenant apply -f "$PN_DIR/forged.yaml" >"$PN_DIR/forged.out" 2>&1
echo "  forged plan: $(cat "$PN_DIR/forged.out")"
check "s15__forged_plan__create_refused" grep -q "$plan_msg" "$PN_DIR/forged.out"
check "s15__forged_plan__not_created" sh -c "! k -n $ns get pod forged"
tenant -n $ns annotate pod good podnet.dev/plan='{}' --overwrite >"$PN_DIR/annotate.out" 2>&1
check "s15__plan_annotation__overwrite_refused" grep -q "$plan_msg" "$PN_DIR/annotate.out"
tenant -n $ns annotate pod good podnet.dev/plan- >"$PN_DIR/remove.out" 2>&1
check "s15__plan_annotation__removal_refused" grep -q "$plan_msg" "$PN_DIR/remove.out"
has_plan() { [ -n "$(plan_of $ns "$1")" ]; }
no_plan() { [ -z "$(plan_of $ns "$1")" ]; }
check "s15__plan_annotation__still_the_controllers" poll 30 has_plan good
tenant -n $ns annotate pod good podnet.dev/plan-signature=abc --overwrite >"$PN_DIR/sig.out" 2>&1
check "s15__plan_signature__refused" grep -q 'metadata.annotations\[podnet.dev/plan-signature\]: written only by podnet-controller' "$PN_DIR/sig.out"
check "s15__other_annotation__allowed" tenant -n $ns annotate pod good example.com/note=ok

# ---- namespace access ---------------------------------------------------------------------
# s15-only may be used from namespaces labelled podnet.dev/tenant=s15; pn-s15
# is not, pn-s15b is.
check "s15__restricted_network__applies" k apply -f - <<EOF
$(network_yaml s15-only s15-only-bridge '{type: bridge, bridge: pn-s15o, isGateway: false, ipMasq: false}' s15-only-pool '{cidr: 10.56.0.0/24}' 'namespaceSelector: {matchLabels: {podnet.dev/tenant: s15}}')
EOF
mkns ${ns}b
k label namespace ${ns}b podnet.dev/tenant=s15 >/dev/null
access_msg='PodNetwork "s15-only" may not be used from namespace "pn-s15"'
podfile denied '    podnet.dev/networks: |
      - podNetworkName: s15-only' >"$PN_DIR/denied.yaml"
# Each replica has its own cache: wait until both know s15-only (asked one
# by one, as the API server would), so that the checks below do not depend
# on which replica the Service picks.
replica_refuses_attachment() { # replica_refuses_attachment IP
	printf '%s' '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"s15",
		"kind":{"group":"podnet.dev","version":"v1alpha1","kind":"PodNetworkAttachment"},
		"resource":{"group":"podnet.dev","version":"v1alpha1","resource":"podnetworkattachments"},
		"name":"s15-pna","namespace":"'$ns'","operation":"CREATE","userInfo":{"username":"s15"},
		"object":{"apiVersion":"podnet.dev/v1alpha1","kind":"PodNetworkAttachment",
			"metadata":{"name":"s15-pna","namespace":"'$ns'"},"spec":{"podNetworkName":"s15-only"}}}}' |
		curl -sf --max-time 5 --cacert "$PN_DIR/bundle-1.pem" -H 'Content-Type: application/json' --data-binary @- \
			--resolve "podnet-webhook.podnet-system.svc:8443:$1" https://podnet-webhook.podnet-system.svc:8443/validate |
		jq -e --arg m "$access_msg" '.response.allowed == false and (.response.status.message | contains($m))'
}
both_replicas_know() {
	_ips=$(webhook_ips)
	[ "$(echo $_ips | wc -w)" = 2 ] || return 1
	for _ip in $_ips; do replica_refuses_attachment "$_ip" || return 1; done
}
check "s15__restricted_network__known_to_both_replicas" poll 30 both_replicas_know
check "s15__other_namespace__pod_refused" sh -c "tenant apply -f '$PN_DIR/denied.yaml' 2>&1 | grep -q '$access_msg'"
tenant apply -f "$PN_DIR/denied.yaml" >"$PN_DIR/denied.out" 2>&1
echo "  namespace access: $(cat "$PN_DIR/denied.out")"
check "s15__other_namespace__message_names_field_network_and_rule" \
	grep -q "denied the request: podnet.dev/networks\[0\].podNetworkName: $access_msg: spec.namespaceSelector" "$PN_DIR/denied.out"
check "s15__other_namespace__pod_not_created" sh -c "! k -n $ns get pod denied"
# (namespace edit rights do not cover podnet's kinds: the admin writes it,
# and admission applies to the admin as to anyone)
k apply -f - >"$PN_DIR/pna.out" 2>&1 <<EOF
apiVersion: podnet.dev/v1alpha1
kind: PodNetworkAttachment
metadata: {name: s15-pna, namespace: $ns}
spec: {podNetworkName: s15-only}
EOF
echo "  attachment: $(cat "$PN_DIR/pna.out")"
check "s15__other_namespace__attachment_refused" grep -q "denied the request: spec.podNetworkName: $access_msg" "$PN_DIR/pna.out"
sed "s/namespace: $ns\$/namespace: ${ns}b/" "$PN_DIR/denied.yaml" >"$PN_DIR/allowed.yaml"
check "s15__selected_namespace__pod_admitted" poll 15 k apply --dry-run=server -f "$PN_DIR/allowed.yaml"

# ---- deleting default while Pods use it ---------------------------------------------------
k delete podnetwork default >"$PN_DIR/del.out" 2>&1
echo "  kubectl delete podnetwork default: $(cat "$PN_DIR/del.out")"
check "s15__delete_default__refused" grep -q 'denied the request: PodNetwork "default" is used by [0-9]* Pods* (for example [a-z0-9-]*/[a-z0-9-]*)' "$PN_DIR/del.out"
default_kept() { k get podnetwork default >/dev/null && [ -z "$(k get podnetwork default -o 'jsonpath={.metadata.deletionTimestamp}')" ]; }
check "s15__default__still_there" default_kept

# ---- PodNetwork spec rules without CEL ----------------------------------------------------------
check "s15__network__applies" k apply -f - <<EOF
$(network_yaml s15-net s15-bridge '{type: bridge, bridge: pn-s15, isGateway: false, ipMasq: false}' s15-pool '{cidr: 10.55.0.0/24}')
EOF
k patch podnetwork s15-net --type merge -p '{"spec":{"provider":"acme.io/other"}}' >"$PN_DIR/imm.out" 2>&1
echo "  provider change: $(cat "$PN_DIR/imm.out")"
check "s15__provider_change__refused" grep -q 'spec.provider: is immutable (was "podnet.dev/cni")' "$PN_DIR/imm.out"
check "s15__provider__unchanged" sh -c "[ \"\$(k get podnetwork s15-net -o jsonpath='{.spec.provider}')\" = podnet.dev/cni ]"
k apply -f - >"$PN_DIR/noprov.out" 2>&1 <<'EOF'
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata: {name: s15-bad}
spec: {enabled: true}
EOF
echo "  no provider: $(cat "$PN_DIR/noprov.out")"
check "s15__missing_provider__refused" grep -q 'denied the request: spec.provider: ' "$PN_DIR/noprov.out"
check "s15__enabled_change__allowed" k patch podnetwork s15-net --type merge -p '{"spec":{"enabled":false}}'

# ---- rotation -----------------------------------------------------------------------------------
# The Secret deleted: within a check period (60 s) a replica makes a new CA
# and certificate, the caBundle follows, the other replica reloads.
new_bundle() {
	bundle_of_config >"$PN_DIR/bundle-2.pem" 2>/dev/null && grep -q 'BEGIN CERTIFICATE' "$PN_DIR/bundle-2.pem" &&
		! cmp -s "$PN_DIR/bundle-1.pem" "$PN_DIR/bundle-2.pem" &&
		secret_ca >"$PN_DIR/secret-ca-2.pem" && cmp -s "$PN_DIR/bundle-2.pem" "$PN_DIR/secret-ca-2.pem"
}
t0=$(date +%s)
check "s15__secret__deleted" k -n $PN_NS delete secret podnet-webhook-tls
check "s15__ca_bundle__follows_a_new_secret" poll 150 new_bundle
check "s15__both_replicas__serve_the_new_certificate" poll 150 serves_chain_to "$PN_DIR/bundle-2.pem"
echo "  rotated in $(($(date +%s) - t0)) s"
old_ca_refused() { ! serves_chain_to "$PN_DIR/bundle-1.pem"; }
check "s15__old_ca__no_longer_verifies" old_ca_refused
check "s15__write_through_webhook__succeeds_after" k patch podnetwork s15-net --type merge -p '{"spec":{"enabled":true}}'
k patch podnetwork s15-net --type merge -p '{"spec":{"provider":"acme.io/other"}}' >"$PN_DIR/imm2.out" 2>&1
check "s15__rules__still_enforced_after" grep -q 'spec.provider: is immutable' "$PN_DIR/imm2.out"

# ---- the webhook down ----------------------------------------------------------------------------
no_endpoints() { [ -z "$(k -n $PN_NS get endpoints podnet-webhook -o 'jsonpath={.subsets[*].addresses[*].ip}')" ]; }
check "s15__webhook__scaled_to_0" k -n $PN_NS scale deploy podnet-webhook --replicas=0
check "s15__webhook__no_endpoints" poll 60 no_endpoints
check "s15__pods__admitted_while_down" poll 30 tenant apply -f "$PN_DIR/bad.yaml"
check "s15__pod_admitted_while_down__warning_event" \
	poll 30 event_is $ns bad Warning podnet-controller 'podnet.dev/networks[1].interfaceName: "eth0" is the runtime'
check "s15__pod_admitted_while_down__no_plan" no_plan bad
k patch podnetwork s15-net --type merge -p '{"spec":{"enabled":false}}' >"$PN_DIR/down.out" 2>&1
echo "  PodNetwork write while down: $(cat "$PN_DIR/down.out")"
check "s15__podnetwork_write__refused_while_down" grep -q 'failed calling webhook "podnetworks.podnet.dev"' "$PN_DIR/down.out"
k delete podnetwork default >"$PN_DIR/down-del.out" 2>&1
check "s15__delete_default__refused_while_down" grep -q 'failed calling webhook "podnetworks.podnet.dev"' "$PN_DIR/down-del.out"
check "s15__webhook__scaled_back" k -n $PN_NS scale deploy podnet-webhook --replicas=2
check "s15__webhook__ready_again" poll 120 webhook_ready
check "s15__podnetwork_write__accepted_again" poll 30 k patch podnetwork s15-net --type merge -p '{"spec":{"enabled":false}}'
finish
