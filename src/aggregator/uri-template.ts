/**
 * Matching a URI against a backend's resource template (RFC 6570 level 4 syntax), with exactly the
 * semantics of the MCP SDK's `UriTemplate.match`, so that a read is routed to the backend whose SDK
 * would accept the URI. Our own, SDK-free, because the catalog is built on serve's warm start, before
 * the SDK loads; a unit test checks it against the SDK's matcher. The pattern is compiled once.
 */

/** Limits as the SDK has them: a template or URI this long is refused, not matched. */
const MAX_LENGTH = 1_000_000;
const MAX_EXPRESSIONS = 10_000;

const OPERATORS = ['+', '#', '.', '/', '?', '&'];

interface Expression {
  operator: string;
  names: string[];
  exploded: boolean;
}

function checkLength(text: string, what: string): void {
  if (text.length > MAX_LENGTH)
    throw new Error(`${what} exceeds maximum length of ${MAX_LENGTH} characters (got ${text.length})`);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function parseExpression(expression: string): Expression {
  const operator = OPERATORS.find((op) => expression.startsWith(op)) ?? '';
  const names = expression
    .slice(operator.length)
    .split(',')
    .map((name) => name.replace('*', '').trim())
    .filter((name) => name.length > 0);
  for (const name of names) checkLength(name, 'Variable name');
  return { operator, names, exploded: expression.includes('*') };
}

/** The regular expression of one `{...}` expression, as the SDK builds it. */
function expressionPattern({ operator, names, exploded }: Expression): string {
  if (operator === '?' || operator === '&')
    return names.map((name, i) => `${i === 0 ? '\\' + operator : '&'}${escapeRegExp(name)}=([^&]+)`).join('');
  const list = exploded ? '([^/,]+(?:,[^/,]+)*)' : '([^/,]+)';
  if (operator === '') return list;
  if (operator === '+' || operator === '#') return '(.+)';
  if (operator === '.') return '\\.([^/,]+)';
  return '/' + list; // '/'
}

export class UriTemplate {
  private readonly pattern: RegExp;

  /** Throws on a template the SDK would refuse (an unclosed expression, too long, too many expressions). */
  constructor(private readonly template: string) {
    checkLength(template, 'Template');
    let source = '^';
    let expressions = 0;
    for (let i = 0; i < template.length;) {
      if (template[i] !== '{') {
        const next = template.indexOf('{', i);
        const end = next === -1 ? template.length : next;
        source += escapeRegExp(template.slice(i, end));
        i = end;
        continue;
      }
      const end = template.indexOf('}', i);
      if (end === -1) throw new Error('Unclosed template expression');
      if (++expressions > MAX_EXPRESSIONS)
        throw new Error(`Template contains too many expressions (max ${MAX_EXPRESSIONS})`);
      source += expressionPattern(parseExpression(template.slice(i + 1, end)));
      i = end + 1;
    }
    checkLength(source + '$', 'Generated regex pattern');
    this.pattern = new RegExp(source + '$');
  }

  toString(): string {
    return this.template;
  }

  /** Whether `uri` is one this template names. */
  matches(uri: string): boolean {
    if (uri.length > MAX_LENGTH) return false;
    return this.pattern.test(uri);
  }
}
