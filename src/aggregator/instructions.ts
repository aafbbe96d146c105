/**
 * The `instructions` of the `initialize` answer: one line about what mcp-sentinel serves, then each
 * backend's own instructions under the public prefix its names carry, so the model knows which tools the
 * advice is about. Prefixes are only mentioned where names have one (`prefix: ""` exports names as they
 * are). The whole text stays within MAX_INSTRUCTIONS_BYTES (Claude Code cuts server instructions at 2 KB):
 * when it does not fit, every backend gets an equal share and long texts are cut with an ellipsis.
 */
import { sanitizeName } from './names.js';

export const MAX_INSTRUCTIONS_BYTES = 2048;

export interface InstructionSource {
  /** The server's key in the config. */
  name: string;
  /** The public prefix of its names ("" for none). */
  prefix: string;
  /** Its own instructions, when it gave any. */
  instructions?: string;
}

const ELLIPSIS = '…';

export function mergeInstructions(
  sources: InstructionSource[],
  separator: string,
  maxBytes = MAX_INSTRUCTIONS_BYTES,
): string {
  const header = headerOf(sources, separator);
  const sections = sources
    .filter((s) => s.instructions?.trim())
    .map((s) => ({ title: titleOf(s, separator), body: s.instructions!.trim() }));
  if (sections.length === 0) return cut(header, maxBytes);

  const render = (bodies: string[]) =>
    [header, ...sections.map((s, i) => `## ${s.title}\n${bodies[i]}`)].join('\n\n');
  const full = render(sections.map((s) => s.body));
  if (bytes(full) <= maxBytes) return full;

  // Shares are handed out smallest first, so that a short text keeps all of its words and leaves the rest
  // of its share to the longer ones.
  const overhead = bytes(render(sections.map(() => ''))) + ELLIPSIS.length * 3 * sections.length;
  let budget = Math.max(0, maxBytes - overhead);
  const bodies: string[] = new Array<string>(sections.length);
  const order = sections.map((s, i) => i).sort((a, b) => bytes(sections[a]!.body) - bytes(sections[b]!.body));
  order.forEach((index, position) => {
    const share = Math.floor(budget / (order.length - position));
    const body = cut(sections[index]!.body, share);
    bodies[index] = body;
    budget -= bytes(body);
  });
  return cut(render(bodies), maxBytes);
}

function headerOf(sources: InstructionSource[], separator: string): string {
  const names = sources.map((s) => s.name);
  const what = `Tools, resources and prompts of ${names.length === 1 ? 'the MCP server' : `${names.length} MCP servers`} ${names.join(', ')}, through mcp-sentinel.`;
  const prefixed = sources.filter((s) => s.prefix !== '');
  if (prefixed.length === 0) return what;
  const list = prefixed.map((s) => `${publicPrefix(s, separator)} (${s.name})`).join(', ');
  const which = prefixed.length === sources.length ? 'Names start with' : 'Names of some servers start with';
  return `${what} ${which} their server's prefix: ${list}.`;
}

function titleOf(source: InstructionSource, separator: string): string {
  if (source.prefix === '') return source.name;
  return `${source.name} (names starting ${publicPrefix(source, separator)})`;
}

function publicPrefix(source: InstructionSource, separator: string): string {
  return sanitizeName(`${source.prefix}${separator}`);
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** `text` within `max` UTF-8 bytes, cut at a character boundary and marked with an ellipsis. */
function cut(text: string, max: number): string {
  if (bytes(text) <= max) return text;
  const room = max - bytes(ELLIPSIS);
  if (room <= 0) return '';
  let out = '';
  let used = 0;
  for (const char of text) {
    used += bytes(char);
    if (used > room) break;
    out += char;
  }
  return out.trimEnd() + ELLIPSIS;
}
