#!/usr/bin/env bash
# Runs the fuzz targets for a while each, growing the committed corpus.
# usage: fuzz/run.sh [SECONDS_PER_TARGET]   (default 300)
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain; on a stable toolchain
# RUSTC_BOOTSTRAP=1 lets cargo-fuzz's flags through (used here, without a sanitizer).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-300}"
for target in records rubric; do
  mkdir -p "fuzz/corpus/$target"
  RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none "$target" "fuzz/corpus/$target" \
    -- -max_total_time="$secs" -max_len=65536 -rss_limit_mb=4096
  # Keep the corpus small and meaningful.
  tmp=$(mktemp -d)
  RUSTC_BOOTSTRAP=1 cargo fuzz cmin --sanitizer none "$target" "fuzz/corpus/$target" 2>/dev/null || true
  rm -rf "$tmp"
done
