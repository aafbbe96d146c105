/**
 * Where the config file is. Order: `--config PATH`, `MCP_SENTINEL_CONFIG`, a search from the working
 * directory up to the home directory (or the root), then the user's global config directory.
 *
 * Desktop hosts start servers in an arbitrary working directory, so for `serve` the README tells users to
 * pass `--config` or keep the file at the global location.
 */
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';

export const MODULE_NAME = 'mcp-sentinel';

/** File names looked for in each directory, in order. JSON and YAML only: a config is never executed. */
export const SEARCH_PLACES = [
  'package.json',
  `.${MODULE_NAME}rc`,
  `.${MODULE_NAME}rc.json`,
  `.${MODULE_NAME}rc.yaml`,
  `.${MODULE_NAME}rc.yml`,
  `${MODULE_NAME}.config.json`,
  `${MODULE_NAME}.config.yaml`,
  `${MODULE_NAME}.config.yml`,
  `.config/${MODULE_NAME}rc`,
  `.config/${MODULE_NAME}rc.json`,
  `.config/${MODULE_NAME}rc.yaml`,
  `.config/${MODULE_NAME}rc.yml`,
];

export const GLOBAL_FILE_NAMES = ['config.json', 'config.yaml', 'config.yml'];

/** The per-user config directory: `$XDG_CONFIG_HOME/mcp-sentinel`, `~/.config/mcp-sentinel`, or `%APPDATA%\mcp-sentinel`. */
export function globalConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, MODULE_NAME);
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, MODULE_NAME);
}

/** The path `init` writes to and the search finds last. */
export function defaultGlobalConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(globalConfigDir(env), 'config.json');
}

/** Directories searched, from `start` up to the home directory (inclusive) or the filesystem root. */
export function searchDirectories(start: string): string[] {
  const stop = resolve(homedir());
  const dirs: string[] = [];
  let current = resolve(start);
  for (;;) {
    dirs.push(current);
    if (current === stop) break;
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return dirs;
}

export function findGlobalConfig(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = globalConfigDir(env);
  return GLOBAL_FILE_NAMES.map((name) => join(dir, name)).find((file) => existsSync(file));
}
