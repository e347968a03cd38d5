#!/usr/bin/env bash
# Regenerates the README's pictures from the bundled example, as printed on A4:
#   docs/img/bulletin.png          page 1 of the HTML bulletin (report -o X.html), by headless Chromium
#   docs/img/workbook-ranking.png  page 1 of the workbook (the month ranking sheet), by LibreOffice
# Needs chromium-headless-shell (or chromium), poppler-utils and libreoffice-calc-nogui (see
# .ci/run). usage: docs/img/make.sh [BINARY]   (default: target/debug/civscore, built if missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${1:-target/debug/civscore}"
[ -x "$bin" ] || cargo build --quiet --locked
browser="$(command -v chromium-headless-shell || command -v chromium)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The same results whatever the day (the as-of date is never after today).
export CIVSCORE_TODAY=2026-12-02
"$bin" report examples/inspections.csv --units examples/units.csv -q -o "$work/2026-11.html"
"$bin" report examples/inspections.csv --units examples/units.csv -q -o "$work/2026-11.xlsx"
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
  --print-to-pdf="$work/bulletin.pdf" "file://$work/2026-11.html" > /dev/null 2>&1
(cd "$work" && timeout 180 soffice --headless --convert-to pdf 2026-11.xlsx > /dev/null 2>&1)
pdftoppm -f 1 -l 1 -r 80 -png -singlefile "$work/bulletin.pdf" docs/img/bulletin
pdftoppm -f 1 -l 1 -r 90 -png -singlefile "$work/2026-11.pdf" docs/img/workbook-ranking
ls -l docs/img/*.png
