/**
 * Migrating a host file to mcp-sentinel and back. `install` takes out the entries the config also serves
 * (src/install/duplicates.ts); what it took out must come back exactly with `install --remove`, yet no copy
 * of the host file may keep the literal credentials those entries held. So the backup and the migration
 * record hold the original text with each literal replaced by its `${secret:NAME}` reference, and the
 * places of those references; `--remove` writes the values back from the keychain, byte for byte.
 *
 * The record lives in mcp-sentinel's own config directory (`installs/<hash of the host file's path>.json`),
 * mode 0600, and is deleted once the host file is restored.
 */
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SentinelError } from '../errors.js';
import { writeFileSafely } from './host-file.js';
import type { HostId } from '../hosts.js';

export interface Placeholder {
  /** Offset of the reference in the sanitised text. */
  at: number;
  secret: string;
}

export interface SanitizedText {
  text: string;
  placeholders: Placeholder[];
}

export interface MigrationRecord {
  version: 1;
  host: HostId;
  file: string;
  /** The key mcp-sentinel was installed under. */
  name: string;
  /** The host file before install, literals replaced by references. */
  before: SanitizedText;
  /** The host file as install wrote it. */
  after: string;
  /** The host entries install took out. */
  removed: string[];
}

const placeholderFor = (secret: string) => `\${secret:${secret}}`;
/** How a value appears inside a JSON string in the file. */
const encoded = (value: string) => JSON.stringify(value).slice(1, -1);

/** `text` with every occurrence of each secret's value (as written in JSON) replaced by its reference. */
export function sanitizeText(text: string, secrets: Record<string, string>): SanitizedText {
  const spans: { start: number; end: number; secret: string }[] = [];
  const byLength = Object.entries(secrets)
    .filter(([, value]) => value.length >= 4)
    .sort((a, b) => b[1].length - a[1].length);
  for (const [secret, value] of byLength) {
    const needle = encoded(value);
    for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) {
      const end = at + needle.length;
      if (spans.some((s) => at < s.end && end > s.start)) continue;
      spans.push({ start: at, end, secret });
    }
  }
  spans.sort((a, b) => a.start - b.start);
  let out = '';
  let last = 0;
  const placeholders: Placeholder[] = [];
  for (const span of spans) {
    out += text.slice(last, span.start);
    placeholders.push({ at: out.length, secret: span.secret });
    out += placeholderFor(span.secret);
    last = span.end;
  }
  return { text: out + text.slice(last), placeholders };
}

/** The original text again, with each reference replaced by the secret's value. */
export function restoreText(sanitized: SanitizedText, values: Record<string, string>): string {
  let text = sanitized.text;
  const ordered = [...sanitized.placeholders].sort((a, b) => b.at - a.at);
  for (const { at, secret } of ordered) {
    const placeholder = placeholderFor(secret);
    const value = values[secret];
    if (value === undefined || text.slice(at, at + placeholder.length) !== placeholder) {
      throw new SentinelError('HOST_WRITE', `the saved copy of the host file does not match its record`, {
        hint: 'nothing was changed; put the entries back by hand from the backup beside the host file',
      });
    }
    text = text.slice(0, at) + encoded(value) + text.slice(at + placeholder.length);
  }
  return text;
}

export function recordPath(stateDir: string, file: string): string {
  const id = createHash('sha256').update(resolve(file)).digest('hex').slice(0, 16);
  return join(stateDir, 'installs', `${id}.json`);
}

export async function readRecord(stateDir: string, file: string): Promise<MigrationRecord | undefined> {
  let text: string;
  try {
    text = await readFile(recordPath(stateDir, file), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const record = JSON.parse(text) as MigrationRecord;
    return record.version === 1 && record.file === resolve(file) ? record : undefined;
  } catch {
    return undefined;
  }
}

export async function writeRecord(stateDir: string, record: MigrationRecord): Promise<void> {
  await writeFileSafely(recordPath(stateDir, record.file), JSON.stringify(record, null, 2) + '\n', 0o600);
}

export async function deleteRecord(stateDir: string, file: string): Promise<void> {
  await rm(recordPath(stateDir, file), { force: true });
}
