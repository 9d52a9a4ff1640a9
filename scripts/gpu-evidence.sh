#!/usr/bin/env bash
# The GPU evidence set: on a machine with a GPU, prove the shaders right,
# tune, bench three times with energy (and once more with NVML's sampled
# power on NVIDIA), compare the runs and scale the result to the plant.
# Everything lands in results/<gpu-name>/: JSON, the human tables, plots
# and the exact commands.
#
#   scripts/gpu-evidence.sh [DEVICE]
#
# DEVICE is any `--device` value (index or name substring); the default is
# the best adapter. Settings, all optional, from the environment:
#   HASHWATT           the binary (default: target/release/hashwatt, built if missing)
#   EVIDENCE_ROOT      where the folder is made (default: results)
#   EVIDENCE_SECONDS   seconds of each bench (default: 30)
#   EVIDENCE_TUNE_SECONDS  seconds per tuning setting (default: 2)
#   EVIDENCE_WATTS     watts to state when the device has no power sensor
#                      (reported as stated, never as measured)
#
# Evidence is never destroyed:
# - every setting is checked before anything runs (the device by a search
#   of 64 nonces on it), so a bad one is refused up front, not after the
#   verify and tune runs;
# - the steps run in a folder of their own under EVIDENCE_ROOT; when a step
#   fails, the script stops and keeps that folder, with every finished
#   step's output and the failed step's name in FAILED.txt;
# - a finished set is moved to a name that nothing holds yet
#   (results/<gpu>, else results/<gpu>-<UTC time>, else with -2, -3, ...),
#   claimed with mkdir, so it never lands inside an earlier set.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
    echo "gpu-evidence: $*" >&2
    exit 2
}

# A positive decimal number no larger than $2, named $3 in the message.
check_number() {
    local value=$1 most=$2 name=$3
    [[ $value =~ ^[0-9]+(\.[0-9]+)?$|^\.[0-9]+$ ]] ||
        fail "$name must be a positive number of seconds or watts, got '${value//[^[:print:]]/?}'"
    awk -v v="$value" -v m="$most" 'BEGIN { exit !(v > 0 && v <= m) }' ||
        fail "$name must be above 0 and at most $most, got $value"
}

# --- Every setting checked before anything runs -----------------------
root=${EVIDENCE_ROOT:-results}
seconds=${EVIDENCE_SECONDS:-30}
tune_seconds=${EVIDENCE_TUNE_SECONDS:-2}
[ $# -le 1 ] || fail "takes at most one argument, the device; got $#"
device=()
if [ $# -ge 1 ]; then
    [ -n "$1" ] || fail "the device is empty; give an index or a name from 'hashwatt devices'"
    [[ $1 != *[[:cntrl:]]* ]] || fail "the device holds control characters"
    device=(--device "$1")
fi
# Any name a folder can have except control characters (a newline or an
# escape sequence would garble every message that names it). The steps
# name their files relative to the set's folder, so no other character
# can be misread.
[[ $root != *[[:cntrl:]]* ]] ||
    fail "EVIDENCE_ROOT holds control characters: '${root//[[:cntrl:]]/?}'"
if [ -e "$root" ] && [ ! -d "$root" ]; then
    fail "EVIDENCE_ROOT $root exists and is not a folder"
fi
check_number "$seconds" 86400 EVIDENCE_SECONDS
check_number "$tune_seconds" 600 EVIDENCE_TUNE_SECONDS
watts=()
if [ -n "${EVIDENCE_WATTS:-}" ]; then
    check_number "$EVIDENCE_WATTS" 1000000 EVIDENCE_WATTS
    watts=(--watts "$EVIDENCE_WATTS")
fi

bin=${HASHWATT:-target/release/hashwatt}
if [ -z "${HASHWATT:-}" ] && [ ! -x "$bin" ]; then
    cargo build --release --locked
fi
[ -x "$bin" ] || fail "HASHWATT $bin is not an executable file"
# Absolute, as every step runs inside the set's folder.
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

# The device: resolved and run once, on 64 nonces, exactly as the steps
# will resolve it (an unknown device is exit 3 here, not after verify).
"$bin" search --header 0 --count 64 "${device[@]}" --json >/dev/null ||
    fail "the device ${1:-(default)} cannot run a search (above); nothing was run"

# --- The steps, each kept as it finishes -------------------------------
mkdir -p -- "$root"
root=$(cd -- "$root" && pwd)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
work=""
work=$(mktemp -d "$root/unfinished-$stamp.XXXXXX")
step=setup
# On a failure, the finished steps stay where they are, and say so.
on_exit() {
    local status=$?
    if [ "$status" -ne 0 ] && [ -d "$work" ]; then
        echo "step '$step' failed (exit $status); the finished steps are kept" >"$work/FAILED.txt"
        echo "gpu-evidence: step '$step' failed (exit $status); the finished steps are kept in $work" >&2
    fi
}
trap on_exit EXIT
cd "$work"

# Runs hashwatt inside the set's folder (file names are relative, so the
# tables and the command list hold the names the folder keeps), keeping
# the command line and what it printed.
run() {
    step=$1
    shift
    echo "hashwatt $*" >>commands.txt
    echo "+ hashwatt $*" >&2
    "$bin" "$@" >"$step.txt"
}

run devices devices --json
mv devices.txt devices.json
run verify verify "${device[@]}" --json
mv verify.txt verify.json
run tune tune "${device[@]}" --seconds "$tune_seconds"
for i in 1 2 3; do
    run "bench-$i" bench "${device[@]}" --duration "$seconds" "${watts[@]}" \
        --json "bench-$i.json" --plot "bench-$i.svg"
done
benches=(bench-[123].json)
if grep -q '^    "name": "NVIDIA' bench-1.json; then
    run bench-nvml-power bench "${device[@]}" --duration "$seconds" --nvml-power \
        --json bench-nvml-power.json
    benches+=(bench-nvml-power.json)
fi
run compare compare "${benches[@]}" --json compare.json
if grep -q '"energy": {' bench-1.json; then
    run estimate estimate --from bench-1.json --plot site.svg --json estimate.json
else
    echo "no energy was measured or stated: no site estimate (set EVIDENCE_WATTS to state one)" \
        >estimate.txt
fi

# --- The finished set, under a name nothing holds ----------------------
step=place
cd "$root"
# The folder is named after the device that ran: lower case, dashes.
name=$(sed -n 's/^    "name": "\(.*\)",$/\1/p' "$work/bench-1.json" | head -n 1)
slug=$(printf '%s' "${name:-device}" | tr 'A-Z' 'a-z' | tr -cs 'a-z0-9' '-' | sed 's/^-//; s/-$//')
slug=${slug:-device}
dest=""
for candidate in "$slug" "$slug-$stamp" $(seq -f "$slug-$stamp-%g" 2 99); do
    # mkdir claims the name (it fails on anything there, a dangling link
    # too); the rename then replaces the empty folder just made.
    if mkdir "$candidate" 2>/dev/null; then
        dest=$candidate
        break
    fi
done
[ -n "$dest" ] || { echo "no free name for $slug under $root" >&2; exit 4; }
mv -T "$work" "$dest"
work=""
echo "evidence written to $root/$dest" >&2
ls "$dest" >&2
