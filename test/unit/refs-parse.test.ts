import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SentinelError } from '../../src/errors.js';
import {
  escapeValue,
  listReferences,
  parseValue,
  tryParseValue,
  type Segment,
} from '../../src/refs/parse.js';

const text = (t: string): Segment => ({ kind: 'text', text: t });
const env = (name: string, fallback?: string): Segment =>
  fallback === undefined ? { kind: 'env', name } : { kind: 'env', name, fallback };
const secret = (name: string): Segment => ({ kind: 'secret', name });

describe('parseValue: valid syntax', () => {
  const cases: [string, Segment[]][] = [
    ['', []],
    ['plain text', [text('plain text')]],
    ['$HOME', [env('HOME')]],
    ['${HOME}', [env('HOME')]],
    ['_x9', [text('_x9')]],
    ['$_x9/bin', [env('_x9'), text('/bin')]],
    ['a$HOME.b', [text('a'), env('HOME'), text('.b')]],
    ['${A}${B}', [env('A'), env('B')]],
    ['$A$B', [env('A'), env('B')]],
    ['${PORT:-8080}', [env('PORT', '8080')]],
    ['${PORT:-}', [env('PORT', '')]],
    ['${URL:-http://x:1/a-b}', [env('URL', 'http://x:1/a-b')]],
    ['${A:-cost $$5}', [env('A', 'cost $5')]],
    ['${A:-:-}', [env('A', ':-')]],
    ['${secret:-x}', [env('secret', 'x')]],
    ['${secret}', [env('secret')]],
    ['secret:github-pat', [secret('github-pat')]],
    ['secret:a.b_c-9', [secret('a.b_c-9')]],
    ['secret:' + 'x'.repeat(128), [secret('x'.repeat(128))]],
    ['Bearer ${secret:github-pat}', [text('Bearer '), secret('github-pat')]],
    ['${secret:A}:${secret:b}', [secret('A'), text(':'), secret('b')]],
    ['$$', [text('$')]],
    ['$$HOME', [text('$HOME')]],
    ['$${HOME}', [text('${HOME}')]],
    ['$$$HOME', [text('$'), env('HOME')]],
    ['cost $5', [text('cost $5')]],
    ['a$', [text('a$')]],
    ['$', [text('$')]],
    ['$-x $. $/', [text('$-x $. $/')]],
    ['$(rm -rf /)', [text('$(rm -rf /)')]],
    ['`id`', [text('`id`')]],
    ['x secret:abc', [text('x secret:abc')]],
    ['SECRET:abc', [text('SECRET:abc')]],
    ['{HOME}', [text('{HOME}')]],
    ['}', [text('}')]],
  ];
  it.each(cases)('%j', (input, segments) => {
    expect(parseValue(input).segments).toEqual(segments);
  });
});

describe('parseValue: syntax errors', () => {
  const cases: [string, RegExp][] = [
    ['${HOME', /unterminated \$\{ at position 1/],
    ['abc ${', /unterminated \$\{ at position 5/],
    ['${}', /empty \$\{\} at position 1/],
    ['${1A}', /invalid reference/],
    ['${A B}', /invalid reference/],
    ['${A-default}', /invalid reference/],
    ['${A:+alt}', /invalid reference/],
    ['${A:=x}', /invalid reference/],
    ['${:-x}', /invalid reference/],
    ['${$A}', /invalid reference/],
    ['${secret:}', /\$\{secret:\} without a name/],
    ['${secret:bad name}', /invalid secret name in \$\{secret:\.\.\.\}/],
    ['${secret:-bad}x${secret:.x}', /invalid secret name/],
    ['${secret:' + 'x'.repeat(129) + '}', /invalid secret name/],
    ['${A:-$B}', /cannot contain a reference/],
    ['${A:-${B}', /cannot contain a reference/],
    ['secret:', /secret: reference without a name/],
    ['secret:bad name', /invalid secret name after secret:/],
    ['secret:-x', /invalid secret name after secret:/],
    ['secret:a/b', /invalid secret name after secret:/],
  ];
  it.each(cases)('%j', (input, message) => {
    let caught: unknown;
    try {
      parseValue(input, 'mcpServers.x.url');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SentinelError);
    const error = caught as SentinelError;
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(message);
    expect(error.message.startsWith('mcpServers.x.url: ')).toBe(true);
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe('mcpServers.x.url');
    expect(error.hint).toBeTruthy();
  });

  it('never echoes the text around a syntax error (it may be a literal token)', () => {
    const result = tryParseValue('ghp_abcdefSECRET ${oops', 'p');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(JSON.stringify(result.issue)).not.toContain('ghp_abcdefSECRET');
    const bad = tryParseValue('${secret:ghp_abcdef SECRET}', 'p');
    if (!bad.ok) expect(JSON.stringify(bad.issue)).not.toContain('ghp_abcdef');
    expect(bad.ok).toBe(false);
  });

  it('reports a non-string as an issue rather than crashing', () => {
    expect(tryParseValue(42 as unknown as string, 'p')).toEqual({
      ok: false,
      issue: { path: 'p', message: 'expected a string' },
    });
  });
});

describe('listReferences', () => {
  it('lists env and secret references in order, with fallbacks marked', () => {
    expect(listReferences('${A:-x} $B ${secret:s1} $$C')).toEqual([
      { kind: 'env', name: 'A', hasFallback: true },
      { kind: 'env', name: 'B', hasFallback: false },
      { kind: 'secret', name: 's1' },
    ]);
    expect(listReferences('secret:tok')).toEqual([{ kind: 'secret', name: 'tok' }]);
    expect(listReferences('no refs')).toEqual([]);
  });
});

describe('properties', () => {
  it('never throws anything but a SentinelError, on any string', () => {
    const alphabet = fc.constantFrom(
      '$',
      '{',
      '}',
      ':',
      '-',
      'secret:',
      'A',
      '_',
      '1',
      ' ',
      '.',
      '(',
      ')',
      '\n',
      'é',
    );
    const tricky = fc.array(alphabet, { maxLength: 30 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), tricky), (input) => {
        try {
          parseValue(input);
        } catch (error) {
          if (!(error instanceof SentinelError) || error.code !== 'CONFIG_INVALID') throw error;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('text without "$" or a leading "secret:" comes back unchanged as one text segment', () => {
    const noRefs = fc.string({ unit: 'binary' }).filter((s) => !s.includes('$') && !s.startsWith('secret:'));
    fc.assert(
      fc.property(noRefs, (input) => {
        expect(parseValue(input).segments).toEqual(input === '' ? [] : [text(input)]);
      }),
      { numRuns: 300 },
    );
  });

  it('escaped text ($ doubled) parses back to itself, references and all', () => {
    const withDollars = fc
      .array(
        fc.oneof(fc.string(), fc.constantFrom('$', '${A}', '$HOME', '${secret:x}', '${', '$$', '$(id)')),
        { maxLength: 8 },
      )
      .map((parts) => parts.join(''))
      .filter((s) => !s.startsWith('secret:'));
    fc.assert(
      fc.property(withDollars, (input) => {
        const segments = parseValue(escapeValue(input)).segments;
        expect(segments).toEqual(input === '' ? [] : [text(input)]);
      }),
      { numRuns: 300 },
    );
  });

  it('substituted references are only names: text segments concatenated with names is the input minus the syntax', () => {
    // Single pass: a reference's name is exactly the characters between its delimiters, never rescanned.
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/), fc.string(), (name, tail) => {
        const safeTail = escapeValue(tail);
        const segments = parseValue(`\${${name}}${safeTail}`).segments;
        expect(segments[0]).toEqual(env(name));
        expect(segments.slice(1)).toEqual(tail === '' ? [] : [text(tail)]);
      }),
      { numRuns: 500 },
    );
  });
});
