/**
 * A config file holding literal credentials (an env, header, auth, args or URL query value that is not a
 * reference) is a leak waiting to happen when other users can read it. Warns then, with the `secrets set`
 * command and the reference to write instead; reports names and key paths only.
 */
import { stat } from 'node:fs/promises';
import type { SentinelConfig } from '../config/types.js';
import { findLiteralCredentials } from '../refs/credentials.js';
import type { ConfigSection } from './report.js';

export async function checkConfigCredentials(
  path: string,
  config: SentinelConfig,
): Promise<ConfigSection['credentials']> {
  const found = findLiteralCredentials(config.mcpServers as Record<string, unknown>);
  const findings = found.map(({ path: at, secretName, replacement }) => ({
    path: at,
    secretName,
    replacement,
  }));
  if (found.length === 0)
    return { status: 'ok', reason: 'no literal credentials: every credential is a reference', findings };
  const first = found[0]!;
  const move = `mcp-sentinel secrets set ${first.secretName}, then write "${first.replacement}" in ${first.path}${first.note ? ` (${first.note})` : ''}`;
  const what = `${found.length} literal credential${found.length === 1 ? '' : 's'} (${found.map((f) => f.path).join(', ')})`;
  if (process.platform === 'win32') {
    return { status: 'warn', reason: `the config holds ${what}`, hint: move, findings };
  }
  const mode = (await stat(path)).mode & 0o777;
  const readable = (mode & 0o044) !== 0;
  if (readable) {
    return {
      status: 'warn',
      reason: `the config holds ${what} and other users can read it (mode ${mode.toString(8).padStart(3, '0')})`,
      hint: `${move}; or at least: chmod 600 ${path}`,
      findings,
    };
  }
  return {
    status: 'ok',
    reason: `the config holds ${what}, readable only by you; the keychain is safer`,
    hint: move,
    findings,
  };
}
