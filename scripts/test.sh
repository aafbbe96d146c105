#!/bin/sh
# The project's test command (`npm test`): build (unless nothing the build reads changed since the last
# one), then run the whole suite. When a private Secret Service can be made (the tools
# scripts/with-keyring.sh needs are installed), the suite runs inside one so the keychain tests use a real
# keyring; without them they are skipped locally (CI installs them, and there they never skip).
set -e
cd "$(dirname "$0")/.."
# tsc's incremental build parses every file even when nothing changed (2-3 s before the first test starts),
# so a build whose inputs are all older than the last one is skipped. A deleted file changes its folder's
# time, so it is seen too.
stamp=dist/.tsbuildinfo
if [ ! -f "$stamp" ] || [ ! -f dist/config/config-validator.cjs ] || [ ! -f dist/bundle/main.cjs ] ||
  [ -n "$(find src schemas scripts/build-validator.mjs scripts/bundle.mjs tsconfig.json tsconfig.build.json package.json \
    package-lock.json -newer "$stamp" -print 2>/dev/null | head -n 1)" ]; then
  started=$(mktemp)
  npm run --silent build
  # The time the build started: a file saved while it ran is newer, and the next run builds again.
  touch -r "$started" "$stamp"
  rm -f "$started"
fi
# Node reads the certificates NODE_EXTRA_CA_CERTS names at every start (a system bundle costs ~30 ms of CPU
# each time), the suite starts ~750 Node processes, and none of them reaches past 127.0.0.1. The setting is
# kept under another name for the one step that may reach the npm registry through a proxy: the conformance
# suite's first install (test/integration/auth-conformance.test.ts).
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then
  export SENTINEL_TEST_EXTRA_CA_CERTS="$NODE_EXTRA_CA_CERTS"
  unset NODE_EXTRA_CA_CERTS
fi
# vitest directly: npx would start one more Node and npm first.
vitest="node_modules/vitest/vitest.mjs"
# The tools scripts/with-keyring.sh checks for, and secret-tool, which the keychain tests call.
missing=
for tool in dbus-run-session dbus-daemon dbus-send gnome-keyring-daemon secret-tool; do
  command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -z "$missing" ]; then
  exec sh scripts/with-keyring.sh node "$vitest" run "$@"
fi
echo "test: the keychain tests are skipped: not installed:$missing" >&2
echo "test: to run them, install the packages dbus, gnome-keyring and libsecret-tools" >&2
echo "test: (Debian/Ubuntu: apt-get install -y --no-install-recommends dbus gnome-keyring libsecret-tools)" >&2
exec node "$vitest" run "$@"
