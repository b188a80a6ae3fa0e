#!/usr/bin/env bash
# Fuzzes the Android manifest and resource parsers (binary XML, resources.arsc, an app
# bundle's protobuf manifest: src/apk) and the launcher icon's drawing (adaptive icons
# composed, vector drawables drawn) with cargo-fuzz for a bounded time.
#
#   scripts/fuzz-apk.sh          # 60 seconds
#   scripts/fuzz-apk.sh 90       # 90 seconds
#
# Seeds fuzz/corpus/apk/ from every .apk and .aab in ../shared/fixtures/real/apk (override
# with FIXTURES=dir): each seed is the target's input shape, a little-endian u32 length, the
# manifest, then resources.arsc (or the bundle's base/resources.pb); and each binary XML
# drawable under res/ (adaptive icons, vectors), then resources.arsc. It shares the fuzz
# crate, and so its build, with the other scripts/fuzz-*.sh. A crash, a timeout (a hang) or
# an out-of-memory input fails the script; libFuzzer saves it under fuzz/artifacts/apk/.
#
# cargo-fuzz needs nightly compiler flags (-Zsanitizer=address); this machine has a stable
# toolchain only, so RUSTC_BOOTSTRAP=1 unlocks them. cargo-fuzz is installed if missing.

set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=lib/fuzz-report.sh
source scripts/lib/fuzz-report.sh

SECONDS_TO_RUN="${1:-60}"
FIXTURES="${FIXTURES:-../shared/fixtures/real/apk}"
CORPUS="fuzz/corpus/apk"

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

mkdir -p "$CORPUS"
# Python's zipfile reads the seeds out of the packages (no unzip needed); a file that is not
# a zip (an LFS pointer) is skipped.
python3 - "$FIXTURES" "$CORPUS" <<'PY'
import pathlib, struct, sys, zipfile

fixtures, corpus = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
pairs = [("AndroidManifest.xml", "resources.arsc"),
         ("base/manifest/AndroidManifest.xml", "base/resources.pb")]
seeds = 0
for package in sorted([*fixtures.glob("*.apk"), *fixtures.glob("*.aab")]):
    try:
        with zipfile.ZipFile(package) as z:
            names = set(z.namelist())
            for manifest, resources in pairs:
                if manifest not in names:
                    continue
                m = z.read(manifest)
                r = z.read(resources) if resources in names else b""
                (corpus / f"{package.name}.seed").write_bytes(struct.pack("<I", len(m)) + m + r)
                seeds += 1
            table = z.read("resources.arsc") if "resources.arsc" in names else b""
            drawables = [n for n in sorted(names)
                         if n.startswith(("res/drawable", "res/mipmap")) and n.endswith(".xml")]
            for name in drawables:
                xml = z.read(name)
                if not xml.startswith(b"\x03\x00\x08\x00"):
                    continue
                seed = corpus / f"{package.name}.{name.replace('/', '_')}.seed"
                seed.write_bytes(struct.pack("<I", len(xml)) + xml + table)
                seeds += 1
    except zipfile.BadZipFile:
        pass
print(f"seeded {seeds} manifests and drawables from {fixtures} into {corpus}", file=sys.stderr)
PY

# -timeout: any input taking 10 s counts as a hang. -rss_limit_mb: the parsers' bounds keep
# one input far below this. -max_len: the largest seed (a resource table) and a little more.
RUSTC_BOOTSTRAP=1 cargo fuzz run apk "$PWD/$CORPUS" -- \
    -max_total_time="$SECONDS_TO_RUN" \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -max_len=4194304 \
    -print_final_stats=1 ||
    report_crashes apk
