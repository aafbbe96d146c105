/**
 * What Claude Code needs of a tool list: the same order on every start (its prompt cache and its own
 * tool search depend on it), tools that must never be deferred marked `_meta["anthropic/alwaysLoad"]`,
 * and descriptions within the 2 KB it keeps (it cuts longer ones blindly; we cut at a word and say so).
 */
import type { Tool } from '@modelcontextprotocol/server';

export const ALWAYS_LOAD = 'anthropic/alwaysLoad';
/** Claude Code keeps tool descriptions and server instructions up to 2 KB (v2.1.84). */
export const CLAUDE_CODE_TEXT_BYTES = 2048;

/** `text` cut to at most `maxBytes` of UTF-8, at a word where one is near, ending in "…". */
export function fitBytes(text: string, maxBytes = CLAUDE_CODE_TEXT_BYTES): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const ellipsis = ' …';
  let cut = Buffer.from(text, 'utf8')
    .subarray(0, maxBytes - Buffer.byteLength(ellipsis))
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  const space = cut.lastIndexOf(' ');
  if (space > cut.length - 80) cut = cut.slice(0, space);
  return cut.trimEnd() + ellipsis;
}

/** Marks a tool alwaysLoad, keeping its other `_meta` keys. */
export function markAlwaysLoad(tool: Tool): Tool {
  return { ...tool, _meta: { ...tool._meta, [ALWAYS_LOAD]: true } };
}

/** A tool with its description within Claude Code's limit (the same object when it already fits). */
export function withFittingDescription(tool: Tool): Tool {
  if (tool.description === undefined) return tool;
  const description = fitBytes(tool.description);
  return description === tool.description ? tool : { ...tool, description };
}
