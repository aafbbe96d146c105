/**
 * The catalog routes a read to the backend whose resource template names the URI. Its matcher is
 * mcp-sentinel's own (the catalog is built before the SDK loads); it must accept and refuse exactly what
 * the SDK's `UriTemplate` does, so that a backend built on the SDK gets the reads it would accept.
 */
import { describe, expect, it } from 'vitest';
import { UriTemplate as SdkUriTemplate } from '@modelcontextprotocol/server';
import { UriTemplate } from '../../src/aggregator/uri-template.js';

const TEMPLATES = [
  'file:///{path}',
  'file:///{+path}',
  'test://template/{id}/data',
  'users://{userId}/posts/{postId}',
  'search://q{?query,limit}',
  'search://q?fixed=1{&page}',
  'files{/segments*}',
  'list://{items*}',
  'doc://x{.ext}',
  'frag://page{#section}',
  'multi://{a,b}',
  'literal://no-variables (a.b)+[c]',
];

const URIS = [
  'file:///notes.txt',
  'file:///dir/notes.txt',
  'test://template/42/data',
  'test://template/4/2/data',
  'users://ada/posts/7',
  'users://ada/posts/',
  'search://q?query=mcp',
  'search://q?query=mcp&limit=5',
  'search://q?fixed=1&page=2',
  'files/a',
  'files/a,b',
  'files/a/b',
  'list://a,b,c',
  'list://a/b',
  'doc://x.md',
  'doc://x',
  'frag://page#intro',
  'multi://1,2',
  'multi://1',
  'literal://no-variables (a.b)+[c]',
  'literal://no-variables (a.b)c',
  '',
];

describe('resource template matching', () => {
  it.each(TEMPLATES)('matches what the SDK matches for %s', (template) => {
    const ours = new UriTemplate(template);
    const sdk = new SdkUriTemplate(template);
    expect(ours.toString()).toBe(template);
    for (const uri of URIS) expect([uri, ours.matches(uri)]).toEqual([uri, sdk.match(uri) !== null]);
  });

  it.each([
    { name: 'an unclosed expression', template: 'file:///{path' },
    { name: 'too many expressions', template: `x${'{a}'.repeat(10_001)}` },
  ])('refuses what the SDK refuses: $name', ({ template }) => {
    expect(() => new SdkUriTemplate(template)).toThrow();
    expect(() => new UriTemplate(template)).toThrow();
  });
});
