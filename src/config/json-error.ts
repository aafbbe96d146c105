/**
 * A JSON config that does not parse, said so a person can fix it: the file, line and column, what is wrong
 * in words, and the offending line with a caret under the spot. The shown line never shows a value that
 * may be a credential (a value of a key that says token, secret, key, password..., or a token-shaped string):
 * those are masked.
 */
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { SentinelError } from '../errors.js';

const WORDS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'a number is malformed',
  PropertyNameExpected: 'expected a key in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":" after the key',
  CommaExpected: 'expected a comma between entries',
  CloseBraceExpected: 'expected "}" to close the object',
  CloseBracketExpected: 'expected "]" to close the array',
  EndOfFileExpected: 'unexpected text after the end of the document',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'a comment is not closed',
  UnexpectedEndOfString: 'a string is not closed (a missing ")',
  UnexpectedEndOfNumber: 'a number is not finished',
  InvalidUnicode: 'a \\u escape is malformed',
  InvalidEscapeCharacter: 'an escape sequence is malformed (write \\\\ for a backslash)',
  InvalidCharacter: 'a control character inside a string (write \\n for a line break)',
};

const SECRET_KEY = /token|secret|passw|api[-_]?key|apikey|auth|credential|cookie|session|pat\b/i;
const TOKEN_SHAPE = /^[A-Za-z0-9_\-.]{20,}$/;

/** The line with every value that may be a credential replaced by "***". */
function maskLine(line: string): string {
  return line.replace(
    /("(?:[^"\\]|\\.)*")(\s*:\s*)"((?:[^"\\]|\\.)*)"/g,
    (whole, key: string, colon: string, value: string) =>
      // As long as the value, so that the caret stays under the right column.
      SECRET_KEY.test(key) || (TOKEN_SHAPE.test(value) && /\d/.test(value))
        ? `${key}${colon}"${'*'.repeat(value.length)}"`
        : whole,
  );
}

/** What is wrong, refined where the cause is common: a trailing comma, a single-quoted string. */
function describe(code: string, text: string, offset: number): string {
  const before = text.slice(0, offset).trimEnd();
  if ((code === 'PropertyNameExpected' || code === 'ValueExpected') && before.endsWith(',')) {
    return 'a comma before the end of an object or array (JSON allows no trailing comma)';
  }
  if (code === 'InvalidSymbol' && text[offset] === "'") return 'strings take double quotes in JSON';
  if (code === 'PropertyNameExpected' && /[A-Za-z_]/.test(text[offset] ?? '')) {
    return 'expected a key in double quotes (keys are quoted in JSON)';
  }
  return WORDS[code] ?? code;
}

/** Undefined when `text` is valid JSON; otherwise the error to throw. */
export function jsonSyntaxError(path: string, text: string): SentinelError | undefined {
  const errors: ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: true });
  const first = errors[0];
  if (!first) return undefined;
  const lines = text.slice(0, first.offset).split('\n');
  const line = lines.length;
  const column = (lines.at(-1)?.length ?? 0) + 1;
  const shown = maskLine((text.split('\n')[line - 1] ?? '').replace(/\r$/, ''));
  const gutter = `${line} | `;
  const what = describe(printParseErrorCode(first.error), text, first.offset);
  return new SentinelError(
    'CONFIG_PARSE',
    `Config file ${path} is not valid JSON: line ${line}, column ${column}`,
    {
      file: path,
      issues: [
        {
          path: '',
          message: `${what}\n    ${gutter}${shown}\n    ${' '.repeat(gutter.length + column - 1)}^`,
        },
      ],
      hint: 'fix the syntax at the line shown',
    },
  );
}
