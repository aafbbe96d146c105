#!/bin/sh
# Drives mcp-sentinel with the official MCP Inspector CLI, as a user would, and checks what it prints:
# the demo config's tools are listed under their prefixed names and a call comes back unchanged.
# The Inspector is installed into a throwaway directory (it is large and only needed here).
# On any failure it prints what npm or the Inspector said (stdout and stderr) before exiting non-zero.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

if ! install_log=$(cd "$dir" && npm init -y 2>&1 &&
  npm install --no-audit --no-fund --loglevel=error @modelcontextprotocol/inspector@2.12.0 2>&1); then
  echo "inspector: installing @modelcontextprotocol/inspector failed; npm said:" >&2
  echo "$install_log" >&2
  exit 1
fi
inspector="$dir/node_modules/.bin/mcp-inspector"

# Runs the Inspector CLI against `mcp-sentinel serve` with the demo config; prints its output, and on
# failure reports the exit code with everything it printed.
run_inspector() {
  # --config belongs to the Inspector itself, so the config path travels in MCP_SENTINEL_CONFIG.
  if ! out=$("$inspector" --cli -e MCP_SENTINEL_CONFIG="$root/examples/demo.json" \
    node "$root/bin/mcp-sentinel.js" serve "$@" 2>&1); then
    echo "inspector: mcp-inspector $* failed; it printed:" >&2
    echo "$out" >&2
    return 1
  fi
  printf '%s\n' "$out"
}

list=$(run_inspector --method tools/list)
echo "$list" | grep -q '"name": "everything__echo"' || {
  echo "inspector: everything__echo not listed" >&2
  echo "$list" >&2
  exit 1
}
call=$(run_inspector --method tools/call --tool-name everything__get-sum --tool-arg a=2 b=40)
echo "$call" | grep -q 'The sum of 2 and 40 is 42' || {
  echo "inspector: tools/call gave an unexpected result" >&2
  echo "$call" >&2
  exit 1
}
echo "inspector check ok: tools listed and called through mcp-sentinel"
