#!/bin/sh
# README's install route from a git URL, checked on this clone's HEAD: `npm pack` of the git URL (npm
# clones it, installs its dependencies and runs the `prepare` build), then a global install of the packed
# CLI into a throw-away prefix. The installed CLI must run. (`npm install -g <git URL>` itself is not the
# route: npm's global install of a git package with a build step links the package to a temporary folder
# that npm then deletes, npm/cli#4148.)
set -e
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
url="git+file://$(pwd)#$(git rev-parse HEAD)"
(cd "$work" && npm pack --silent "$url" >/dev/null)
npm install -g --prefix "$work/prefix" --no-audit --no-fund "$work"/mcp-sentinel-*.tgz >/dev/null 2>&1
version=$("$work/prefix/bin/mcp-sentinel" --version)
echo "git-install-check: mcp-sentinel $version installed from a git URL (npm pack, then npm install -g)"
