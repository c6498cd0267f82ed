#!/bin/sh
# Scenario 10: a Pod whose podnet.dev/networks list leaves out `default`
# (KEP semantics: no cluster-default interface). It asks only for PodNetwork
# s10-net (bridge pn-s10, IPPool s10-pool with a gateway) and flags it for the
# IPv4 default route. The runtime (containerd's CRI) wants an `eth0` in the
# result: podnet names the primary attachment eth0 and returns its result.
# Asserted: Running; its netns has lo and eth0 only; eth0 holds the planned
# address and the default route via the pool's gateway; kubelet's podIP is
# that address; network-status lists s10-net with default true; the pool
# counts one address, and none once the Pod is deleted.
set -u
. "$(dirname "$0")/../lib/podnet.sh"
ns=pn-s10
trap 'podnet_down $ns; podnet_forget_objects; on_node 1 ip link del pn-s10 2>/dev/null' EXIT
trap 'exit 130' INT TERM HUP

check "s10__podnet__up" podnet_up
mkns $ns
k apply -f - >/dev/null <<'EOF'
apiVersion: podnet.dev/v1alpha1
kind: CNIConfig
metadata:
  name: s10-bridge
spec:
  cniVersion: 1.0.0
  plugins:
  - type: bridge
    bridge: pn-s10
    isGateway: false
    ipMasq: false
---
apiVersion: podnet.dev/v1alpha1
kind: IPPool
metadata:
  name: s10-pool
spec:
  ranges:
  - cidr: 10.30.0.0/24
    start: 10.30.0.10
    end: 10.30.0.50
    gateway: 10.30.0.1
---
apiVersion: podnet.dev/v1alpha1
kind: PodNetwork
metadata:
  name: s10-net
spec:
  provider: podnet.dev/cni
  parametersRefs:
  - {group: podnet.dev, kind: CNIConfig, name: s10-bridge}
  - {group: podnet.dev, kind: IPPool, name: s10-pool}
EOF
check "s10__network__ready" poll 30 sh -c \
	'[ "$(k get podnetwork s10-net -o "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")" = True ]'
check "s10__pod_without_default__created" mkpod $ns solo "- podNetworkName: s10-net
  isDefaultGW4: true"
check "s10__pod__running" poll 90 running $ns solo
ip=$(podip $ns solo)
echo "  solo: podIP $ip, links: $(links $ns solo), eth0: $(addrs_of $ns solo eth0)"
check "s10__plan__one_attachment_on_eth0" plan_has $ns solo \
	'[.attachments[] | [.network, .interface, .gw4]] == [["s10-net","eth0",true]]'
check "s10__netns__lo_and_eth0_only" links_are $ns solo "eth0 lo "
check "s10__eth0__first_of_the_pool" addr_is $ns solo eth0 10.30.0.10/24
check "s10__kubelet__pod_ip_is_eth0s" [ "$ip" = 10.30.0.10 ]
default_via_gw() { in_pod $ns solo ip -4 route show default | grep -q "via 10.30.0.1 dev eth0"; }
check "s10__default_route__on_eth0" [ "$(default_dev $ns solo)" = eth0 ]
check "s10__default_route__via_the_pool_gateway" default_via_gw
check "s10__network_status__written" poll 15 status_has $ns solo 'length == 1'
echo "  network-status: $(netstatus $ns solo)"
check "s10__network_status__s10_net_default_with_pod_ip" status_has $ns solo \
	'.[0].name == "s10-net" and .[0].interface == "eth0" and .[0].default == true and .[0].ips == ["10.30.0.10"]'
check "s10__pool__counts_one" poll 15 pool_allocated_is s10-pool 1
check "s10__pod__deleted" k -n $ns delete pod solo --wait=true --timeout=60s
check "s10__pool__address_freed" poll 30 pool_allocated_is s10-pool 0
finish
