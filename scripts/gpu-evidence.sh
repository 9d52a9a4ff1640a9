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
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${HASHWATT:-target/release/hashwatt}
if [ ! -x "$bin" ]; then
    cargo build --release --locked
fi
root=${EVIDENCE_ROOT:-results}
seconds=${EVIDENCE_SECONDS:-30}
tune_seconds=${EVIDENCE_TUNE_SECONDS:-2}
device=()
[ $# -ge 1 ] && device=(--device "$1")
watts=()
[ -n "${EVIDENCE_WATTS:-}" ] && watts=(--watts "$EVIDENCE_WATTS")

mkdir -p "$root"
work=$(mktemp -d "$root/.evidence.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Runs hashwatt, keeping the command line and what it printed.
run() {
    local name=$1
    shift
    echo "hashwatt $*" >>"$work/commands.txt"
    echo "+ hashwatt $*" >&2
    "$bin" "$@" >"$work/$name.txt"
}

run devices devices --json
mv "$work/devices.txt" "$work/devices.json"
run verify verify "${device[@]}" --json
mv "$work/verify.txt" "$work/verify.json"
run tune tune "${device[@]}" --seconds "$tune_seconds"
for i in 1 2 3; do
    run "bench-$i" bench "${device[@]}" --duration "$seconds" "${watts[@]}" \
        --json "$work/bench-$i.json" --plot "$work/bench-$i.svg"
done
benches=("$work"/bench-[123].json)
if grep -q '^    "name": "NVIDIA' "$work/bench-1.json"; then
    run bench-nvml-power bench "${device[@]}" --duration "$seconds" --nvml-power \
        --json "$work/bench-nvml-power.json"
    benches+=("$work/bench-nvml-power.json")
fi
run compare compare "${benches[@]}" --json "$work/compare.json"
if grep -q '"energy": {' "$work/bench-1.json"; then
    run estimate estimate --from "$work/bench-1.json" --plot "$work/site.svg" \
        --json "$work/estimate.json"
else
    echo "no energy was measured or stated: no site estimate (set EVIDENCE_WATTS to state one)" \
        >"$work/estimate.txt"
fi

# The folder is named after the device that ran: lower case, dashes.
name=$(sed -n 's/^    "name": "\(.*\)",$/\1/p' "$work/bench-1.json" | head -n 1)
slug=$(printf '%s' "${name:-device}" | tr 'A-Z' 'a-z' | tr -cs 'a-z0-9' '-' | sed 's/^-//; s/-$//')
dest="$root/$slug"
[ -e "$dest" ] && dest="$dest-$(date -u +%Y%m%dT%H%M%SZ)"
# The tables and the command list name the work folder: name the final one.
# (The JSON documents stay exactly as hashwatt wrote them.)
sed -i "s|$work|$dest|g" "$work"/*.txt
mv "$work" "$dest"
trap - EXIT
echo "evidence written to $dest" >&2
ls "$dest" >&2
