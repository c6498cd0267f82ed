# e2e/lib/progress.sh: progress of the long steps of a first run (sourced,
# POSIX sh): the Kubernetes build (e2e/cluster/install), the image's Debian
# root (deploy/image/build), `make deps`. A step runs with its output in a
# log file; while it runs, a line every $PODNET_PROGRESS_INTERVAL seconds
# (30) says it still runs and for how long; at its end one line says how
# long it took; if it fails, the tail of its log is printed (apt's notes and
# debconf's chatter are shown only then). Progress goes to stderr, so a
# script's stdout (the install's cache path) stays what it was.

# progress_fmt SECONDS: "45s", "2m30s".
progress_fmt() {
	if [ "$1" -ge 60 ]; then
		printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
	else
		printf '%ds' "$1"
	fi
}

# progress_run LABEL LOG CMD...: runs CMD (stdin /dev/null, stdout and
# stderr into LOG, in its own session so that an interrupt stops all of
# it), printing "  ... still LABEL (2m30s)" every interval while it runs and
# "  LABEL: done in 3m12s" at the end. On failure: the last
# $PODNET_PROGRESS_TAIL (30) lines of LOG, then "  LABEL: failed ...".
# Returns CMD's exit status. CMD is a program, not a shell function (it runs
# under setsid). While it runs, INT and TERM stop it and exit (130, 143);
# afterwards they are back to their defaults, whatever the caller had set.
progress_run() {
	_pl=$1 _plog=$2
	shift 2
	_pint=${PODNET_PROGRESS_INTERVAL:-30}
	_pt0=$(date +%s)
	mkdir -p "$(dirname "$_plog")"
	setsid "$@" </dev/null >"$_plog" 2>&1 &
	_ppid=$!
	# the command has its own session: an interrupt reaches it through us
	trap 'kill -TERM -$_ppid 2>/dev/null; exit 130' INT
	trap 'kill -TERM -$_ppid 2>/dev/null; exit 143' TERM
	_pnext=$((_pt0 + _pint))
	while kill -0 "$_ppid" 2>/dev/null; do
		sleep 1
		_pnow=$(date +%s)
		if [ "$_pnow" -ge "$_pnext" ] && kill -0 "$_ppid" 2>/dev/null; then
			printf '  ... still %s (%s)\n' "$_pl" "$(progress_fmt $((_pnow - _pt0)))" >&2
			_pnext=$((_pnext + _pint))
			[ "$_pnext" -gt "$_pnow" ] || _pnext=$((_pnow + _pint))
		fi
	done
	_prc=0
	wait "$_ppid" || _prc=$?
	trap - INT TERM
	_pel=$(progress_fmt $(($(date +%s) - _pt0)))
	if [ "$_prc" = 0 ]; then
		printf '  %s: done in %s\n' "$_pl" "$_pel" >&2
	else
		printf '  ---- last lines of %s\n' "$_plog" >&2
		tail -n "${PODNET_PROGRESS_TAIL:-30}" "$_plog" | sed 's/^/  | /' >&2
		printf '  %s: failed (exit %s) after %s; whole log in %s\n' "$_pl" "$_prc" "$_pel" "$_plog" >&2
	fi
	return "$_prc"
}
