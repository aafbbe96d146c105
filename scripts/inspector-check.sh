#!/bin/sh
# Drives mcp-sentinel with the official MCP Inspector CLI, as a user would, and checks what it prints:
# the demo config's tools are listed under their prefixed names and a call comes back unchanged.
# The Inspector is installed into a throwaway directory (it is large and only needed here).
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
(cd "$dir" && npm init -y >/dev/null 2>&1 && npm install --no-audit --no-fund --loglevel=error @modelcontextprotocol/inspector@2.12.0 >/dev/null 2>&1)
inspector="$dir/node_modules/.bin/mcp-inspector"
# --config belongs to the Inspector itself, so the config path travels in MCP_SENTINEL_CONFIG.
list=$("$inspector" --cli -e MCP_SENTINEL_CONFIG="$root/examples/demo.json" node "$root/bin/mcp-sentinel.js" serve --method tools/list 2>/dev/null)
echo "$list" | grep -q '"name": "everything__echo"' || { echo "inspector: everything__echo not listed" >&2; echo "$list" >&2; exit 1; }
call=$("$inspector" --cli -e MCP_SENTINEL_CONFIG="$root/examples/demo.json" node "$root/bin/mcp-sentinel.js" serve \
  --method tools/call --tool-name everything__get-sum --tool-arg a=2 b=40 2>/dev/null)
echo "$call" | grep -q 'The sum of 2 and 40 is 42' || { echo "inspector: tools/call gave an unexpected result" >&2; echo "$call" >&2; exit 1; }
echo "inspector check ok: tools listed and called through mcp-sentinel"
