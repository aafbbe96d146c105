/**
 * The stderr-only logger. In `serve`, stdout belongs to JSON-RPC, so nothing here ever writes to it.
 *
 * Every line passes through the redactor: any value registered with `redactSecret` (resolved secrets,
 * OAuth tokens) is replaced by `[redacted]` before it is written, as a last line of defence behind the
 * rule that messages are built from names, never values.
 */
import { chalkStderr as chalk } from 'chalk';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Registered values (and their JSON-escaped forms) with how many registrations hold each. */
const secrets = new Map<string, number>();
/** `secrets`' keys, longest first, so that a secret containing another is replaced whole; rebuilt lazily. */
let ordered: string[] | undefined;
let level: LogLevel = parseLevel(process.env.MCP_SENTINEL_LOG_LEVEL) ?? 'info';
let sink: (line: string) => void = (line) => process.stderr.write(line + '\n');

function parseLevel(value: string | undefined): LogLevel | undefined {
  return value && Object.hasOwn(LEVEL_RANK, value) ? (value as LogLevel) : undefined;
}

function hold(form: string): void {
  secrets.set(form, (secrets.get(form) ?? 0) + 1);
  ordered = undefined;
}

function release(form: string): void {
  const count = secrets.get(form);
  if (count === undefined) return;
  if (count > 1) secrets.set(form, count - 1);
  else secrets.delete(form);
  ordered = undefined;
}

/**
 * Registers a value that must never appear in output, in its plain and its JSON-escaped form (so that
 * `--json` output cannot show a value containing `"` or `\`). Short values are ignored: they would mask
 * words. Returns a function that takes the registration back (for a token that was replaced); a value
 * registered several times stays redacted until every registration is taken back.
 */
export function redactSecret(value: string): () => void {
  if (typeof value !== 'string' || value.length < 4) return () => undefined;
  const forms = [...new Set([value, JSON.stringify(value).slice(1, -1)])];
  for (const form of forms) hold(form);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    for (const form of forms) release(form);
  };
}

export function redact(text: string): string {
  if (secrets.size === 0) return text;
  ordered ??= [...secrets.keys()].sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of ordered) {
    if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/**
 * `text` redacted, then cut to `max` characters. Redacting first matters: a cut through a secret leaves a
 * piece the redactor no longer recognises. A cut can still end inside a secret that starts before it (the
 * text was already shortened upstream, or the secret is longer than what is left): such a tail goes too.
 */
export function clip(text: string, max: number, marker = `… (${text.length} chars)`): string {
  const clean = redact(text);
  if (clean.length <= max) return clean;
  let cut = clean.slice(0, max);
  ordered ??= [...secrets.keys()].sort((a, b) => b.length - a.length);
  for (const secret of ordered) cut = dropSecretPrefixTail(cut, secret);
  return `${cut}${marker}`;
}

/** `text` without a tail that is the beginning of `secret` (four characters or more). */
function dropSecretPrefixTail(text: string, secret: string): string {
  const from = Math.max(0, text.length - secret.length + 1);
  for (
    let at = text.indexOf(secret.slice(0, 4), from);
    at !== -1;
    at = text.indexOf(secret.slice(0, 4), at + 1)
  ) {
    if (secret.startsWith(text.slice(at))) return `${text.slice(0, at)}[redacted]`;
  }
  return text;
}

/**
 * JSON text with every registered secret redacted from every string (and key) in it. The text is only
 * parsed again when a secret was found, so a message without one costs a few substring searches; the
 * re-encoding keeps the structure intact whatever characters a secret contains.
 */
export function redactJson(text: string): string {
  if (secrets.size === 0 || redact(text) === text) return text;
  const value: unknown = JSON.parse(text);
  const root = { value };
  const stack: Record<string, unknown>[] = [root];
  while (stack.length > 0) {
    const holder = stack.pop()!;
    for (const key of Object.keys(holder)) {
      const item = holder[key];
      const clean = redact(key);
      if (clean !== key) delete holder[key];
      // defineProperty, not assignment: a key such as "__proto__" must stay a plain own property.
      if (clean !== key || typeof item === 'string')
        Object.defineProperty(holder, clean, {
          value: typeof item === 'string' ? redact(item) : item,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      if (item !== null && typeof item === 'object') stack.push(item as Record<string, unknown>);
    }
  }
  return JSON.stringify(root.value);
}

/** Whether any value is registered with the redactor (a cheap test before redacting a message). */
export function hasSecrets(): boolean {
  return secrets.size > 0;
}

export function setLogLevel(next: LogLevel): void {
  level = next;
}

export function getLogLevel(): LogLevel {
  return level;
}

/** Tests and the CLI's log-file option replace where lines go; the default is stderr. */
export function setLogSink(next: (line: string) => void): void {
  sink = next;
}

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  child(scope: string): Logger;
}

function write(at: LogLevel, scope: string | undefined, message: string): void {
  if (LEVEL_RANK[at] < LEVEL_RANK[level]) return;
  const tag = at === 'error' ? chalk.red('error') : at === 'warn' ? chalk.yellow('warn') : chalk.dim(at);
  const where = scope ? chalk.cyan(`[${scope}]`) + ' ' : '';
  sink(redact(`${chalk.dim('mcp-sentinel')} ${tag} ${where}${message}`));
}

export function createLogger(scope?: string): Logger {
  return {
    debug: (m) => write('debug', scope, m),
    info: (m) => write('info', scope, m),
    warn: (m) => write('warn', scope, m),
    error: (m) => write('error', scope, m),
    child: (sub) => createLogger(scope ? `${scope}:${sub}` : sub),
  };
}

export const log = createLogger();
