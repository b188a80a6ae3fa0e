#!/usr/bin/env bash
# Fuzzes the Assets.car reader (src/ipa/assets_car) with cargo-fuzz for a bounded time.
#
#   scripts/fuzz-assets-car.sh          # 60 seconds
#   scripts/fuzz-assets-car.sh 600      # 10 minutes
#
# Seeds fuzz/corpus/assets_car/ with the Assets.car of every fixture archive in
# ../shared/fixtures/real/ipa (override with FIXTURES=dir), then runs the `assets_car`
# target with the signature dictionary fuzz/assets_car.dict. A crash, a timeout (a hang) or
# an out-of-memory input fails the script; libFuzzer saves it under fuzz/artifacts/assets_car/.
#
# cargo-fuzz needs nightly compiler flags (-Zsanitizer=address); this machine has a stable
# toolchain only, so RUSTC_BOOTSTRAP=1 unlocks them. cargo-fuzz is installed if missing.

set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=lib/fuzz-report.sh
source scripts/lib/fuzz-report.sh

SECONDS_TO_RUN="${1:-60}"
FIXTURES="${FIXTURES:-../shared/fixtures/real/ipa}"
CORPUS="fuzz/corpus/assets_car"

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

mkdir -p "$CORPUS"
seeds=0
for ipa in "$FIXTURES"/*.ipa; do
    [[ -e "$ipa" ]] || continue
    # Only the app's own catalog, `Payload/<App>.app/Assets.car`.
    member="$(unzip -Z1 "$ipa" 2>/dev/null | grep -E '^Payload/[^/]+\.app/Assets\.car$' | head -n 1 || true)"
    [[ -n "$member" ]] || continue
    unzip -p "$ipa" "$member" >"$CORPUS/$(basename "$ipa" .ipa).car"
    seeds=$((seeds + 1))
done
echo "seeded $seeds Assets.car files from $FIXTURES into $CORPUS" >&2

# -timeout: any input taking 20 s counts as a hang. -rss_limit_mb: the reader caps its own
# allocations at 256 MiB per call, far below this.
RUSTC_BOOTSTRAP=1 cargo fuzz run assets_car "$PWD/$CORPUS" -- \
    -dict="$PWD/fuzz/assets_car.dict" \
    -max_total_time="$SECONDS_TO_RUN" \
    -timeout=20 \
    -rss_limit_mb=2048 \
    -print_final_stats=1 ||
    report_crashes assets_car
