/**
 * The header value rule, as a property: accepted exactly when Node's own validator accepts it, it has no
 * leading or trailing whitespace, it is not empty and not longer than the cap. Plus the Bearer challenge
 * parser used by discovery.
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { headerNameProblem, headerValueProblem, MAX_HEADER_VALUE_LENGTH } from '../../src/auth/headers.js';
import { resourceMetadataFromChallenge } from '../../src/auth/oauth2/discovery.js';

function nodeAccepts(check: () => void): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

const headerish = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom('a', ' ', '\t', '\r', '\n', '\0', '\x01', '\x7f', 'é', 'ʊ', ':', 'Z'),
    maxLength: 12,
  }),
);

describe('header value rule', () => {
  it('agrees with http.validateHeaderValue plus the whitespace, empty and length rules', () => {
    fc.assert(
      fc.property(headerish, (value) => {
        const expected =
          value.length > 0 &&
          value.length <= MAX_HEADER_VALUE_LENGTH &&
          !/^[ \t]|[ \t]$/.test(value) &&
          nodeAccepts(() => validateHeaderValue('x', value));
        expect(headerValueProblem(value) === undefined).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('never quotes the value in its explanation', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 6 }).map((s) => `SECRET${s}`),
        (value) => {
          const problem = headerValueProblem(`${value}\n`);
          expect(problem).toBeDefined();
          expect(problem).not.toContain('SECRET');
        },
      ),
    );
  });

  it('refuses values longer than the cap', () => {
    expect(headerValueProblem('x'.repeat(MAX_HEADER_VALUE_LENGTH))).toBeUndefined();
    expect(headerValueProblem('x'.repeat(MAX_HEADER_VALUE_LENGTH + 1))).toMatch(/at most/);
  });
});

describe('header name rule', () => {
  it('agrees with http.validateHeaderName for names up to the cap', () => {
    fc.assert(
      fc.property(headerish, (name) => {
        const expected = name.length > 0 && nodeAccepts(() => validateHeaderName(name));
        expect(headerNameProblem(name) === undefined).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe('resource_metadata in a Bearer challenge', () => {
  it.each([
    ['Bearer resource_metadata="https://a.example/.well-known/x"', 'https://a.example/.well-known/x'],
    ['Bearer error="invalid_token", resource_metadata="https://a.example/m"', 'https://a.example/m'],
    ['Bearer realm="r",resource_metadata=https://a.example/m', 'https://a.example/m'],
    ['Bearer error="invalid_token"', undefined],
    ['Basic realm="x"', undefined],
  ])('%s', (header, expected) => {
    expect(resourceMetadataFromChallenge(header)).toBe(expected);
  });
});
