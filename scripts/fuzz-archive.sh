#!/usr/bin/env bash
# Fuzzes the whole archive reader (zip, Info.plist, profile, icons, Assets.car: src/ipa) with
# cargo-fuzz for a bounded time.
#
#   scripts/fuzz-archive.sh          # 60 seconds
#   scripts/fuzz-archive.sh 90       # 90 seconds
#
# Seeds fuzz/corpus/archive/ with every fixture archive in ../shared/fixtures/real/ipa
# (override with FIXTURES=dir), then runs the `archive` target. It shares the fuzz crate, and
# so its build, with scripts/fuzz-assets-car.sh. A crash, a timeout (a hang) or an
# out-of-memory input fails the script; libFuzzer saves it under fuzz/artifacts/archive/.
#
# cargo-fuzz needs nightly compiler flags (-Zsanitizer=address); this machine has a stable
# toolchain only, so RUSTC_BOOTSTRAP=1 unlocks them. cargo-fuzz is installed if missing.

set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=lib/fuzz-report.sh
source scripts/lib/fuzz-report.sh

SECONDS_TO_RUN="${1:-60}"
FIXTURES="${FIXTURES:-../shared/fixtures/real/ipa}"
CORPUS="fuzz/corpus/archive"

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

mkdir -p "$CORPUS"
seeds=0
for ipa in "$FIXTURES"/*.ipa; do
    [[ -e "$ipa" ]] || continue
    cp "$ipa" "$CORPUS/$(basename "$ipa")"
    seeds=$((seeds + 1))
done
echo "seeded $seeds archives from $FIXTURES into $CORPUS" >&2

# -timeout: any input taking 30 s counts as a hang (the reader stops after inflating 256 MiB
# per archive, a few seconds under AddressSanitizer). -rss_limit_mb: the reader's limits
# (docs/limits.md) keep one input far below this. -max_len: mutations may grow the largest
# seed a little.
RUSTC_BOOTSTRAP=1 cargo fuzz run archive "$PWD/$CORPUS" -- \
    -max_total_time="$SECONDS_TO_RUN" \
    -timeout=30 \
    -rss_limit_mb=2048 \
    -max_len=4194304 \
    -print_final_stats=1 ||
    report_crashes archive
