#!/bin/sh
# Runs a command against a real, private, unlocked Secret Service (gnome-keyring), for tests and CI:
#
#   sh scripts/with-keyring.sh npx vitest run test/keychain
#
# The command gets its own D-Bus session bus and a keyring kept in a fresh temp dir (XDG_DATA_HOME and
# XDG_RUNTIME_DIR point there), so the developer's real keyring is never read or written. The exit code
# of the command is the exit code of this script; the temp dir and the daemons are gone afterwards.
#
# Needs dbus-run-session, dbus-send (Debian/Ubuntu package "dbus") and gnome-keyring-daemon ("gnome-keyring");
# secret-tool ("libsecret-tools") is handy for looking at what was stored.
# The command sees MCP_SENTINEL_TEST_KEYRING=1, which the keychain tests require outside CI.
# Knob: KEYRING_PASSWORD (default: a fixed test password; the keyring is thrown away anyway).
set -u

me=with-keyring.sh

if [ -z "${MCP_SENTINEL_KEYRING_DIR:-}" ]; then
  # Outer half: check the tools, make the temp dir, start the private bus and run the inner half in it.
  if [ $# -eq 0 ]; then
    echo "usage: sh scripts/$me COMMAND [ARG...]" >&2
    exit 2
  fi
  missing=
  for tool in dbus-run-session dbus-daemon dbus-send gnome-keyring-daemon; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
  done
  if [ -n "$missing" ]; then
    echo "$me: not installed:$missing" >&2
    echo "$me: on Debian/Ubuntu run: apt-get install -y --no-install-recommends dbus gnome-keyring libsecret-tools" >&2
    exit 1
  fi

  dir=$(mktemp -d "${TMPDIR:-/tmp}/mcp-sentinel-keyring.XXXXXX") || exit 1
  chmod 700 "$dir"
  trap 'rm -rf "$dir"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  # dbus-daemon complains on stderr ("Failed to set fd limit", "Activating service"); keep that in the log.
  daemon=$(command -v dbus-daemon)
  printf '#!/bin/sh\nexec "%s" "$@" 2>>"%s/dbus.log"\n' "$daemon" "$dir" >"$dir/dbus-daemon"
  chmod 700 "$dir/dbus-daemon"

  MCP_SENTINEL_KEYRING_DIR=$dir dbus-run-session --dbus-daemon="$dir/dbus-daemon" -- sh "$0" "$@"
  exit $?
fi

# Inner half: we are on the private bus. Unlock a brand-new login keyring and wait for the service.
dir=$MCP_SENTINEL_KEYRING_DIR
unset MCP_SENTINEL_KEYRING_DIR
export XDG_DATA_HOME="$dir/data" XDG_RUNTIME_DIR="$dir/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"

# --unlock prints GNOME_KEYRING_CONTROL=... on stdout, which must not reach the command's output.
printf %s "${KEYRING_PASSWORD:-mcp-sentinel-test}" |
  gnome-keyring-daemon --unlock --components=secrets >>"$dir/keyring.log" 2>&1

tries=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
  org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; do
  tries=$((tries + 1))
  if [ "$tries" -ge 50 ]; then
    echo "$me: the Secret Service did not appear on the bus within 5 s; gnome-keyring said:" >&2
    cat "$dir/keyring.log" >&2
    exit 1
  fi
  sleep 0.1
done

# The keychain tests run only against this private keyring (or in CI), never a desktop one.
export MCP_SENTINEL_TEST_KEYRING=1
exec "$@"
