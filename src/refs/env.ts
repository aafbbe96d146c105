/**
 * The environment references resolve against: the real environment, over an explicit `--dotenv PATH`
 * (which must exist), over a `.env` file beside the config file (optional). The real environment wins so
 * that a CI variable or a shell export always beats a file.
 *
 * Files are parsed with dotenv's `parse` only: it prints nothing (stdout belongs to JSON-RPC in `serve`),
 * expands nothing and does not touch process.env.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import dotenv from 'dotenv';
import { SentinelError } from '../errors.js';

export interface LoadEnvironmentOptions {
  /** The config file; a `.env` beside it is read when present. */
  configPath?: string;
  /** `--dotenv PATH`; must exist. */
  envFile?: string;
  /** The real environment; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

export async function loadEnvironment(options: LoadEnvironmentOptions = {}): Promise<Record<string, string>> {
  const beside = options.configPath
    ? await readEnvFile(join(dirname(resolve(options.configPath)), '.env'), false)
    : {};
  const explicit = options.envFile ? await readEnvFile(resolve(options.envFile), true) : {};
  // A null-prototype map: a variable named "constructor" or "__proto__" is only ever one that was set.
  const merged: Record<string, string> = Object.create(null);
  for (const source of [beside, explicit, options.env ?? process.env]) {
    for (const [name, value] of Object.entries(source)) if (typeof value === 'string') merged[name] = value;
  }
  return merged;
}

async function readEnvFile(path: string, required: boolean): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      if (!required) return {};
      throw new SentinelError('CONFIG_NOT_FOUND', `env file ${path} does not exist`, {
        hint: 'check the --dotenv path, or leave the option out to use only the environment and a .env beside the config',
        file: path,
      });
    }
    throw new SentinelError(
      'CONFIG_UNREADABLE',
      `env file ${path} cannot be read (${code ?? 'unknown error'})`,
      {
        hint: 'check the file permissions',
        file: path,
      },
    );
  }
  // A plain object copy: dotenv's result may carry keys such as "__proto__" as own properties.
  return Object.fromEntries(Object.entries(dotenv.parse(text)));
}
