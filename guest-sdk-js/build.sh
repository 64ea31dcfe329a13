#!/bin/sh
# Builds a JavaScript Switchyard policy into a WebAssembly component.
#
# Usage: build.sh POLICY_DIR OUT.wasm
#
# POLICY_DIR holds the policy's `component.js` (the entry that exports the routing-policy
# world) and the modules it imports. Its `*.js`, `*.mjs` and `*.json` files, tests excepted,
# are staged into a temporary directory with the SDK as `switchyard/` (POLICY_DIR's own
# `switchyard/`, a copy or a symlink, if it has one, so the build uses what `node --test`
# tested; otherwise the SDK next to this script) and the WIT as `wit/policy.wit`, then
# componentize-js builds the component.
#
# Environment:
#   SWITCHYARD_COMPONENTIZE_JS  the componentize-js executable (default: `componentize-js` on PATH)
#   SWITCHYARD_WIT              the WIT file (default: ../wit/policy.wit next to this script)
#
# The build disables WASI stdio (as well as http and fetch-event): with stdio, the first
# console output or uncaught exception makes the WASI adapter open its preopens
# (`wasi:filesystem/preopens.get-directories`), which the Switchyard sandbox refuses, so the
# call fails as a sandbox violation instead of a trap. Log with `host.log` instead.
set -eu

usage() {
    echo "usage: $0 POLICY_DIR OUT.wasm" >&2
    exit 2
}

[ "$#" -eq 2 ] || usage
src=$1
out=$2

sdk_dir=$(cd "$(dirname "$0")" && pwd)
wit=${SWITCHYARD_WIT:-$sdk_dir/../wit/policy.wit}

if [ -n "${SWITCHYARD_COMPONENTIZE_JS:-}" ]; then
    componentize=$SWITCHYARD_COMPONENTIZE_JS
elif componentize=$(command -v componentize-js); then
    :
else
    echo "error: componentize-js not found; set SWITCHYARD_COMPONENTIZE_JS to its path" \
        "or put it on PATH (npm install @bytecodealliance/componentize-js)" >&2
    exit 1
fi

# A relative path is relative to where the script was called from, not the staging directory.
case $componentize in
    /*) ;;
    */*) componentize=$(pwd)/$componentize ;;
esac

[ -d "$src" ] || { echo "error: $src is not a directory" >&2; exit 1; }
[ -f "$src/component.js" ] || { echo "error: $src has no component.js (the component entry)" >&2; exit 1; }
[ -f "$wit" ] || { echo "error: WIT file $wit not found; set SWITCHYARD_WIT" >&2; exit 1; }

src=$(cd "$src" && pwd)
out_dir=$(dirname "$out")
mkdir -p "$out_dir"
out=$(cd "$out_dir" && pwd)/$(basename "$out")

stage=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-js-build.XXXXXX")
trap 'rm -rf "$stage"' EXIT
trap 'exit 130' INT TERM

# The policy's own modules, without tests, dependencies, the SDK or the WIT.
(
    cd "$src"
    find . \( -path ./switchyard -o -path ./wit -o -name node_modules -o -name test -o -name '.*' ! -name . \) -prune \
        -o -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.json' \) \
        ! -name '*.test.js' ! -name '*.test.mjs' ! -name 'test-*.js' ! -name '*_test.js' -print
) | while IFS= read -r file; do
    mkdir -p "$stage/$(dirname "$file")"
    cp "$src/$file" "$stage/$file"
done

if [ -e "$src/switchyard" ]; then
    sdk=$src/switchyard
else
    sdk=$sdk_dir/switchyard
fi
mkdir -p "$stage/switchyard" "$stage/wit"
cp -RL "$sdk/." "$stage/switchyard/"
cp "$wit" "$stage/wit/policy.wit"

cd "$stage"
"$componentize" component.js --wit wit/policy.wit --world-name routing-policy \
    --disable stdio http fetch-event --out "$out"
