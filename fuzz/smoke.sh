#!/usr/bin/env bash
# A short fuzzing run of each target (default 60 s each), seeded with real
# headers. Needs a nightly toolchain and cargo-fuzz:
#   rustup toolchain install nightly && cargo install cargo-fuzz
# Usage: fuzz/smoke.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"

mkdir -p fuzz/corpus/header_arg fuzz/corpus/headers_file fuzz/corpus/estimate_from
# Seeds: real headers, heights, and a piece of the real header fixture.
python3 - <<'PY'
import json, pathlib
headers = json.load(open("data/headers-curated.json"))
arg = pathlib.Path("fuzz/corpus/header_arg")
for i, h in enumerate(headers[:16]):
    (arg / f"hex-{i}").write_text(h["header"])
    (arg / f"height-{i}").write_text(str(h["height"] if h["height"] is not None else "genesis"))
lines = open("tests/data/mainnet-headers-5000.txt").read().splitlines()
pathlib.Path("fuzz/corpus/headers_file/fixture").write_text("\n".join(lines[:12]) + "\n")
bench = {"schema": "hashwatt.bench/1", "device": {"name": "llvmpipe", "backend": "vulkan"},
         "energy": {"meter": "stated", "measured": False, "avg_watts": 50.0,
                    "hashes_per_joule": 1e5, "joules_per_terahash": 1e7}}
pathlib.Path("fuzz/corpus/estimate_from/bench1").write_text(json.dumps(bench))
bench["schema"] = "hashwatt.bench/2"
pathlib.Path("fuzz/corpus/estimate_from/bench2").write_text(json.dumps(bench))
PY

for target in header_arg headers_file estimate_from; do
    echo "== $target, ${seconds} s"
    cargo +nightly fuzz run "$target" -- -max_total_time="$seconds" -max_len=4096 2>&1 | tail -n 4
done
