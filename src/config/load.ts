/**
 * Loading: find the file, parse it (JSON or YAML through cosmiconfig, never JS), validate it, and fill in
 * defaults. Every problem is reported at once in one SentinelError; nothing here resolves references.
 */
import type { CosmiconfigResult } from 'cosmiconfig';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { SentinelError } from '../errors.js';
import {
  MODULE_NAME,
  SEARCH_PLACES,
  findGlobalConfig,
  searchDirectories,
  defaultGlobalConfigPath,
} from './locate.js';
import { checkConfig } from './validate.js';
import { DEFAULT_SETTINGS, type SentinelConfig, type Settings } from './types.js';

export interface LoadOptions {
  /** `--config PATH` */
  config?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface LoadedConfig {
  /** Absolute path of the file that was read. */
  path: string;
  config: SentinelConfig;
  settings: Settings;
}

const ALLOWED_EXTENSIONS = new Set(['', '.json', '.yaml', '.yml']);
const SKIPPED_SEARCH_ERRORS = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EISDIR']);
/** cosmiconfig names the file in the first line of a parse error: "JSON Error in /path/file:". */
const FOUND_IN = /^(?:JSON|YAML) Error in (.+):\s*$/m;

/** Loaded on first use: serve's usual start (a JSON file that parses, readPlainJson) needs neither. */
async function createExplorer() {
  const [{ cosmiconfig, defaultLoaders }, { jsonSyntaxError }] = await Promise.all([
    import('cosmiconfig'),
    import('./json-error.js'),
  ]);
  /** JSON with our own syntax errors (file, line, column, the line and a caret), then cosmiconfig's loader. */
  const loadJson = (filepath: string, content: string): unknown => {
    const error = jsonSyntaxError(filepath, content);
    if (error) throw error;
    return defaultLoaders['.json'](filepath, content);
  };
  return cosmiconfig(MODULE_NAME, {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: 'none',
    cache: false,
    loaders: {
      '.json': loadJson,
      '.yaml': defaultLoaders['.yaml'],
      '.yml': defaultLoaders['.yml'],
      noExt: defaultLoaders['.yaml'],
    },
  });
}

/** The path that would be used, or undefined when there is none. Does not read the file. */
export async function locateConfig(options: LoadOptions = {}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const explicit = options.config ?? env.MCP_SENTINEL_CONFIG;
  if (explicit) return resolve(options.cwd ?? process.cwd(), explicit);
  const explorer = await createExplorer();
  for (const dir of searchDirectories(options.cwd ?? process.cwd())) {
    let found: CosmiconfigResult;
    try {
      found = await explorer.search(dir);
    } catch (error) {
      // A directory we may not read is skipped; a config file that is there but broken is an error, never
      // a silent fall-back to another config.
      if (SKIPPED_SEARCH_ERRORS.has((error as NodeJS.ErrnoException).code ?? '')) continue;
      if (error instanceof SentinelError) throw error;
      throw parseError(FOUND_IN.exec((error as Error).message)?.[1] ?? dir, error);
    }
    if (found && !found.isEmpty) return found.filepath;
  }
  return findGlobalConfig(env);
}

async function readConfigFile(path: string): Promise<CosmiconfigResult> {
  const ext = extname(path).toLowerCase();
  if (!ALLOWED_EXTENSIONS.has(ext)) {
    throw new SentinelError('CONFIG_UNREADABLE', `Config file ${path} is not JSON or YAML`, {
      file: path,
      hint: 'mcp-sentinel reads .json, .yaml and .yml files only; a config is never executed as code',
    });
  }
  if (ext === '.json') {
    const plain = await readPlainJson(path);
    if (plain) return plain;
  }
  try {
    return await (await createExplorer()).load(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new SentinelError('CONFIG_NOT_FOUND', `Config file ${path} does not exist`, {
        file: path,
        hint: 'check the path, or run `mcp-sentinel init` to write a starter config',
      });
    }
    if (code === 'EISDIR') {
      const inside = join(path, 'config.json');
      throw new SentinelError('CONFIG_UNREADABLE', `Config path ${path} is a directory, not a file`, {
        file: path,
        hint: existsSync(inside)
          ? `pass the file itself: --config ${inside}`
          : 'pass the config file itself, e.g. --config ~/.config/mcp-sentinel/config.json',
      });
    }
    if (code === 'EACCES') {
      throw new SentinelError('CONFIG_UNREADABLE', `Config file ${path} cannot be read (${code})`, {
        file: path,
      });
    }
    throw parseError(path, error);
  }
}

/**
 * A .json file that is there and parses as JSON, read without cosmiconfig: what cosmiconfig's loader would
 * return for it. Anything else (missing, empty, not valid JSON) is undefined and takes cosmiconfig's path,
 * with its errors.
 */
async function readPlainJson(path: string): Promise<CosmiconfigResult | undefined> {
  try {
    const text = await readFile(path, 'utf8');
    return text.trim() ? { config: JSON.parse(text) as unknown, filepath: path } : undefined;
  } catch {
    return undefined;
  }
}

function parseError(path: string, error: unknown): SentinelError {
  if (error instanceof SentinelError) return error;
  const ext = extname(path).toLowerCase();
  return new SentinelError(
    'CONFIG_PARSE',
    `Config file ${path} is not valid ${ext === '.json' ? 'JSON' : 'JSON or YAML'}`,
    {
      file: path,
      issues: [{ path: '', message: excerpt((error as Error).message) }],
      hint: 'fix the syntax at the line shown',
    },
  );
}

/** The first four lines of a parser's message: where it failed, with the line and a caret. */
function excerpt(text: string): string {
  return text.split('\n').slice(0, 4).join('\n').trim();
}

export function applyDefaults(config: SentinelConfig): Settings {
  const given = config.settings ?? {};
  return {
    ...DEFAULT_SETTINGS,
    ...given,
    restart: { ...DEFAULT_SETTINGS.restart, ...given.restart },
  };
}

/** Finds, reads and validates the config. Throws a SentinelError listing every problem. */
export async function loadConfig(options: LoadOptions = {}): Promise<LoadedConfig> {
  const path = await locateConfig(options);
  if (!path) {
    throw new SentinelError('CONFIG_NOT_FOUND', 'No mcp-sentinel config file was found', {
      hint: `pass --config PATH, set MCP_SENTINEL_CONFIG, or run \`mcp-sentinel init\` to write ${defaultGlobalConfigPath(options.env)}`,
    });
  }
  const result = await readConfigFile(path);
  const { config, issues } = checkConfig(result?.config);
  if (!config) {
    throw new SentinelError(
      'CONFIG_INVALID',
      `Config file ${path} has ${issues.length} problem${issues.length === 1 ? '' : 's'}`,
      {
        file: path,
        issues,
        hint: 'fix the keys listed above; the schema is in schemas/config.schema.json',
      },
    );
  }
  return { path, config, settings: applyDefaults(config) };
}
