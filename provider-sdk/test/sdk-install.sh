#!/bin/sh
# sdk-install.sh BUILD-DIR — the vendor's path: `make install-provider-sdk`
# into a scratch DESTDIR, build the example provider from its source with
# nothing but `pkg-config --cflags podnet-provider` and -fvisibility=hidden,
# and check that it exports exactly one symbol, that the installed
# conformance kit has its manual and refuses options as paths, and that it
# passes the provider. Last line: "N passed, N failed".
set -u
build=$(cd "${1:?usage: sdk-install.sh BUILD-DIR}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/pnt-sdk-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "  PASS  $*"; }
ko() { fail=$((fail + 1)); echo "  FAIL  $*"; }

if make -s -C "$top" install-provider-sdk BUILD="$build" DESTDIR="$T/root" PREFIX=/usr >"$T/install.log" 2>&1; then
	ok "make install-provider-sdk"
else
	ko "make install-provider-sdk: $(tail -3 "$T/install.log")"
fi
[ -f "$T/root/usr/include/podnet/provider.h" ] && ok "header installed" || ko "header missing"
pc="$T/root/usr/lib/pkgconfig/podnet-provider.pc"
[ -f "$pc" ] && ok ".pc installed" || ko ".pc missing"
ver=$(PKG_CONFIG_PATH="$T/root/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$T/root" pkg-config --modversion podnet-provider 2>&1)
[ "$ver" = "1.3.0" ] && ok "pkg-config --modversion: $ver" || ko "pkg-config --modversion: $ver"
cflags=$(PKG_CONFIG_PATH="$T/root/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$T/root" \
	PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 pkg-config --cflags podnet-provider)
# Only the installed header: no -I into the source tree.
if cc -std=c99 -O2 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden -Wl,--no-undefined \
	$cflags "$top/provider-sdk/providers/example/example.c" -o "$T/example.so" 2>"$T/cc.log"; then
	ok "example provider builds against the installed header ($cflags)"
else
	ko "build: $(head -5 "$T/cc.log")"
fi
syms=$(nm -D --defined-only "$T/example.so" 2>/dev/null | awk '$2 == "T" {print $3}' | tr '\n' ' ')
[ "$syms" = "podnet_provider_entry " ] && ok "exports only podnet_provider_entry" || ko "exports: $syms"
kit="$T/root/usr/bin/podnet-provider-conformance"
[ -x "$kit" ] && ok "kit installed in bin/" || ko "kit missing: $kit"
help=$("$kit" --help 2>&1); rc=$?
missing=
for sec in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES; do
	printf '%s\n' "$help" | grep -qx "$sec" || missing="$missing $sec"
done
[ $rc -eq 0 ] && [ -z "$missing" ] && ok "kit --help: a manual (exit 0)" || ko "kit --help: exit $rc, missing:$missing"
v=$("$kit" --version 2>&1); rc=$?
case "$v" in "podnet-provider-conformance "*) [ $rc -eq 0 ] && ok "kit --version: $v" || ko "kit --version exit $rc";;
*) ko "kit --version: $v";; esac
for a in --hlep -x; do
	"$kit" "$a" >"$T/u.out" 2>"$T/u.err"; rc=$?
	if [ $rc -eq 2 ] && grep -q "unknown option \"$a\"" "$T/u.err" && ! grep -q "cannot open" "$T/u.err" "$T/u.out"; then
		ok "kit $a: usage error, exit 2"
	else
		ko "kit $a: exit $rc: $(head -2 "$T/u.err" "$T/u.out")"
	fi
done
if "$kit" "$T/example.so" >"$T/conf.log" 2>&1; then
	ok "conformance: $(tail -1 "$T/conf.log")"
else
	ko "conformance: $(grep FAIL "$T/conf.log" | head -3)"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
