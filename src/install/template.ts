/**
 * Reading a config value as a template over a literal value: `Bearer ${secret:github-pat}` matches the
 * host's `Bearer ghp_abc` and gives `github-pat = ghp_abc`. Used where a host entry and a config entry must
 * be recognised as the same server (install's migration, doctor's duplicate check) and where a literal
 * must be cut out of a host value into the keychain (init's credential move). Pure: nothing is looked up.
 *
 * Environment references match any text (their value is not known here); secret references capture theirs.
 */
import { tryParseValue } from '../refs/parse.js';

export interface TemplateMatch {
  /** The text each secret reference stands for in the literal value. */
  secrets: Record<string, string>;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Whether `literal` is what `template` (a value in mcp-sentinel's reference syntax) could mean, and what its
 * secrets would be. Undefined when it cannot match, or when `template` does not parse.
 */
export function matchTemplate(template: string, literal: string): TemplateMatch | undefined {
  const parsed = tryParseValue(template);
  if (!parsed.ok) return undefined;
  const names: string[] = [];
  let source = '';
  for (const segment of parsed.value.segments) {
    if (segment.kind === 'text') source += escapeRegExp(segment.text);
    else if (segment.kind === 'env') source += '[\\s\\S]*?';
    else {
      const seen = names.indexOf(segment.name);
      if (seen === -1) {
        names.push(segment.name);
        source += '([\\s\\S]+?)';
      } else {
        source += `\\${seen + 1}`;
      }
    }
  }
  const match = new RegExp(`^${source}$`).exec(literal);
  if (!match) return undefined;
  const secrets: Record<string, string> = {};
  names.forEach((name, index) => (secrets[name] = match[index + 1]!));
  return { secrets };
}

/** The literal text of a value without references ("$$" read as "$"); undefined when it has references. */
export function literalText(value: string): string | undefined {
  const parsed = tryParseValue(value);
  if (!parsed.ok) return undefined;
  let text = '';
  for (const segment of parsed.value.segments) {
    if (segment.kind !== 'text') return undefined;
    text += segment.text;
  }
  return text;
}
