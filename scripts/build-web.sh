#!/usr/bin/env bash
# Builds the browser page into web/dist/: the hashwatt-web crate for
# wasm32-unknown-unknown (release), wasm-bindgen's `--target web` glue, and
# the static files (index.html, style.css, app.js). Installs what is
# missing: the wasm32 target (rustup) and wasm-bindgen-cli of exactly the
# version Cargo.lock resolves for the wasm-bindgen crate, into target/tools.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$version" ]; then
    echo "build-web: no wasm-bindgen in Cargo.lock" >&2
    exit 1
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
fi

tools=target/tools
bindgen="$tools/bin/wasm-bindgen"
if ! [ -x "$bindgen" ] || [ "$("$bindgen" --version | awk '{print $2}')" != "$version" ]; then
    echo "build-web: installing wasm-bindgen-cli $version into $tools" >&2
    # --locked first (the versions its authors tested); where one of them
    # is no longer in the registry, the newest compatible ones. --debug:
    # the unoptimised tool builds in about a minute instead of about nine on
    # 2 vCPUs, takes about a second on this page's module, and writes the
    # same bytes as the optimised one (compared with cmp).
    cargo install wasm-bindgen-cli --version "=$version" --root "$tools" --debug --locked ||
        cargo install wasm-bindgen-cli --version "=$version" --root "$tools" --debug
fi

cargo build --target wasm32-unknown-unknown -p hashwatt-web --release
dist=web/dist
rm -rf "$dist"
mkdir -p "$dist/pkg"
"$bindgen" --target web --no-typescript --out-dir "$dist/pkg" \
    target/wasm32-unknown-unknown/release/hashwatt_web.wasm
cp web/index.html web/style.css web/app.js "$dist/"
echo "build-web: $dist ($(du -sh "$dist" | cut -f1)):" >&2
find "$dist" -type f -printf '  %p %s bytes\n' | sort >&2
