#!/bin/sh
# docs/test/pictures.sh TOP OUTDIR: every picture of TOP/docs/pictures is
# up to date: each NAME.dot, drawn again by docs/pictures/render into
# OUTDIR/NAME.svg, gives exactly the committed NAME.svg, and each committed
# SVG has its source. A difference means a .dot was edited without
# `make docs-pictures` (or the reverse). Last line: "N passed, N failed".
set -u
top=$1
out=$2
mkdir -p "$out"
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "  PASS  $1"; }
nok() { fail=$((fail + 1)); echo "  FAIL  $1"; }
n=0
for src in "$top"/docs/pictures/*.dot; do
	[ -f "$src" ] || continue
	n=$((n + 1))
	name=$(basename "$src" .dot)
	svg=$top/docs/pictures/$name.svg
	if ! "$top/docs/pictures/render" "$src" "$out/$name.svg" 2>"$out/$name.err"; then
		nok "docs/pictures/$name.dot renders"
		sed 's/^/        /' "$out/$name.err"
		continue
	fi
	ok "docs/pictures/$name.dot renders"
	if [ ! -f "$svg" ]; then
		nok "docs/pictures/$name.svg is committed (make docs-pictures)"
	elif cmp -s "$out/$name.svg" "$svg"; then
		ok "docs/pictures/$name.svg is what $name.dot gives"
	else
		nok "docs/pictures/$name.svg is what $name.dot gives (make docs-pictures, then commit both)"
		diff -u "$svg" "$out/$name.svg" | head -n 20 | sed 's/^/        /'
	fi
done
if [ "$n" -gt 0 ]; then ok "docs/pictures has $n source(s)"; else nok "docs/pictures has sources"; fi
for svg in "$top"/docs/pictures/*.svg; do
	[ -f "$svg" ] || continue
	name=$(basename "$svg" .svg)
	if [ -f "$top/docs/pictures/$name.dot" ]; then ok "docs/pictures/$name.svg has its source"; else nok "docs/pictures/$name.svg has its source $name.dot"; fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
