#!/bin/sh
# exec-credential-it.sh: `podnetctl status -A` on the real cluster through a
# kubeconfig whose user is an exec credential plugin (the
# client.authentication.k8s.io protocol, as EKS, GKE, AKS and OIDC
# kubeconfigs use). The plugin is a small script that prints, as an
# ExecCredential, the token of the token user podnet-user (given read access
# to Pods and Events for the test) and counts its runs in a file. A Pod is
# made Running on a Node without a kubelet (status subresource). Checked:
# the status table comes back as with the admin kubeconfig, the plugin ran
# once and was told interactive=false; kubectl accepts the same kubeconfig; $KUBECONFIG as a list of files
# (a missing one skipped); a plugin whose token the API server refuses runs
# once more after the 401, then podnetctl exits 2; a plugin that fails, one
# that prints junk and one that is not installed give one clear line naming
# the user, the command, the exit status and the plugin's stderr (or the
# install hint) and exit 2.
# Run: e2e/lib/with-cluster sh controller/cli/test/exec-credential-it.sh
# (after `make build-all`). Prints "N passed, N failed" last.
set -u
. "$(dirname "$0")/../../cluster/test/lib.sh"
ctl=$BUILD/bin/podnetctl
out=$logdir/out
err=$logdir/err
ns=pn-exec-it
node=pn-fake-exec-it
cleanup() {
	k -n "$ns" delete pods --all --grace-period=0 --force --wait=false >/dev/null 2>&1
	k delete namespace "$ns" --wait=false >/dev/null 2>&1
	k delete node "$node" >/dev/null 2>&1
	k delete clusterrolebinding podnet-exec-it >/dev/null 2>&1
	k delete clusterrole podnet-exec-it >/dev/null 2>&1
	rm -rf "$logdir"
}
trap cleanup EXIT

run() { # run NAME WANT_RC CMD...: stdout in $out, stderr in $err
	name=$1 want=$2
	shift 2
	"$@" >"$out" 2>"$err"
	rc=$?
	if [ "$rc" = "$want" ]; then
		ok "$name: exit $rc"
	else
		nok "$name: exit $rc, expected $want"
		sed 's/^/     | /' "$out" "$err" | head -n 20
	fi
}
has_err() {
	if grep -qF -- "$1" "$err"; then ok "stderr says: $1"; else
		nok "stderr lacks: $1"
		sed 's/^/     | /' "$err" | head -n 5
	fi
}
runs_are() { # runs_are N: the plugin's run counter
	got=$(cat "$logdir/runs" 2>/dev/null || echo 0)
	if [ "$got" = "$1" ]; then ok "plugin ran $1 time(s)"; else nok "plugin ran $got time(s), expected $1"; fi
}

# ---- a Pod to show: Running on a Node without a kubelet (status subresource) -----
k create namespace "$ns" >/dev/null
fake_node "$node"
wait_sa "$ns" || nok "default ServiceAccount of $ns"
pods_yaml "$ns" plain 0 0 "$node" "[]" | sed '/podnet.dev\/networks/d; /annotations:/d' | k apply -f - >/dev/null ||
	nok "create the Pod"
admin_token=$(k config view --raw -o 'jsonpath={.users[0].user.token}')
check "setup__pod_running" curl -sfk -o /dev/null -X PATCH -H "Authorization: Bearer $admin_token" \
	-H 'Content-Type: application/merge-patch+json' \
	--data '{"status":{"phase":"Running","podIP":"10.244.1.9","podIPs":[{"ip":"10.244.1.9"}]}}' \
	"$API_SERVER/api/v1/namespaces/$ns/pods/plain-0/status"

# ---- the token user and its rights ----------------------------------------------
user_kc=$("$top/e2e/cluster/kubeconfig-for" podnet-user)
token=$(sed -n 's/^    token: //p' "$user_kc")
[ -n "$token" ] || nok "token of podnet-user"
k apply -f - >/dev/null <<EOR || nok "RBAC for podnet-user"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: podnet-exec-it}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get, list]}
- {apiGroups: [""], resources: [events], verbs: [list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: podnet-exec-it}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: podnet-exec-it}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: podnet-user}
EOR
poll 10 sh -c "KUBECONFIG='$user_kc' '$ctl' status -A; [ \$? -le 1 ]" || nok "podnet-user may list Pods"

# ---- the plugins ---------------------------------------------------------------------
# plugin: prints the token in $logdir/token, valid for an hour, counting its runs
printf '%s\n' "$token" >"$logdir/token"
cat >"$logdir/plugin" <<'EOP'
#!/bin/sh
d=$(dirname "$0")
n=$(( $(cat "$d/runs" 2>/dev/null || echo 0) + 1 ))
echo $n >"$d/runs"
printf '%s' "$KUBERNETES_EXEC_INFO" >"$d/exec-info"
[ "$1" = "--cluster=podnet-local" ] && [ "$PN_IT_ENV" = "from-kubeconfig" ] || { echo "args or env lost" >&2; exit 4; }
exp=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\n' \
	"$(cat "$d/token")" "$exp"
EOP
printf '#!/bin/sh\necho "error: SSO session expired; run: sso login" >&2\necho "details follow" >&2\nexit 1\n' \
	>"$logdir/fail-plugin"
printf '#!/bin/sh\necho "Your token is: abc"\n' >"$logdir/junk-plugin"
chmod +x "$logdir/plugin" "$logdir/fail-plugin" "$logdir/junk-plugin"

# exec_kc FILE COMMAND: the user's kubeconfig with the token replaced by COMMAND
exec_kc() {
	sed -e 's/^- name: podnet-user$/- name: pn-exec/' -e 's/^    user: podnet-user$/    user: pn-exec/' \
		-e '/^    token: /d' "$user_kc" | awk -v cmd="$2" '
		{ print }
		/^  user:$/ {
			print "    exec:"
			print "      apiVersion: client.authentication.k8s.io/v1beta1"
			print "      command: " cmd
			print "      args: [--cluster=podnet-local]"
			print "      env: [{name: PN_IT_ENV, value: from-kubeconfig}]"
			print "      installHint: \"pn-it-nonexistent comes with the podnet test kit: make build-all\""
		}' >"$1"
}
exec_kc "$logdir/exec.kubeconfig" "$logdir/plugin"

# ---- podnetctl status -A through the plugin ------------------------------------
"$ctl" status -A --kubeconfig "$KUBECONFIG" >"$logdir/admin.out" 2>/dev/null
admin_rc=$?
rm -f "$logdir/runs"
run "exec__status_all_namespaces" "$admin_rc" "$ctl" status -A --kubeconfig "$logdir/exec.kubeconfig"
echo "     podnetctl status -A through the exec plugin printed:"
sed 's/^/     | /' "$out" | head -n 6
if grep -q "^$ns  *plain-0  *Running  *eth0 " "$out"; then ok "exec__pod_row_printed"; else nok "exec__pod_row_printed"; fi
if [ "$admin_rc" = 0 ] && cmp -s "$out" "$logdir/admin.out"; then
	ok "exec__same_table_as_admin"
else
	nok "exec__same_table_as_admin (admin exit $admin_rc)"
	diff "$logdir/admin.out" "$out" | sed 's/^/     | /' | head -n 10
fi
runs_are 1
check "exec__told_not_interactive" grep -qF '"spec":{"interactive":false}' "$logdir/exec-info"

# kubectl reads the same kubeconfig the same way
rm -f "$logdir/runs"
check "exec__kubectl_agrees" sh -c "'$KUBECTL' --kubeconfig '$logdir/exec.kubeconfig' get pods -A >/dev/null"
runs_are 1

# $KUBECONFIG as a list: a missing file skipped, the plugin's kubeconfig used
rm -f "$logdir/runs"
run "exec__kubeconfig_list" "$admin_rc" env KUBECONFIG="$logdir/missing.kubeconfig:$logdir/exec.kubeconfig" \
	"$ctl" status -A
runs_are 1

# ---- failures -------------------------------------------------------------------------
# a token the API server refuses: after a 401 the plugin runs again and the
# request goes once more, then the refusal. One run at start, one more per
# request refused (podnetctl reads the plan keys ConfigMap, then lists Pods):
# between 2 and 4.
echo "not-a-token" >"$logdir/token"
rm -f "$logdir/runs"
run "exec__refused_token" 2 "$ctl" status -A --kubeconfig "$logdir/exec.kubeconfig"
has_err "podnetctl: listing Pods: HTTP 401 Unauthorized"
got=$(cat "$logdir/runs" 2>/dev/null || echo 0)
if [ "$got" -ge 2 ] && [ "$got" -le 4 ]; then ok "exec__rerun_after_401: $got runs"; else nok "exec__rerun_after_401: $got runs"; fi

exec_kc "$logdir/fail.kubeconfig" "$logdir/fail-plugin"
run "exec__plugin_fails" 2 "$ctl" status -A --kubeconfig "$logdir/fail.kubeconfig"
echo "     $(head -n 1 "$err")"
has_err "podnetctl: kubeconfig: users[pn-exec].user.exec: \"$logdir/fail-plugin\" exited with status 1: error: SSO session expired; run: sso login | details follow"

exec_kc "$logdir/junk.kubeconfig" "$logdir/junk-plugin"
run "exec__plugin_prints_junk" 2 "$ctl" status -A --kubeconfig "$logdir/junk.kubeconfig"
has_err "podnetctl: kubeconfig: users[pn-exec].user.exec: \"$logdir/junk-plugin\" printed no valid ExecCredential: not JSON"
has_err "(stdout: \"Your token is: abc\")"

exec_kc "$logdir/none.kubeconfig" pn-it-nonexistent
run "exec__plugin_not_installed" 2 "$ctl" status -A --kubeconfig "$logdir/none.kubeconfig"
has_err "podnetctl: kubeconfig: users[pn-exec].user.exec: command \"pn-it-nonexistent\" not found in PATH; install hint: pn-it-nonexistent comes with the podnet test kit: make build-all"

finish
