#!/bin/sh
# The project's test command (`npm test`): build, then run the whole suite. When gnome-keyring is installed
# the suite runs inside a private, throwaway Secret Service so the keychain tests use a real one; without it
# they are skipped locally (CI installs it, and there they never skip).
set -e
cd "$(dirname "$0")/.."
npm run --silent build
if command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1; then
  exec sh scripts/with-keyring.sh npx vitest run "$@"
fi
echo "test: gnome-keyring is not installed, so the keychain tests are skipped (apt-get install dbus gnome-keyring libsecret-tools)" >&2
exec npx vitest run "$@"
