# e2e/cluster/lib.sh: helpers and layout shared by the cluster scripts
# (sourced, POSIX sh). Everything the cluster creates lives under one run
# directory, $PODNET_CLUSTER_DIR.

log() { printf 'podnet-cluster: %s\n' "$*" >&2; }
die() { printf 'podnet-cluster: error: %s\n' "$*" >&2; exit 1; }

need_root() {
	[ "$(id -u)" = 0 ] || die "must run as root (containerd, kubelet and network namespaces need it)"
}

# k8s_cache_dir VERSION: where the built Kubernetes binaries of VERSION live.
k8s_cache_dir() {
	if [ -n "${PODNET_K8S_CACHE:-}" ]; then
		echo "$PODNET_K8S_CACHE"
	else
		echo "${XDG_CACHE_HOME:-$HOME/.cache}/podnet/k8s-$1"
	fi
}

# k8s_version: upstream version of Debian's kubernetes source package
# (needs the deb-src entry that e2e/cluster/install adds), empty if unknown.
k8s_version() {
	v=$(apt-cache showsrc kubernetes 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
	[ -n "$v" ] || return 0
	v=${v%-*}
	echo "${v#*:}"
}

# k8s_bin_dir: the directory holding the built kube-* binaries and kubectl.
# $PODNET_K8S_BIN wins; then the cache of Debian's current version; then any
# complete cache.
k8s_bin_dir() {
	if [ -n "${PODNET_K8S_BIN:-}" ]; then
		echo "$PODNET_K8S_BIN"
		return 0
	fi
	v=$(k8s_version)
	if [ -n "$v" ] && [ -x "$(k8s_cache_dir "$v")/bin/kubelet" ]; then
		echo "$(k8s_cache_dir "$v")/bin"
		return 0
	fi
	for d in "${PODNET_K8S_CACHE:-/nonexistent}/bin" "${XDG_CACHE_HOME:-$HOME/.cache}"/podnet/k8s-*/bin; do
		if [ -x "$d/kubelet" ] && [ -x "$d/kube-apiserver" ] && [ -x "$d/kubectl" ]; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

# ---- layout --------------------------------------------------------------
CLUSTER_DIR=${PODNET_CLUSTER_DIR:-/var/tmp/podnet-cluster}
case $CLUSTER_DIR in
/*) ;;
*) CLUSTER_DIR=$(pwd)/$CLUSTER_DIR ;;
esac
# A run directory that is too short to be ours must never be wiped.
case $CLUSTER_DIR in
/ | /var | /var/tmp | /tmp | /root | /home | /run | /etc | /usr) die "refusing run directory $CLUSTER_DIR" ;;
esac

ETCD_PORT=${PODNET_ETCD_PORT:-23790}
ETCD_PEER_PORT=${PODNET_ETCD_PEER_PORT:-23800}
API_PORT=${PODNET_API_PORT:-16443}
KCM_PORT=10257
SCHED_PORT=10259
SCHED_INSECURE_PORT=10251 # healthz/metrics over HTTP; --config cannot turn it off
# Nodes are network namespaces on the bridge NODES_BRIDGE of the machine,
# whose address (NODES_GW) is where they reach the API server.
NODES_BRIDGE=pnnodes
NODES_GW=10.111.0.1
NODES_CIDR=10.111.0.0/24
API_SERVER=https://$NODES_GW:$API_PORT
SERVICE_CIDR=10.96.0.0/16
KUBERNETES_SERVICE_IP=10.96.0.1
# Debian's CNI plugins on the machine; each node sees them in /opt/cni/bin.
CNI_BIN_DIR=/usr/lib/cni
POD_IMAGE=podnet.local/busybox:latest
SANDBOX_IMAGE=podnet.local/sandbox:latest

# node_vars N: sets the per-node layout of node N (1 or 2).
node_vars() {
	N_DIR=$CLUSTER_DIR/node$1
	N_IP=10.111.0.$((10 + $1))
	N_NETNS=pnnode$1
	N_UPLINK=pnn$1
	N_KUBELET_PORT=10250
	N_HEALTHZ_PORT=10248
	N_BRIDGE=pnbr$1
	N_SUBNET=10.244.$1.0/24
	# the node's /etc/cni/net.d and /opt/cni/bin, as the machine sees them
	N_CNI_CONF_DIR=$N_DIR/fs/etc/cni/net.d
	N_CNI_BIN_DIR=$N_DIR/fs/opt/cni/bin
	N_SOCK=$N_DIR/containerd/containerd.sock
}

# is_ours PID: true when PID is alive and its command line names our run
# directory (so a recycled pid is never taken for one of ours).
is_ours() {
	[ -n "$1" ] && [ -r "/proc/$1/cmdline" ] || return 1
	tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF "$CLUSTER_DIR/"
}

# pid_of NAME: the recorded pid of component NAME (empty if none).
pid_of() {
	cat "$CLUSTER_DIR/pids/$1.pid" 2>/dev/null || true
}

# write_kubeconfig FILE USER: a kubeconfig for USER, a token user of the
# cluster's token file, trusting the cluster's CA.
write_kubeconfig() {
	tok=$(awk -F, -v u="$2" '$2 == u { print $1; exit }' "$CLUSTER_DIR/pki/tokens.csv")
	[ -n "$tok" ] || die "no token user '$2' in $CLUSTER_DIR/pki/tokens.csv"
	(
		umask 077
		cat >"$1.tmp" <<KC
apiVersion: v1
kind: Config
clusters:
- name: podnet-local
  cluster:
    server: $API_SERVER
    certificate-authority: $CLUSTER_DIR/pki/ca.crt
users:
- name: $2
  user:
    token: $tok
contexts:
- name: podnet-local
  context:
    cluster: podnet-local
    user: $2
current-context: podnet-local
KC
		mv "$1.tmp" "$1"
	)
}
