#!/bin/sh
# sdk-install.sh BUILD-DIR — the vendor's path: `make install-provider-sdk`
# into a scratch DESTDIR, build the example provider from its source with
# nothing but `pkg-config --cflags podnet-provider` and -fvisibility=hidden,
# and check that it exports exactly one symbol and that the agent's loader
# takes it. Last line: "N passed, N failed".
set -u
build=$(cd "${1:?usage: sdk-install.sh BUILD-DIR}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/pnt-sdk-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "  PASS  $*"; }
ko() { fail=$((fail + 1)); echo "  FAIL  $*"; }

if make -s -C "$top" install-provider-sdk DESTDIR="$T/root" PREFIX=/usr >"$T/install.log" 2>&1; then
	ok "make install-provider-sdk"
else
	ko "make install-provider-sdk: $(tail -3 "$T/install.log")"
fi
[ -f "$T/root/usr/include/podnet/provider.h" ] && ok "header installed" || ko "header missing"
pc="$T/root/usr/lib/pkgconfig/podnet-provider.pc"
[ -f "$pc" ] && ok ".pc installed" || ko ".pc missing"
ver=$(PKG_CONFIG_PATH="$T/root/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$T/root" pkg-config --modversion podnet-provider 2>&1)
[ "$ver" = "1.2.0" ] && ok "pkg-config --modversion: $ver" || ko "pkg-config --modversion: $ver"
cflags=$(PKG_CONFIG_PATH="$T/root/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$T/root" \
	PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 pkg-config --cflags podnet-provider)
# Only the installed header: no -I into the source tree.
if cc -std=c99 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden -Wl,--no-undefined \
	$cflags "$top/provider-sdk/providers/example/example.c" -o "$T/example.so" 2>"$T/cc.log"; then
	ok "example provider builds against the installed header ($cflags)"
else
	ko "build: $(head -5 "$T/cc.log")"
fi
syms=$(nm -D --defined-only "$T/example.so" 2>/dev/null | awk '$2 == "T" {print $3}' | tr '\n' ' ')
[ "$syms" = "podnet_provider_entry " ] && ok "exports only podnet_provider_entry" || ko "exports: $syms"
if "$build/bin/podnet-provider-conformance" "$T/example.so" >"$T/conf.log" 2>&1; then
	ok "conformance: $(tail -1 "$T/conf.log")"
else
	ko "conformance: $(grep FAIL "$T/conf.log" | head -3)"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
