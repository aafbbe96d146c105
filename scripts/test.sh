#!/bin/sh
# The project's test command (`npm test`): build, then run the whole suite. When a private Secret Service
# can be made (the tools scripts/with-keyring.sh needs are installed), the suite runs inside one so the
# keychain tests use a real keyring; without them they are skipped locally (CI installs them, and there
# they never skip).
set -e
cd "$(dirname "$0")/.."
npm run --silent build
# The tools scripts/with-keyring.sh checks for, and secret-tool, which the keychain tests call.
missing=
for tool in dbus-run-session dbus-daemon dbus-send gnome-keyring-daemon secret-tool; do
  command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -z "$missing" ]; then
  exec sh scripts/with-keyring.sh npx vitest run "$@"
fi
echo "test: the keychain tests are skipped: not installed:$missing" >&2
echo "test: to run them, install the packages dbus, gnome-keyring and libsecret-tools" >&2
echo "test: (Debian/Ubuntu: apt-get install -y --no-install-recommends dbus gnome-keyring libsecret-tools)" >&2
exec npx vitest run "$@"
