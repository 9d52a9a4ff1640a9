#!/usr/bin/env bash
# A short fuzzing run of each target (default 60 s each), seeded with real
# headers. Needs a nightly toolchain and cargo-fuzz:
#   rustup toolchain install nightly && cargo install cargo-fuzz
# Usage: fuzz/smoke.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"

mkdir -p fuzz/corpus/header_arg fuzz/corpus/headers_file fuzz/corpus/tuning_cache fuzz/corpus/arguments fuzz/corpus/estimate_from
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
entry = {
    "device": {"name": "llvmpipe (LLVM 15.0.6, 256 bits)", "backend": "vulkan", "type": "cpu", "driver": "llvmpipe"},
    "hashwatt_version": "0.1.0",
    "kernel": {"variant": "fast", "workgroup_size": 256, "nonces_per_invocation": 4},
    "batch_ms": 250, "hashes_per_second": 12345678.0, "tuned_at": "2026-01-01T00:00:00Z",
}
cache = pathlib.Path("fuzz/corpus/tuning_cache")
(cache / "good").write_text(json.dumps({"schema": "hashwatt.tuning/1", "entries": [entry]}))
bad = dict(entry, kernel={"variant": "reference", "workgroup_size": 64, "nonces_per_invocation": 4})
(cache / "reference-4").write_text(json.dumps({"schema": "hashwatt.tuning/1", "entries": [entry, bad]}))
arguments = pathlib.Path("fuzz/corpus/arguments")
for i, text in enumerate(["-5", "1e400", "18446744073709551616", "+12", "inf", "\x1b[2J", "\ufeff7"]):
    (arguments / f"seed-{i}").write_text(text)
bench = {"schema": "hashwatt.bench/1", "device": {"name": "llvmpipe", "backend": "vulkan"},
         "energy": {"meter": "stated", "measured": False, "avg_watts": 50.0,
                    "hashes_per_joule": 1e5, "joules_per_terahash": 1e7}}
pathlib.Path("fuzz/corpus/estimate_from/bench1").write_text(json.dumps(bench))
bench["schema"] = "hashwatt.bench/2"
pathlib.Path("fuzz/corpus/estimate_from/bench2").write_text(json.dumps(bench))
PY

for target in header_arg headers_file tuning_cache arguments estimate_from; do
    echo "== $target, ${seconds} s"
    cargo +nightly fuzz run "$target" -- -max_total_time="$seconds" -max_len=4096 2>&1 | tail -n 4
done
