#!/bin/sh
# Scenario 1: a Pod that asks for nothing gets only eth0 from the default
# network; kubelet reports its IP; network-status lists it as `default`.
# podnet is installed as e2e/lib/podnet.sh does (image, kubectl apply -k).
set -u
. "$(dirname "$0")/../lib/podnet.sh"
ns=pn-s1
trap 'podnet_down $ns; podnet_forget_objects' EXIT
trap 'exit 130' INT TERM HUP

check "s1__podnet__up" podnet_up
mkns $ns
check "s1__pod_without_request__created" mkpod $ns plain
check "s1__pod__running" poll 90 running $ns plain
ip=$(podip $ns plain)
echo "  plain: podIP $ip, links: $(links $ns plain)"
check "s1__kubelet__reports_ip_in_default_subnet" \
	[ "${ip%.*}" = "$(echo "${DEFAULT_SUBNET%/*}" | cut -d. -f1-3)" ]
check "s1__netns__lo_and_eth0_only" links_are $ns plain "eth0 lo "
check "s1__eth0__holds_the_pod_ip" [ "$(addr4_of $ns plain eth0)" = "$ip/${DEFAULT_SUBNET#*/}" ]
check "s1__default_route__via_eth0" [ "$(default_dev $ns plain)" = eth0 ]
# DESIGN.md: such a Pod is planned by the agent alone, no controller round trip
check "s1__plan__none_written_by_the_controller" [ -z "$(plan_of $ns plain)" ]
check "s1__network_status__written" poll 15 status_has $ns plain 'length == 1'
echo "  network-status: $(netstatus $ns plain)"
check "s1__network_status__default_with_pod_ip" status_has $ns plain --arg ip "$ip" \
	'.[0].name == "default" and .[0].interface == "eth0" and .[0].default == true and (.[0].ips | index($ip) != null)'
podnetctl status --kubeconfig "$KUBECONFIG" -n $ns plain >"$PN_DIR/status.out" 2>&1
rc=$?
sed 's/^/  | /' "$PN_DIR/status.out"
check "s1__podnetctl_status__exit_0_all_fine" [ $rc = 0 ]
check "s1__podnetctl_status__eth0_row" grep -Eq "eth0 +default +$ip" "$PN_DIR/status.out"
finish
