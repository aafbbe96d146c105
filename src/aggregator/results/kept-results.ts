/**
 * Results larger than the host takes (settings.maxResultTokens, or the host's default: Claude Code stops at
 * 25,000 tokens and cuts blindly) are not cut: the whole result is kept for the session as the resource
 * `sentinel://results/<id>`, and the host gets its head plus a `resource_link` to it, with a sentence
 * saying so. Reading the resource returns every part of the result as it was.
 *
 * Only `content` is measured and replaced (text and embedded text resources); `structuredContent`, `_meta`
 * and `isError` pass unchanged, so that a tool with an output schema still validates. Kept results are
 * bounded in total size: the oldest go first, and reading one that went says so.
 */
import { randomUUID } from 'node:crypto';
import type { OwnRegistry } from '../own-tools.js';
import { measureLongText, surelyWithin } from '../surface/tokens.js';
import { forgetSpan } from '../../json-splice.js';

export const RESULTS_URI = 'sentinel://results/';
/** The most kept results may hold in all (characters of text and base64), before the oldest go. */
const MAX_KEPT_CHARS = 64 * 1024 * 1024;
/** The head shown in place of the result: half the limit, and never past Claude Code's warning (10,000). */
const headTokens = (limit: number) => Math.min(Math.floor(limit / 2), 8_000);

type Result = Record<string, unknown>;
type Part = Record<string, unknown> & { type?: string };

export class KeptResults {
  private readonly kept = new Map<string, { result: Result; chars: number; tool: string }>();
  private keptChars = 0;

  constructor(own: OwnRegistry) {
    own.defineResource({
      matches: (uri) => uri.startsWith(RESULTS_URI),
      read: async (uri) => this.read(uri),
    });
  }

  /** The result as the host should get it: itself when within `limit` tokens, else head + resource_link. */
  fit(tool: string, result: Result, limit: number | undefined): Result | Promise<Result> {
    if (limit === undefined || !Array.isArray(result.content)) return result;
    const text = textOf(result.content as Part[]);
    if (surelyWithin(text, limit)) return result;
    return this.fitCounted(tool, result, text, limit);
  }

  private async fitCounted(tool: string, result: Result, text: string, limit: number): Promise<Result> {
    const measured = await measureLongText(text, limit, headTokens(limit));
    if (measured.within) return result;
    const id = randomUUID();
    const uri = `${RESULTS_URI}${id}`;
    this.keep(id, tool, result);
    const head = text.slice(0, measured.headChars);
    const note =
      `\n\n[mcp-sentinel: this result is larger than ${limit.toLocaleString('en-US')} tokens ` +
      `(${text.length.toLocaleString('en-US')} characters of text), so only its beginning is shown above. ` +
      `The whole result is kept as the resource ${uri}: read it to get all of it.]`;
    const { content: _content, ...rest } = result;
    return {
      ...rest,
      content: [
        { type: 'text', text: head + note },
        {
          type: 'resource_link',
          uri,
          name: `result-${id}`,
          title: `The whole result of ${tool}`,
          mimeType: 'text/plain',
        },
      ],
    };
  }

  private keep(id: string, tool: string, result: Result): void {
    forgetSpan(result); // kept for the session: not its line of text too (json-splice.ts)
    const chars = sizeOf(result.content as Part[]);
    this.kept.set(id, { result, chars, tool });
    this.keptChars += chars;
    for (const [oldId, entry] of this.kept) {
      if (this.keptChars <= MAX_KEPT_CHARS || oldId === id) break;
      this.kept.delete(oldId);
      this.keptChars -= entry.chars;
    }
  }

  private read(uri: string): Result {
    const entry = this.kept.get(uri.slice(RESULTS_URI.length));
    if (!entry) {
      throw Object.assign(
        new Error(`Resource not found: ${uri} (kept results last for the session, the oldest go first)`),
        { code: -32002 },
      );
    }
    return { contents: (entry.result.content as Part[]).map((part) => asContents(uri, part)) };
  }
}

/** Every text of the content: text parts and embedded text resources. */
function textOf(content: Part[]): string {
  return content
    .map((part) => {
      if (part.type === 'text' && typeof part.text === 'string') return part.text;
      const resource = part.resource as { text?: unknown } | undefined;
      if (part.type === 'resource' && typeof resource?.text === 'string') return resource.text;
      return '';
    })
    .join('\n');
}

function sizeOf(content: Part[]): number {
  return content.reduce((sum, part) => sum + JSON.stringify(part).length, 0);
}

/** One content part as resource contents, nothing left out. */
function asContents(uri: string, part: Part): Record<string, unknown> {
  switch (part.type) {
    case 'text':
      return { uri, mimeType: 'text/plain', text: part.text };
    case 'image':
    case 'audio':
      return { uri, mimeType: part.mimeType, blob: part.data };
    case 'resource':
      return part.resource as Record<string, unknown>;
    default:
      return { uri, mimeType: 'application/json', text: JSON.stringify(part) };
  }
}
