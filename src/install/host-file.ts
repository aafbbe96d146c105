/**
 * Reading and editing a host's JSON config file without disturbing it: the text is parsed with
 * jsonc-parser, and changes are applied as minimal edits (`modify` + `applyEdits`), so every other entry,
 * unknown key, comment, key order and indentation stays as it was. A file that does not parse is refused
 * and never written. Writing makes a timestamped backup first (never over an earlier one), then replaces the
 * file atomically. A backup may be given its own text: a migration's backup holds references in place of the
 * literal credentials it took out (src/install/migrate.ts).
 */
import { constants, existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  applyEdits,
  findNodeAtLocation,
  modify,
  parse,
  parseTree,
  printParseErrorCode,
  type ParseError,
} from 'jsonc-parser';
import writeFileAtomic from 'write-file-atomic';
import { SentinelError } from '../errors.js';

export interface HostFile {
  path: string;
  /** The file's text; "" when it does not exist yet. */
  text: string;
  exists: boolean;
  /** The parsed document ({} for a new file). */
  data: Record<string, unknown>;
}

export interface ReadOptions {
  allowComments: boolean;
  /** The key the servers live under, checked to be an object when present. */
  serversKey: string;
}

/** Line and column (1-based) of a character offset, for error messages. */
function position(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

export async function readHostFile(path: string, options: ReadOptions): Promise<HostFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { path, text: '', exists: false, data: {} };
    throw new SentinelError(
      'HOST_CONFIG',
      `host config ${path} cannot be read (${code ?? 'unknown error'})`,
      {
        file: path,
        hint: 'check the file permissions, or pass another file with --host-config PATH',
      },
    );
  }
  if (text.trim() === '') return { path, text, exists: true, data: {} };
  const errors: ParseError[] = [];
  const data: unknown = parse(text, errors, {
    disallowComments: !options.allowComments,
    allowTrailingComma: options.allowComments,
  });
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new SentinelError(
      'HOST_CONFIG',
      `host config ${path} is not valid JSON (${printParseErrorCode(first.error)} at ${position(text, first.offset)})`,
      {
        file: path,
        hint: 'fix the file by hand (the host cannot read it either); it was not changed',
      },
    );
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new SentinelError('HOST_CONFIG', `host config ${path} is not a JSON object`, {
      file: path,
      hint: 'fix the file by hand; it was not changed',
    });
  }
  const servers = (data as Record<string, unknown>)[options.serversKey];
  if (servers !== undefined && (servers === null || typeof servers !== 'object' || Array.isArray(servers))) {
    throw new SentinelError(
      'HOST_CONFIG',
      `"${options.serversKey}" in host config ${path} is not an object`,
      {
        file: path,
        hint: 'fix the file by hand; it was not changed',
      },
    );
  }
  return { path, text, exists: true, data: data as Record<string, unknown> };
}

/** The indentation the file already uses (default two spaces). */
function detectIndent(text: string): { insertSpaces: boolean; tabSize: number } {
  const match = /^([ \t]+)\S/m.exec(text);
  if (!match) return { insertSpaces: true, tabSize: 2 };
  const indent = match[1]!;
  return indent.startsWith('\t')
    ? { insertSpaces: false, tabSize: 1 }
    : { insertSpaces: true, tabSize: indent.length };
}

/** `value` as indented JSON whose continuation lines start at `indent`. */
function pretty(value: unknown, indent: string, unit: string, eol: string): string {
  return JSON.stringify(value, null, unit)
    .split('\n')
    .join(eol + indent);
}

/**
 * Inserts a new property after the last one of its object, on its own line with the siblings'
 * indentation. jsonc-parser's own formatting would reformat the whole line of the previous sibling (a
 * one-line entry becomes many), so this common case is done by hand. Undefined when it does not apply.
 */
function insertAfterLastSibling(
  text: string,
  path: (string | number)[],
  value: unknown,
  unit: string,
  eol: string,
): string | undefined {
  const parentPath = path.slice(0, -1);
  const key = path.at(-1);
  if (typeof key !== 'string') return undefined;
  const root = parseTree(text);
  const parent = root && (parentPath.length ? findNodeAtLocation(root, parentPath) : root);
  if (!parent || parent.type !== 'object' || !parent.children?.length) return undefined;
  if (parent.children.some((property) => property.children?.[0]?.value === key)) return undefined;
  const last = parent.children.at(-1)!;
  const lineStart = text.lastIndexOf('\n', last.offset - 1) + 1;
  const indent = text.slice(lineStart, last.offset);
  if (!/^[ \t]*$/.test(indent)) return undefined; // an inline object: let the formatter decide
  const at = last.offset + last.length;
  const insertion = `,${eol}${indent}${JSON.stringify(key)}: ${pretty(value, indent, unit, eol)}`;
  return text.slice(0, at) + insertion + text.slice(at);
}

/**
 * Cuts a property that sits on lines of its own (the usual layout) out with those lines, and the comma
 * before it when it was the last one (unless the file ends objects with a comma), so that no line is left
 * joined to another. Undefined when it does not
 * apply (an inline object).
 */
function removeWholeLines(text: string, path: (string | number)[]): string | undefined {
  const root = parseTree(text);
  const property = root && findNodeAtLocation(root, path)?.parent;
  const parent = property?.parent;
  if (!property || property.type !== 'property' || !parent?.children) return undefined;
  const lineStart = text.lastIndexOf('\n', property.offset - 1) + 1;
  if (!/^[ \t]*$/.test(text.slice(lineStart, property.offset))) return undefined;
  const rest = /^[ \t]*,?[ \t]*(\r?\n)/.exec(text.slice(property.offset + property.length));
  if (!rest) return undefined;
  const index = parent.children.indexOf(property);
  const isLast = index === parent.children.length - 1;
  let out = text.slice(0, lineStart) + text.slice(property.offset + property.length + rest[0].length);
  if (isLast && index > 0 && !rest[0].includes(',')) {
    // The previous property now ends the object: its comma goes.
    const previous = parent.children[index - 1]!;
    const end = previous.offset + previous.length;
    const comma = /^[ \t]*,/.exec(out.slice(end));
    if (comma) out = out.slice(0, end) + out.slice(end + comma[0].length);
  }
  return out;
}

/** The text with `value` set at `path` (or removed, for undefined), changing nothing else. */
export function editJson(text: string, path: (string | number)[], value: unknown): string {
  const base = text.trim() === '' ? '{}\n' : text;
  const eol = base.includes('\r\n') ? '\r\n' : '\n';
  const indent = detectIndent(base);
  const unit = indent.insertSpaces ? ' '.repeat(indent.tabSize) : '\t';
  let out: string;
  if (value === undefined) {
    // Removal needs no formatting: the property and its separator are cut out (whole lines when it has them).
    out = removeWholeLines(base, path) ?? applyEdits(base, modify(base, path, undefined, {}));
  } else {
    out =
      insertAfterLastSibling(base, path, value, unit, eol) ??
      applyEdits(base, modify(base, path, value, { formattingOptions: { ...indent, eol } }));
  }
  return out.endsWith(eol) ? out : out + eol;
}

let backupCounter = 0;

/**
 * A dated copy beside the file, e.g. `mcp.json.2026-11-23.bak`; undefined for a new file. One backup per file
 * per day is enough: when the day's backup exists it is kept (it holds the oldest state of the day) and its
 * path returned. A backup given its own text (a migration's, with references in place of credentials) is
 * always written, beside the day's one if that exists. A backup never replaces an existing file.
 */
export async function backupFile(path: string, now = new Date(), text?: string): Promise<string | undefined> {
  const day = now.toISOString().slice(0, 10);
  const daily = `${path}.${day}.bak`;
  if (text === undefined && existsSync(daily)) return daily;
  for (let attempt = 0; ; attempt++) {
    const backup = attempt === 0 ? daily : `${path}.${day}-${++backupCounter}.bak`;
    try {
      if (text === undefined) await copyFile(path, backup, constants.COPYFILE_EXCL);
      else await writeFile(backup, text, { flag: 'wx', mode: 0o600 });
      return backup;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && attempt < 1000) continue;
      if (code === 'ENOENT') return undefined;
      throw new SentinelError('HOST_WRITE', `could not back up ${path} (${code ?? 'error'})`, {
        file: path,
        hint: 'nothing was changed; check the directory permissions',
      });
    }
  }
}

/** Writes atomically (temp file + rename), creating the directory if needed, keeping an existing file's mode. */
export async function writeFileSafely(path: string, text: string, mode?: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, text, mode === undefined ? { encoding: 'utf8' } : { encoding: 'utf8', mode });
}
