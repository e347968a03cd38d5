#!/usr/bin/env bash
# The HTML output as a person meets it: printed to PDF by headless Chromium (A4), read back with
# pdftotext. Checks that the page renders, fits a few pages, shows the month ranking in rank
# order (as `score --format json` gives it), shows an input's <script> as text, and that the
# page asks for nothing over the network; the same for the bulletin (report -o X.html); then the
# monthly workbook printed by LibreOffice.
# Needs chromium-headless-shell (or chromium), poppler-utils and libreoffice-calc-nogui:
# .ci/run installs them.
#
# usage: tests/browser.sh [BINARY]      (default: target/debug/civscore, built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-target/debug/civscore}"
[ -x "$bin" ] || cargo build --quiet --locked
browser="$(command -v chromium-headless-shell || command -v chromium || true)"
if [ -z "$browser" ] || ! command -v pdftotext > /dev/null; then
  echo "browser.sh: needs chromium-headless-shell (or chromium) and poppler-utils" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The bundled example, plus a unit whose name is markup.
cp examples/inspections.csv "$work/in.csv"
printf '2026-11-30,<script>alert(1)</script>,D2,1,,,,,,,,,\n' >> "$work/in.csv"
"$bin" score "$work/in.csv" -q --format json -o "$work/scores.json"
"$bin" score "$work/in.csv" -q -o "$work/scores.html"

print_pdf() {
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
    --log-net-log="$work/net.json" --print-to-pdf="$2" "file://$1" > /dev/null 2>&1
}
print_pdf "$work/scores.html" "$work/scores.pdf"

pages=$(pdfinfo "$work/scores.pdf" | awk '/^Pages:/ {print $2}')
fail=0
if [ "$pages" -lt 1 ] || [ "$pages" -gt 4 ]; then
  echo "FAIL: $pages pages (expected 1 to 4)"; fail=1
fi
pdftotext -layout "$work/scores.pdf" "$work/scores.txt"
# The names of the month table in rank order, from JSON and from what the browser printed.
python3 - "$work/scores.json" "$work/scores.txt" <<'PY' || fail=1
import json, sys
doc = json.load(open(sys.argv[1]))
month = next(t for t in doc["tables"] if t["kind"] == "month")
names = [r["name"] or r["unit"] for r in month["rows"]]
text = open(sys.argv[2]).read()
at = [text.find(n) for n in names]
if -1 in at:
    print("FAIL: not printed:", [n for n, a in zip(names, at) if a < 0]); sys.exit(1)
if at != sorted(at):
    print("FAIL: the ranking is not in rank order on the page"); sys.exit(1)
if "<script>alert(1)</script>" not in text:
    print("FAIL: the markup unit name is not shown as text"); sys.exit(1)
print(f"ok: {len(names)} units in rank order")
PY
# No request but the page itself.
if grep -oE '"url":"[^"]*"' "$work/net.json" | grep -v '"url":"file://' | grep -q .; then
  echo "FAIL: the page made a request:"; grep -oE '"url":"[^"]*"' "$work/net.json" | grep -v file:// | head
  fail=1
fi
echo "browser: $pages page(s)"

# The bulletin (通报) printed by the browser (A4 portrait): one page of ranking and summary, then a
# page per section (6 to 12 pages); the month ranking in rank order as `score --format json` gives
# it; the markup unit name shown as text; no request but the page itself.
"$bin" report "$work/in.csv" -q -o "$work/bulletin.html"
rm -f "$work/net.json"
print_pdf "$work/bulletin.html" "$work/bulletin.pdf"
bpages=$(pdfinfo "$work/bulletin.pdf" | awk '/^Pages:/ {print $2}')
if [ "$bpages" -lt 6 ] || [ "$bpages" -gt 12 ]; then
  echo "FAIL: the bulletin prints on $bpages pages (expected 6 to 12)"; fail=1
fi
pdftotext -layout -f 1 -l 1 "$work/bulletin.pdf" "$work/bulletin1.txt"
pdftotext -layout "$work/bulletin.pdf" "$work/bulletin.txt"
python3 - "$work/scores.json" "$work/bulletin1.txt" "$work/bulletin.txt" <<'PY' || fail=1
import json, sys
doc = json.load(open(sys.argv[1]))
month = next(t for t in doc["tables"] if t["kind"] == "month")
page1 = open(sys.argv[2]).read()
# Each unit's line of the month ranking on page 1, in rank order, with its score.
at = 0
for r in month["rows"]:
    who = r["name"] or r["unit"]
    k = page1.find(who, at)
    if k < 0:
        print("FAIL: bulletin page 1: not in rank order or missing:", who); sys.exit(1)
    line = page1[k:page1.find("\n", k)]
    if f'{r["score"]:.2f}' not in line:
        print("FAIL: bulletin: score of", who, "is not", r["score"], ":", line); sys.exit(1)
    at = k + len(who)
if f'{month["average"]:.2f}' not in page1:
    print("FAIL: bulletin page 1 lacks the average", month["average"]); sys.exit(1)
text = open(sys.argv[3]).read()
if "<script>alert(1)</script>" not in text:
    print("FAIL: bulletin: the markup unit name is not shown as text"); sys.exit(1)
if doc["rubric"]["sha256"][:32] not in text.replace("\n", "").replace(" ", ""):
    print("FAIL: bulletin: no SHA-256 of the rubric"); sys.exit(1)
print(f"ok: bulletin page 1 holds the {len(month['rows'])} units in rank order with their scores")
PY
if grep -oE '"url":"[^"]*"' "$work/net.json" | grep -v '"url":"file://' | grep -q .; then
  echo "FAIL: the bulletin made a request:"; grep -oE '"url":"[^"]*"' "$work/net.json" | grep -v file:// | head
  fail=1
fi
echo "bulletin: $bpages page(s)"

# The monthly workbook as an office prints it: LibreOffice headless to PDF (A4). Each sheet is one
# page wide, so the example's workbook prints on its tables' pages plus a 成绩单 page for each of
# the 12 units and a 督办单 page for each unit with items (17 to 44 pages); the month ranking is
# on page 1 in rank order, names and chart together, with the page footer.
if command -v soffice > /dev/null; then
  cp examples/units.csv "$work/units.csv"
  "$bin" report examples/inspections.csv --units "$work/units.csv" -q -o "$work/report.xlsx"
  (cd "$work" && timeout 180 soffice --headless --convert-to pdf report.xlsx > /dev/null 2>&1)
  wpages=$(pdfinfo "$work/report.pdf" | awk '/^Pages:/ {print $2}')
  if [ "$wpages" -lt 17 ] || [ "$wpages" -gt 44 ]; then
    echo "FAIL: the workbook prints on $wpages pages (expected 17 to 44: one page wide)"; fail=1
  fi
  pdftotext -layout -f 1 -l 1 "$work/report.pdf" "$work/page1.txt"
  "$bin" score examples/inspections.csv --units "$work/units.csv" -q --period 2026-11 --format json -o "$work/month.json"
  python3 - "$work/month.json" "$work/page1.txt" <<'PY' || fail=1
import json, sys
doc = json.load(open(sys.argv[1]))
month = next(t for t in doc["tables"] if t["kind"] == "month")
names = [r["name"] or r["unit"] for r in month["rows"]]
text = open(sys.argv[2]).read()
at = [text.find(n) for n in names]
if -1 in at or at != sorted(at):
    print("FAIL: page 1 of the workbook does not hold the month ranking in rank order"); sys.exit(1)
if "第 1 页" not in text:
    print("FAIL: no page footer on page 1"); sys.exit(1)
print(f"ok: workbook page 1 holds the {len(names)} units in rank order")
PY
  echo "workbook: $wpages page(s)"
else
  echo "browser.sh: no soffice (LibreOffice): the workbook is not printed"; fail=1
fi
if [ "$fail" -ne 0 ]; then echo "0 passed, 1 failed"; exit 1; fi
echo "1 passed, 0 failed"
