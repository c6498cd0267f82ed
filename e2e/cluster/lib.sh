# e2e/cluster/lib.sh: helpers shared by the cluster scripts (sourced, POSIX sh).

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
