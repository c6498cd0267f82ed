#!/bin/sh
# metrics-parse.sh BUILD — the /metrics text of the three daemons, as their
# unit tests render it (controller: pn_ctl_metrics_render; agent:
# render_metrics; webhook: GET /metrics of the real HTTPS server), parsed by
# the Prometheus client's text parser (e2e/lib/prom-check): every family has
# # HELP and # TYPE, and the families operators rely on exist.
set -eu
build=$1
top=$(cd "$(dirname "$0")/../../.." && pwd)
dir=$(mktemp -d /tmp/pn-metrics-XXXXXX)
trap 'rm -rf "$dir"' EXIT
for t in cluster_metrics agent_http webhook_server; do
	PN_METRICS_DUMP=$dir "$build/test/$t" >"$dir/$t.log" 2>&1 || { cat "$dir/$t.log"; exit 1; }
done
exec "$top/e2e/lib/prom-check" \
	--expect podnet_build_info \
	--expect podnet_controller_reconcile_duration_seconds \
	--expect podnet_controller_plan_write_duration_seconds \
	--expect podnet_controller_leader \
	--expect podnet_controller_errors_total \
	--expect podnet_agent_requests_total \
	--expect podnet_agent_cni_duration_seconds \
	--expect podnet_agent_provider_info \
	--expect podnet_webhook_requests_total \
	--expect podnet_webhook_request_duration_seconds \
	"$dir/controller.prom" "$dir/agent.prom" "$dir/webhook.prom"
