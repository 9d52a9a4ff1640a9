#!/usr/bin/env bash
# Retakes the command transcripts of README.md and docs/*.md from one run
# of the binary (tests/docs.rs with HASHWATT_DOCS_BLESS=1): every ```console
# block that is run gets this run's output; a block with `...` keeps its
# `...` lines and takes the lines that still match its others. Then runs
# the check again, which fails on any line a person must fix, and shows
# the diff to review before committing it.
set -euo pipefail
cd "$(dirname "$0")/.."
HASHWATT_DOCS_BLESS=1 cargo test --test docs -- --test-threads 1 the_pages_commands_run_as_shown || true
cargo test --test docs
git --no-pager diff --stat -- README.md docs/
