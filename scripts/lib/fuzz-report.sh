# Sourced by scripts/fuzz-*.sh. A CI run starts from a clean clone and throws its
# fuzz/artifacts/ away, so a crash found there is printed into the log to be reproduced:
# each artifact of up to 1 MiB as base64 (decode it with `base64 -d > crash`, then
# `cargo fuzz run TARGET crash`), a larger one by size and SHA-256.

# report_crashes TARGET: prints TARGET's artifacts, then fails the calling script.
report_crashes() {
    local target="$1" artifact size
    for artifact in fuzz/artifacts/"$target"/*; do
        [ -f "$artifact" ] || continue
        size=$(stat -c %s "$artifact")
        echo "fuzz artifact $artifact ($size bytes, sha256 $(sha256sum "$artifact" | cut -d' ' -f1))" >&2
        if [ "$size" -le 1048576 ]; then
            echo "--- base64 of $artifact ---" >&2
            base64 -w 0 "$artifact" >&2
            echo >&2
            echo "--- end of $artifact ---" >&2
        fi
    done
    exit 1
}
