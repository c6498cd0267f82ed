#!/bin/sh
# out-of-tree.sh BUILD-DIR — a provider vendor's walk through
# docs/provider-guide.md, outside the source tree, with the guide's own
# commands: they are taken from the guide's code blocks (so the test breaks
# when the guide and reality part), changed only where a vendor's machine
# differs from a scratch one (the install PREFIX, where the checkout is, no
# sudo when root).
#
#   1. "Install the header": make install-provider-sdk into a scratch PREFIX
#      (header, .pc, the conformance kit in bin/).
#   2. "The smallest provider": the guide's C snippet, and the template
#      copied as the guide says, each built in a directory outside the tree
#      with the guide's build block (cc ... $(pkg-config ...), nm).
#   3. "Run the conformance kit": the installed kit against the template.
#
# Needs root (the kit makes network namespaces). Last line: "N passed, N
# failed".
set -u
build=$(cd "${1:?usage: out-of-tree.sh BUILD-DIR}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
guide="$top/docs/provider-guide.md"
T=$(mktemp -d /tmp/pnt-vendor-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "  PASS  $*"; }
ko() { fail=$((fail + 1)); echo "  FAIL  $*"; }

# block LANG PATTERN: the first ```LANG block of the guide holding PATTERN.
block() {
	awk -v lang="$1" -v pat="$2" '
		!inb && $0 == "```" lang { inb = 1; buf = ""; next }
		inb && $0 == "```" { inb = 0; if (index(buf, pat)) { printf "%s", buf; exit } next }
		inb { buf = buf $0 "\n" }' "$guide"
}

case "$T" in "$top"/*) ko "scratch directory $T is inside the tree"; echo "$pass passed, $fail failed"; exit 1;; esac
prefix="$T/prefix"
# A vendor's environment: only the system's paths and the scratch PREFIX.
venv() {
	env -i HOME="$T" PATH="$prefix/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
		PKG_CONFIG_PATH="$prefix/lib/pkgconfig" "$@"
}

# ---- 1. Install the header ------------------------------------------------
install_cmds=$(block sh "make install-provider-sdk")
if [ -z "$install_cmds" ]; then
	ko "guide: no sh block with make install-provider-sdk"
else
	# the guide's PREFIX becomes the scratch one; this build dir is the one
	# already built (make check-asan has its own). The install runs in the
	# checkout with the environment of this test (its make's SAN, CC and
	# PODNET_VERSION: nothing is rebuilt), with the scratch PREFIX's
	# pkg-config path as section 1 says.
	cmds=$(printf '%s' "$install_cmds" | sed -e "s|PREFIX=/usr/local|PREFIX=$prefix BUILD=$build|")
	if (cd "$top" && PKG_CONFIG_PATH="$prefix/lib/pkgconfig" sh -e -c "$cmds") >"$T/install.log" 2>&1; then
		ok "guide section 1 as written: $(printf '%s' "$install_cmds" | head -1 | sed 's/ *#.*//')"
	else
		ko "guide section 1: $(tail -3 "$T/install.log")"
	fi
fi
for f in include/podnet/provider.h lib/pkgconfig/podnet-provider.pc bin/podnet-provider-conformance; do
	[ -e "$prefix/$f" ] && ok "installed $f" || ko "not installed: $f"
done
cflags=$(venv pkg-config --cflags podnet-provider 2>&1 | sed "s/ *$//")
[ "$cflags" = "-I$prefix/include" ] && ok "pkg-config --cflags podnet-provider: $cflags" ||
	ko "pkg-config --cflags: $cflags"

# ---- 2. Build: the guide's snippet and the template ------------------------
build_cmds=$(block sh "fast.so")
[ -n "$build_cmds" ] || ko "guide: no sh block building fast.so"
mkdir -p "$T/snippet" "$T/vendor"
block c "podnet_provider_entry(const struct podnet_host_api" >"$T/snippet/fast.c"
[ -s "$T/snippet/fast.c" ] || ko "guide: no C block with the entry point"
copy_cmds=$(block sh "providers/example/example.c")
if [ -z "$copy_cmds" ]; then
	ko "guide: no sh block copying the template"
else
	# "podnet/" is where the vendor's checkout is: here, this tree
	cmds=$(printf '%s' "$copy_cmds" | sed -e "s|podnet/provider-sdk/|$top/provider-sdk/|g")
	(cd "$T/vendor" && venv sh -e -c "$cmds") >"$T/copy.log" 2>&1 && [ -s "$T/vendor/fast.c" ] &&
		ok "template copied as the guide says: $copy_cmds" || ko "copy: $(cat "$T/copy.log")"
fi
for d in snippet vendor; do
	if (cd "$T/$d" && venv sh -e -c "$build_cmds") >"$T/$d.log" 2>&1; then
		syms=$(nm -D --defined-only "$T/$d/fast.so" | awk '$2 == "T" {print $3}' | tr '\n' ' ')
		if [ "$syms" = "podnet_provider_entry " ]; then
			ok "$d builds with the guide's commands, exports only podnet_provider_entry"
		else
			ko "$d exports: $syms"
		fi
	else
		ko "$d does not build with the guide's commands: $(head -5 "$T/$d.log")"
	fi
done

# ---- 3. The installed kit against the template -----------------------------
kit_cmd=$(block sh "podnet-provider-conformance ./fast.so" | grep 'podnet-provider-conformance ./fast.so' | head -1)
[ "$(id -u)" = 0 ] && kit_cmd=$(printf '%s' "$kit_cmd" | sed 's/^sudo //')
help=$(venv podnet-provider-conformance --help 2>&1)
missing=
for sec in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES; do
	printf '%s\n' "$help" | grep -qx "$sec" || missing="$missing $sec"
done
[ -z "$missing" ] && ok "installed kit --help is a manual" || ko "kit --help lacks:$missing"
if [ -z "$kit_cmd" ]; then
	ko "guide: no kit command for ./fast.so"
elif (cd "$T/vendor" && venv sh -c "$kit_cmd") >"$T/kit.log" 2>&1; then
	ok "guide section 6 as written ($kit_cmd): $(tail -1 "$T/kit.log")"
	grep -q "PASS  param-kinds " "$T/kit.log" && ok "kit: $(grep 'param-kinds' "$T/kit.log" | sed 's/^ *PASS  //')" ||
		ko "kit did not check param_kinds"
else
	ko "kit: $(grep FAIL "$T/kit.log" | head -3) $(tail -1 "$T/kit.log")"
fi

if [ $fail -eq 0 ]; then
	echo "out-of-tree: the provider guide walked as written, outside the tree: install, build, conformance all pass"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
