#!/usr/bin/env bash
# Runs the fuzz targets for a while each, growing the committed corpus (fuzz/corpus/TARGET),
# starting from the seeds (fuzz/seeds/TARGET: the examples, the hand fixture, the bad files).
# usage: fuzz/run.sh [SECONDS_PER_TARGET]   (default 300)
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain; on a stable toolchain
# RUSTC_BOOTSTRAP=1 lets cargo-fuzz's flags through (used here, without a sanitizer).
# Afterwards the corpus is minimised and inputs over 4 KiB are dropped, to keep the repository
# small and `cargo test` (which replays the corpus) quick.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-300}"
export RUSTC_BOOTSTRAP=1
# stream: the streaming reader against the in-memory one, from the records seeds.
# spreadsheet: workbooks (.xlsx, .xls, .ods) within 512 MB, the memory a hostile workbook may
# not make the reader exceed.
for target in records rubric stream spreadsheet; do
  seeds="fuzz/seeds/$target"
  [ "$target" = stream ] && seeds="fuzz/seeds/records"
  rss=4096
  [ "$target" = spreadsheet ] && rss=512
  mkdir -p "fuzz/corpus/$target"
  cargo fuzz run --fuzz-dir fuzz --sanitizer none "$target" "fuzz/corpus/$target" "$seeds" \
    -- -max_total_time="$secs" -max_len=65536 -rss_limit_mb="$rss"
  cargo fuzz cmin --fuzz-dir fuzz --sanitizer none "$target" "fuzz/corpus/$target"
  if [ "$target" = spreadsheet ]; then
    # Workbooks are bigger: the smallest are kept, up to 1.5 MB in all.
    ls -S -r "fuzz/corpus/$target" | awk -v d="fuzz/corpus/$target" \
      '{ t += (("stat -c %s " d "/" $0) | getline s) ? s : 0; if (t > 1500000) print d "/" $0 }' \
      | xargs -r rm
  else
    find "fuzz/corpus/$target" -type f -size +4k -delete
  fi
done
