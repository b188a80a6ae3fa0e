#!/usr/bin/env bash
# Benchmarks `otasite build` and `otasite inspect` against the issue's targets and prints ONE
# markdown table (also saved to target/bench/results.md).
#
#   scripts/bench-build.sh [N] [SIZE_MB]        # defaults: 1000 archives of 2 MiB
#   SECTIONS=many scripts/bench-build.sh        # only the sites of thousands of small archives
#
# Environment:
#   RUNS=3                 timed runs per measurement (the table shows the median)
#   BIG_N=20 BIG_SIZE_MB=100   the second, I/O-bound set (fewer, larger archives); BIG_N=0 skips it
#   INSPECT_REPEAT=100     how many times each real fixture is named on the inspect command lines
#   FIXTURES=/work/shared/fixtures/real/ipa   where the real .ipa fixtures are
#   OTASITE=path           use this otasite binary instead of building target/release/otasite
#   GENERATOR=path         likewise for the bench_archives example (give both to skip cargo)
#   OTASITE_REV=text       what OTASITE was built from, for the report's first line
#   BENCH_DIR=path         where the sets and results go (default target/bench)
#   SECTIONS="scale io inspect many"   which parts to run (default: all of them)
#   LARGE_N=5000 HUGE_N=20000 SERVE_N=1000 MANY_SIZE=64k MANY_APPS=100
#                          the "many" sites: LARGE_N, HUGE_N and SERVE_N builds of MANY_SIZE
#                          (KiB with a k) over MANY_APPS apps, all hard links into one set of
#                          HUGE_N + 1 archives (about 1.3 GB at the defaults)
#
# Sets (under target/bench/, regenerated only when missing or of another N/size):
#   scale  N × SIZE_MB MiB        cold builds, no-op rebuild, one new build added, memory
#   io     BIG_N × BIG_SIZE_MB    cold builds where I/O dominates (the ratios against cp/sha256sum)
#   small  the first BIG_N archives of the scale set, hard-linked: memory must be flat in size
#   many   HUGE_N × MANY_SIZE; the large (first LARGE_N), huge (all) and serve (first SERVE_N)
#          sites are hard links into it: per-build costs at thousands of builds
# Archives come from examples/bench_archives.rs (Info.plist, profile, CgBI icon and an
# incompressible stored payload; a distinct bundle id or version each).
#
# Method: no page cache is dropped (that needs root and says little about a CI runner); all
# archives are read once before measuring, so EVERY command (otasite and the references alike)
# runs with a warm page cache for its input. `sync` runs untimed before every timed command so
# no earlier command's dirty pages are flushed inside it. Each reference and its otasite
# counterpart alternate order from run to run. Wall time comes from nanosecond clocks around
# the command; CPU time (user + system) and peak RSS from `/usr/bin/time -v`. On a shared
# machine wall times are noisy: compare the CPU column too. "Cold build" = no output folder
# and no cache folder.
#
# Targets checked (PASS/FAIL):
#   cold build (copy)    ≤ 1.1 × `cp -r` of the same archives (judged on the io set; shown for
#                        the scale set too, where fixed per-build work dominates)
#   cold build (--link)  ≤ 1.1 × sha256sum over the same files on all cores (xargs -P nproc),
#                        judged on the io set likewise
#   no-op rebuild        < 5 % of the cold (copy) build and < 0.3 s (scale set)
#   one new build added  opens and hashes exactly 1 archive, links the other N, and costs no more
#                        than a cold build of a site of that 1 archive plus the no-op budget
#                        (0.3 s): what a site-wide re-render costs must not depend on N
#   peak RSS             < 100 MB on the scale set; io-set RSS within 10 MB of the small set's
#   inspect --no-hash    ≥ 20 × the files/s of app-info-parser (bench/parse-all.js), whole
#                        process against whole process, on the readable real fixtures
#   large (5,000)        one new build added ≤ 0.15 s (1 opened, 1 hashed, LARGE_N linked);
#                        cold --link build with peak RSS < 100 MB
#   huge (20,000)        no-op rebuild < 0.5 s
#   serve (1,000)        `otasite serve` rebuilds in < 0.2 s after one archive is replaced (the
#                        time the server reports for that rebuild, without its polling delay)

set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

N="${1:-1000}"
SIZE_MB="${2:-2}"
RUNS="${RUNS:-3}"
BIG_N="${BIG_N:-20}"
BIG_SIZE_MB="${BIG_SIZE_MB:-100}"
INSPECT_REPEAT="${INSPECT_REPEAT:-100}"
SECTIONS="${SECTIONS:-scale io inspect many}"
LARGE_N="${LARGE_N:-5000}"
HUGE_N="${HUGE_N:-20000}"
SERVE_N="${SERVE_N:-1000}"
MANY_SIZE="${MANY_SIZE:-64k}"
MANY_APPS="${MANY_APPS:-100}"
FIXTURES="${FIXTURES:-/work/shared/fixtures/real/ipa}"
WORK="${BENCH_DIR:-$ROOT/target/bench}"
P="$(nproc)"

log() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# Tools

if [[ ! -x /usr/bin/time ]]; then
    log "installing GNU time (for /usr/bin/time -v)"
    sudo=""
    [[ "$(id -u)" -ne 0 ]] && sudo="sudo"
    $sudo apt-get update -qq >&2
    $sudo apt-get install -y -qq time >&2
fi

if [[ -z "${OTASITE:-}" || -z "${GENERATOR:-}" ]]; then
    log "building release binaries"
    cargo build --release --quiet --bin otasite --example bench_archives
    BUILT_HERE=1
fi
OTASITE="$(realpath "${OTASITE:-target/release/otasite}")"
GENERATOR="$(realpath "${GENERATOR:-target/release/examples/bench_archives}")"

section() { [[ " $SECTIONS " == *" $1 "* ]]; }

HAVE_NODE=1
if ! section inspect; then
    HAVE_NODE=0
elif ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    log "node/npm not found: the inspect comparison is skipped"
    HAVE_NODE=0
elif [[ ! -d bench/node_modules/app-info-parser ]]; then
    log "installing app-info-parser into bench/node_modules"
    (cd bench && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

mkdir -p "$WORK"

# ---------------------------------------------------------------------------------------------
# Measuring

# Runs "$@" once, timed; prints "<seconds> <peak RSS in MB> <CPU seconds (user + sys)>". stdout goes to $WORK/last.out,
# stderr to $WORK/last.err. Fails loudly if the command fails.
measure() {
    sync
    local start end
    start=$(date +%s%N)
    if ! /usr/bin/time -v -o "$WORK/time.txt" "$@" >"$WORK/last.out" 2>"$WORK/last.err"; then
        log "command failed: $*"
        tail -20 "$WORK/last.err" >&2
        exit 1
    fi
    end=$(date +%s%N)
    awk -v ns="$((end - start))" -F': ' '
        /Maximum resident set size/ { kb = $2 }
        /User time \(seconds\)/ { cpu += $2 }
        /System time \(seconds\)/ { cpu += $2 }
        END { printf "%.4f %.1f %.2f\n", ns / 1e9, kb / 1024, cpu }' "$WORK/time.txt"
}

median() {
    sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Results: RES_T[key] = median seconds, RES_M[key] = median peak RSS (MB), RES_C[key] = median
# CPU seconds.
declare -A RES_T RES_M RES_C SAMPLES_T SAMPLES_M SAMPLES_C
record() { # key seconds rss cpu
    SAMPLES_T[$1]+="$2 "
    SAMPLES_M[$1]+="$3 "
    SAMPLES_C[$1]+="$4 "
}
# timed KEY COMMAND...: one measured run of COMMAND recorded under KEY.
timed() {
    local key="$1" res
    shift
    res=$(measure "$@")
    record "$key" $res
}
finish() { # key
    RES_T[$1]=$(tr ' ' '\n' <<<"${SAMPLES_T[$1]}" | grep . | median)
    RES_M[$1]=$(tr ' ' '\n' <<<"${SAMPLES_M[$1]}" | grep . | median)
    RES_C[$1]=$(tr ' ' '\n' <<<"${SAMPLES_C[$1]}" | grep . | median)
    log "  $1: ${SAMPLES_T[$1]}s (median ${RES_T[$1]} s, ${RES_M[$1]} MB, ${RES_C[$1]} CPU s)"
}

# ---------------------------------------------------------------------------------------------
# Sets

# make_set NAME COUNT SIZE_MB: target/bench/NAME/builds with COUNT archives, plus site.yaml.
make_set() {
    local name="$1" count="$2" size="$3" dir="$WORK/$1"
    local stamp="$count x $size MiB, $(sha256sum examples/bench_archives.rs | cut -c1-16)"
    if [[ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ]]; then
        log "generating $name: $count archives of $size MiB"
        rm -rf "$dir"
        mkdir -p "$dir"
        "$GENERATOR" "$dir/builds" "$count" "$size" >&2
        # The "one new build" of the scale set: the next build of an existing app, kept aside.
        "$GENERATOR" "$dir/extra" 1 "$size" --first "$count" >&2
        echo "$stamp" >"$dir/.stamp"
    fi
    write_config "$dir"
}

write_config() {
    cat >"$1/site.yaml" <<'EOF'
title: otasite benchmark
base_url: https://builds.example.com/
builds: builds
output: dist
EOF
}

# The small set: the first BIG_N archives of the scale set (hard links: no extra disk).
make_small_set() {
    local dir="$WORK/small"
    rm -rf "$dir"
    mkdir -p "$dir/builds"
    local files=("$WORK"/scale/builds/*.ipa)
    ln "${files[@]:0:$BIG_N}" "$dir/builds/"
    write_config "$dir"
}

clean_site() { # dir
    rm -rf "$1/dist" "$1/.dist.otasite-cache" "$1"/.dist.staging-* "$1"/.dist.old-* "$1/cp-out"
}

warm() { # dir: read every archive once so all commands start from a warm page cache
    cat "$1"/builds/*.ipa "$1"/extra/*.ipa >/dev/null 2>&1 || true
}

# sha256sum over the set on all cores; batches of about count / (8 P) files per process.
sha_all() { # dir count
    local batch=$(( $2 / (8 * P) ))
    ((batch < 1)) && batch=1
    cd "$1/builds" && find . -name '*.ipa' -print0 | xargs -0 -P"$P" -n"$batch" sha256sum >/dev/null
}
export -f sha_all
export P

# Cold builds against their references, alternating order. Keys: PREFIX.{cp,sha,copy,link}.
bench_cold() { # prefix dir count
    local prefix="$1" dir="$2" count="$3" r
    for r in $(seq "$RUNS"); do
        log "$prefix: cold run $r/$RUNS"
        local pairs=("cp copy" "sha link")
        for pair in "${pairs[@]}"; do
            read -r ref ota <<<"$pair"
            local order=("$ref" "$ota")
            ((r % 2 == 0)) && order=("$ota" "$ref")
            for what in "${order[@]}"; do
                clean_site "$dir"
                case "$what" in
                    cp) timed "$prefix.cp" cp -r "$dir/builds" "$dir/cp-out" ;;
                    sha) timed "$prefix.sha" bash -c "sha_all '$dir' $count" ;;
                    copy) timed "$prefix.copy" "$OTASITE" build -v -c "$dir/site.yaml"
                          cp "$WORK/last.err" "$WORK/$prefix.cold-copy.log" ;;
                    link) timed "$prefix.link" "$OTASITE" build -v -c "$dir/site.yaml" --link
                          cp "$WORK/last.err" "$WORK/$prefix.cold-link.log" ;;
                esac
            done
        done
    done
    clean_site "$dir"
    for k in cp sha copy link; do finish "$prefix.$k"; done
}

# No-op rebuilds of an up-to-date site (copy mode). Key: PREFIX.noop.
bench_noop() { # prefix dir
    local prefix="$1" dir="$2" r
    clean_site "$dir"
    measure "$OTASITE" build -v -c "$dir/site.yaml" >/dev/null
    for r in $(seq "$RUNS"); do
        log "$prefix: no-op rebuild $r/$RUNS"
        timed "$prefix.noop" "$OTASITE" build -v -c "$dir/site.yaml"
    done
    cp "$WORK/last.err" "$WORK/$prefix.noop.log"
    clean_site "$dir"
    finish "$prefix.noop"
}

# No-op rebuilds and one new build added, paired run by run so both see the same machine:
# each run first brings the site back to COUNT builds (untimed; the cache forgets the extra
# archive and its icons), times a no-op rebuild, adds the extra archive and times that build,
# then times a cold build of a site holding only the extra archive. Keys: PREFIX.noop,
# PREFIX.add, PREFIX.one.
bench_noop_add() { # prefix dir
    local prefix="$1" dir="$2" r extra
    extra="$(ls "$dir/extra")"
    local one="$WORK/one"
    rm -rf "$one"
    mkdir -p "$one/builds"
    ln "$dir/extra/$extra" "$one/builds/"
    write_config "$one"
    clean_site "$dir"
    measure "$OTASITE" build -v -c "$dir/site.yaml" >/dev/null
    for r in $(seq "$RUNS"); do
        log "$prefix: no-op rebuild and one new build added $r/$RUNS"
        rm -f "$dir/builds/$extra"
        measure "$OTASITE" build -v -c "$dir/site.yaml" >/dev/null
        timed "$prefix.noop" "$OTASITE" build -v -c "$dir/site.yaml"
        cp "$WORK/last.err" "$WORK/$prefix.noop.log"
        ln "$dir/extra/$extra" "$dir/builds/$extra"
        timed "$prefix.add" "$OTASITE" build -v -c "$dir/site.yaml"
        cp "$WORK/last.err" "$WORK/$prefix.add.log"
        clean_site "$one"
        timed "$prefix.one" "$OTASITE" build -v -c "$one/site.yaml"
    done
    rm -f "$dir/builds/$extra"
    clean_site "$dir"
    clean_site "$one"
    finish "$prefix.noop"
    finish "$prefix.add"
    finish "$prefix.one"
}

# ---------------------------------------------------------------------------------------------
# Inspect against app-info-parser

bench_inspect() {
    local readable=() f
    for f in "$FIXTURES"/*.ipa; do
        "$OTASITE" inspect --json --no-hash "$f" >/dev/null 2>&1 || continue
        node bench/parse-all.js "$f" >/dev/null 2>&1 || continue
        readable+=("$f")
    done
    INSPECT_FILES=${#readable[@]}
    local args=() i
    for i in $(seq "$INSPECT_REPEAT"); do args+=("${readable[@]}"); done
    INSPECT_ARGS=${#args[@]}
    log "inspect: $INSPECT_FILES readable fixtures, each named $INSPECT_REPEAT times"
    for r in $(seq "$RUNS"); do
        local order=(ota node ota1)
        ((r % 2 == 0)) && order=(node ota1 ota)
        for what in "${order[@]}"; do
            case "$what" in
                ota) timed inspect.ota "$OTASITE" inspect --json --no-hash "${args[@]}" ;;
                ota1) timed inspect.ota1 env RAYON_NUM_THREADS=1 "$OTASITE" inspect --json --no-hash "${args[@]}" ;;
                node) timed inspect.node node bench/parse-all.js "${args[@]}" ;;
            esac
        done
    done
    for k in ota ota1 node; do finish "inspect.$k"; done
}


# ---------------------------------------------------------------------------------------------
# Sites of thousands of small archives: per-build costs

# The many set: HUGE_N + 1 archives of MANY_SIZE over MANY_APPS apps; the last is the "one new
# build" of the large site (archive LARGE_N) or of the huge one. Sites link into it.
make_many() {
    local dir="$WORK/many"
    local stamp="$HUGE_N x $MANY_SIZE over $MANY_APPS apps, $(sha256sum examples/bench_archives.rs | cut -c1-16)"
    if [[ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ]]; then
        log "generating many: $((HUGE_N + 1)) archives of $MANY_SIZE"
        rm -rf "$dir"
        mkdir -p "$dir"
        "$GENERATOR" "$dir/all" "$((HUGE_N + 1))" "$MANY_SIZE" --apps "$MANY_APPS" >&2
        echo "$stamp" >"$dir/.stamp"
    fi
}

# link_site NAME COUNT: a site of the first COUNT archives of the many set, with archive COUNT
# kept aside in extra/ as its one new build.
link_site() {
    local dir="$WORK/$1" count="$2"
    rm -rf "$dir"
    mkdir -p "$dir/builds" "$dir/extra"
    (cd "$WORK/many/all" && seq -f 'bench-%05g.ipa' 0 $((count - 1)) | xargs ln -t "$dir/builds/")
    ln "$WORK/many/all/$(printf 'bench-%05d.ipa' "$count")" "$dir/extra/"
    write_config "$dir"
}

# Cold --link builds of a site. Key: PREFIX.coldlink.
bench_cold_link() { # prefix dir
    local prefix="$1" dir="$2" r
    for r in $(seq "$RUNS"); do
        log "$prefix: cold --link build $r/$RUNS"
        clean_site "$dir"
        timed "$prefix.coldlink" "$OTASITE" build -v -c "$dir/site.yaml" --link
        cp "$WORK/last.err" "$WORK/$prefix.cold-link.log"
    done
    finish "$prefix.coldlink"
}

# `otasite serve` on a site, timing the rebuilds that follow replacing one archive with another
# build of the same app (and putting it back), as the server reports them. Key: PREFIX.serve
# (seconds only).
bench_serve() { # prefix dir
    local prefix="$1" dir="$2" r
    local victim="$dir/builds/bench-00000.ipa" keep="$dir/victim.ipa"
    cp "$victim" "$keep"
    clean_site "$dir"
    local err="$WORK/$prefix.serve.log"
    "$OTASITE" serve --port 0 -c "$dir/site.yaml" 2>"$err" >/dev/null &
    local pid=$!
    wait_built() { # count: waits until the server has reported COUNT finished builds
        local i
        for i in $(seq 1200); do
            (($(grep -c '^Built\|Built [0-9]* app' "$err") >= $1)) && return 0
            kill -0 "$pid" 2>/dev/null || { log "serve stopped:"; tail "$err" >&2; exit 1; }
            sleep 0.1
        done
        log "serve did not rebuild in 120 s"; tail "$err" >&2; kill "$pid"; exit 1
    }
    wait_built 1
    local done=1
    for r in $(seq "$RUNS"); do
        log "$prefix: serve rebuild after one archive changed $r/$RUNS"
        # Another build of the same app under the same name; then the original back.
        for source in "$dir/extra/"*.ipa "$keep"; do
            cat "$source" >"$victim"
            done=$((done + 1))
            wait_built "$done"
            local t
            t=$(grep 'Built [0-9]* app' "$err" | tail -1 | grep -o 'in [0-9.]*[mµn]*s$' | awk '{
                v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-zµ]+$/, "", v)
                print (u == "ms" ? v / 1e3 : u == "µs" ? v / 1e6 : u == "ns" ? v / 1e9 : v) }')
            SAMPLES_T[$prefix.serve]+="$t "
        done
    done
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    cp "$keep" "$victim"
    rm -f "$keep"
    RES_T[$prefix.serve]=$(tr ' ' '\n' <<<"${SAMPLES_T[$prefix.serve]}" | grep . | median)
    log "  $prefix.serve: ${SAMPLES_T[$prefix.serve]}s (median ${RES_T[$prefix.serve]} s)"
}

# ---------------------------------------------------------------------------------------------
# Run

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
section io || BIG_N=0
if section scale || ((BIG_N > 0)); then
    make_set scale "$N" "$SIZE_MB"
    SCALE_BYTES=$(du -sb --apparent-size "$WORK/scale/builds" | cut -f1)
fi
if ((BIG_N > 0)); then
    make_set io "$BIG_N" "$BIG_SIZE_MB"
    IO_BYTES=$(du -sb --apparent-size "$WORK/io/builds" | cut -f1)
    make_small_set
fi

if section scale; then
    warm "$WORK/scale"
    bench_cold scale "$WORK/scale" "$N"
    bench_noop_add scale "$WORK/scale"
fi
if section many; then
    make_many
    find "$WORK/many/all" -name '*.ipa' -print0 | xargs -0 cat >/dev/null
    link_site large "$LARGE_N"
    bench_cold_link large "$WORK/large"
    bench_noop_add large "$WORK/large"
    clean_site "$WORK/large"
    link_site huge "$HUGE_N"
    bench_noop huge "$WORK/huge"
    rm -rf "$WORK/huge"
    link_site serve "$SERVE_N"
    bench_serve serve "$WORK/serve"
    clean_site "$WORK/serve"
fi
if ((BIG_N > 0)); then
    warm "$WORK/io"
    bench_cold io "$WORK/io" "$BIG_N"
    bench_noop io "$WORK/io"
    log "small: cold runs"
    for r in $(seq "$RUNS"); do
        clean_site "$WORK/small"
        timed small.copy "$OTASITE" build -v -c "$WORK/small/site.yaml"
    done
    clean_site "$WORK/small"
    finish small.copy
fi
if ((HAVE_NODE)); then
    bench_inspect
fi

# ---------------------------------------------------------------------------------------------
# Report

calc() { awk "BEGIN { print $* }"; }
verdict() { if [[ "$(calc "($1) ? 1 : 0")" == 1 ]]; then echo PASS; else echo FAIL; fi; }
secs() { awk -v t="$1" 'BEGIN { printf (t < 1 ? "%.3f" : "%.2f"), t }'; }
mb() { awk -v m="$1" 'BEGIN { printf "%.1f", m }'; }
gib() { awk -v b="$1" 'BEGIN { printf "%.2f GiB", b / 1073741824 }'; }
# Pulls "(A opened, B hashed, C linked" out of a -v log.
counters() { grep -m1 -o '([0-9]* opened, [0-9]* hashed, [0-9]* linked' "$1" | tr -d '('; }

rss_ok() { verdict "$1 < 100"; }

# row SET MEASUREMENT KEY COMPARED RATIO TARGET RESULT
row() {
    local key="$3"
    echo "| $1 | $2 | $(secs "${RES_T[$key]}") | $(secs "${RES_C[$key]}") | $(mb "${RES_M[$key]}") | $4 | $5 | $6 | $7 |"
}

# The rows of the sites of thousands of small archives.
many_rows() {
    local l="large: $LARGE_N × $MANY_SIZE ($MANY_APPS apps)" h="huge: $HUGE_N × $MANY_SIZE ($MANY_APPS apps)"
    local add_counters ok_counters=0
    row "$l" "cold build (--link)" large.coldlink "" "" "peak RSS < 100 MB" "$(rss_ok "${RES_M[large.coldlink]}")"
    row "$l" "no-op rebuild ($(counters "$WORK/large.noop.log"))" large.noop "" "" "(information)" ""
    add_counters="$(counters "$WORK/large.add.log")"
    [[ "$add_counters" == "1 opened, 1 hashed, $LARGE_N linked" ]] && ok_counters=1
    row "$l" "one new build added ($add_counters)" large.add "a cold build of a site of that one archive: $(secs "${RES_T[large.one]}") s" "" "exactly 1 opened, 1 hashed, $LARGE_N linked; ≤ 0.15 s" "$(verdict "$ok_counters && ${RES_T[large.add]} <= 0.15")"
    row "$h" "no-op rebuild ($(counters "$WORK/huge.noop.log"))" huge.noop "" "" "< 0.5 s" "$(verdict "${RES_T[huge.noop]} < 0.5")"
    echo "| serve: $SERVE_N × $MANY_SIZE ($MANY_APPS apps) | \`serve\` rebuild after one archive is replaced (as the server reports it) | $(secs "${RES_T[serve.serve]}") |  |  |  |  | < 0.2 s | $(verdict "${RES_T[serve.serve]} < 0.2") |"
}

table() {
    local t
    echo "| set | measurement | wall (s) | CPU (s) | peak RSS (MB) | compared with | ratio | target | result |"
    echo "|---|---|---:|---:|---:|---|---:|---|---|"
    if section many; then
        many_rows
    fi
    if section scale; then
        scale_rows
    fi
    io_inspect_rows
}

scale_rows() {
    local t
    local s="scale: $N × $SIZE_MB MiB ($(gib "$SCALE_BYTES"))"
    row "$s" "\`cp -r\` builds/" scale.cp "" "" reference ""
    row "$s" "sha256sum, $P processes" scale.sha "" "" reference ""
    t=$(calc "${RES_T[scale.copy]} / ${RES_T[scale.cp]}")
    row "$s" "cold build (copy)" scale.copy "\`cp -r\`" "$(printf '%.2f' "$t") ×" "RSS < 100 MB (ratio: see io)" "$(rss_ok "${RES_M[scale.copy]}")"
    t=$(calc "${RES_T[scale.link]} / ${RES_T[scale.sha]}")
    row "$s" "cold build (--link)" scale.link "sha256sum × $P" "$(printf '%.2f' "$t") ×" "RSS < 100 MB (ratio: see io)" "$(rss_ok "${RES_M[scale.link]}")"
    t=$(calc "${RES_T[scale.noop]} / ${RES_T[scale.copy]}")
    row "$s" "no-op rebuild ($(counters "$WORK/scale.noop.log"))" scale.noop "cold build (copy)" "$(printf '%.1f' "$(calc "$t * 100")") %" "< 5 % and < 0.3 s; RSS < 100 MB" "$(verdict "$t < 0.05 && ${RES_T[scale.noop]} < 0.3") / $(rss_ok "${RES_M[scale.noop]}")"
    local add_counters ok_counters=0
    add_counters="$(counters "$WORK/scale.add.log")"
    [[ "$add_counters" == "1 opened, 1 hashed, $N linked" ]] && ok_counters=1
    t=$(calc "${RES_T[scale.add]} / ${RES_T[scale.one]}")
    row "$s" "one new build added ($add_counters)" scale.add "a cold build of a site of that one archive: $(secs "${RES_T[scale.one]}") s" "$(printf '%.1f' "$t") ×" "exactly 1 opened, 1 hashed, $N linked; ≤ that cold build + 0.3 s (the no-op budget); RSS < 100 MB" "$(verdict "$ok_counters && ${RES_T[scale.add]} <= ${RES_T[scale.one]} + 0.3") / $(rss_ok "${RES_M[scale.add]}")"
}

io_inspect_rows() {
    local t
    if ((BIG_N > 0)); then
        local i="io: $BIG_N × $BIG_SIZE_MB MiB ($(gib "$IO_BYTES"))"
        row "$i" "\`cp -r\` builds/" io.cp "" "" reference ""
        row "$i" "sha256sum, $P processes" io.sha "" "" reference ""
        t=$(calc "${RES_T[io.copy]} / ${RES_T[io.cp]}")
        row "$i" "cold build (copy)" io.copy "\`cp -r\`" "$(printf '%.2f' "$t") ×" "≤ 1.1 ×" "$(verdict "$t <= 1.1")"
        t=$(calc "${RES_T[io.link]} / ${RES_T[io.sha]}")
        row "$i" "cold build (--link)" io.link "sha256sum × $P" "$(printf '%.2f' "$t") ×" "≤ 1.1 ×" "$(verdict "$t <= 1.1")"
        t=$(calc "${RES_T[io.noop]} / ${RES_T[io.copy]}")
        row "$i" "no-op rebuild ($(counters "$WORK/io.noop.log"))" io.noop "cold build (copy)" "$(printf '%.1f' "$(calc "$t * 100")") %" "< 5 %" "$(verdict "$t < 0.05")"
        local flat
        flat=$(calc "${RES_M[io.copy]} - ${RES_M[small.copy]}")
        row "small: first $BIG_N of scale ($BIG_N × $SIZE_MB MiB)" "cold build (copy)" small.copy "peak RSS of io cold build (copy), archives $((BIG_SIZE_MB / SIZE_MB)) × larger" "+$(mb "$flat") MB" "flat in archive size (≤ +10 MB)" "$(verdict "$flat <= 10")"
    fi
    if ((HAVE_NODE)); then
        local c="inspect: $INSPECT_FILES real fixtures × $INSPECT_REPEAT = $INSPECT_ARGS files"
        local fo fn f1
        fo=$(calc "$INSPECT_ARGS / ${RES_T[inspect.ota]}")
        f1=$(calc "$INSPECT_ARGS / ${RES_T[inspect.ota1]}")
        fn=$(calc "$INSPECT_ARGS / ${RES_T[inspect.node]}")
        row "$c" "node bench/parse-all.js (app-info-parser)" inspect.node "" "$(printf '%.0f' "$fn") files/s" reference ""
        row "$c" "otasite inspect --json --no-hash" inspect.ota "app-info-parser" "$(printf '%.0f' "$fo") files/s = $(printf '%.1f' "$(calc "$fo / $fn")") ×" "≥ 20 ×" "$(verdict "$fo / $fn >= 20")"
        row "$c" "same, RAYON_NUM_THREADS=1 (one core, like node)" inspect.ota1 "app-info-parser" "$(printf '%.0f' "$f1") files/s = $(printf '%.1f' "$(calc "$f1 / $fn")") ×" "(information)" ""
    fi
}

LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
{
    if [[ -n "${BUILT_HERE:-}" ]]; then
        echo "otasite $("$OTASITE" --version | awk '{print $2}') built from $(git rev-parse --short HEAD)$(git diff --quiet -- src Cargo.toml Cargo.lock || echo ' + uncommitted changes in src/'), $(date -u +%Y-%m-%dT%H:%MZ)"
    else
        echo "otasite $("$OTASITE" --version | awk '{print $2}') from $OTASITE${OTASITE_REV:+ (built from $OTASITE_REV)}, $(date -u +%Y-%m-%dT%H:%MZ)"
    fi
    echo "machine: $P × $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GiB RAM", $2 / 1048576}' /proc/meminfo), $(df -T "$WORK" | awk 'NR == 2 {print $2 " on " $1}'), kernel $(uname -r)"
    echo "load average (1, 5, 15 min) before: $LOAD_BEFORE, after: $LOAD_AFTER"
    echo "median of $RUNS runs; page cache warm for every command (archives read once before measuring; nothing dropped); wall = elapsed, CPU = user + system of the process tree"
    echo
    table
} | tee "$WORK/results.md"
log "saved to $WORK/results.md; -v logs of the last runs in $WORK/*.log"
