/**
 * The one per-item check of every listed item, in both eras: which items a strict client would reject
 * (and are dropped alone), and which pass unchanged.
 */
import { describe, expect, it } from 'vitest';
import { keepWellFormed, problemOf, type ListMethod } from '../../src/backends/list-items.js';

const schema = { type: 'object', properties: {} };

describe('problemOf', () => {
  it.each<[ListMethod, unknown, string | undefined]>([
    ['tools/list', { name: 'ok', inputSchema: schema }, undefined],
    ['tools/list', { name: 'ok', inputSchema: schema, outputSchema: { type: 'array' }, x: 1 }, undefined],
    ['tools/list', 'echo', 'it is not an object'],
    ['tools/list', { inputSchema: schema }, 'it has no string "name"'],
    ['tools/list', { name: 'bad', inputSchema: 'x' }, 'its "inputSchema" is not an object schema'],
    ['tools/list', { name: 'bad' }, 'its "inputSchema" is not an object schema'],
    [
      'tools/list',
      { name: 'bad', inputSchema: { type: 'string' } },
      'its "inputSchema" is not an object schema',
    ],
    [
      'tools/list',
      { name: 'bad', inputSchema: schema, annotations: [] },
      'its "annotations" is not an object',
    ],
    ['tools/list', { name: 'bad', inputSchema: schema, description: 3 }, 'its "description" is not a string'],
    ['prompts/list', { name: 'ok', arguments: [{ name: 'a' }] }, undefined],
    [
      'prompts/list',
      { name: 'bad', arguments: [{ name: 'a', required: 'yes' }] },
      'its "arguments.0.required" is not a boolean',
    ],
    ['tools/list', { name: 'ok', inputSchema: schema, annotations: { readOnlyHint: true } }, undefined],
    [
      'tools/list',
      { name: 'bad', inputSchema: schema, annotations: { readOnlyHint: 'yes' } },
      'its "annotations.readOnlyHint" is not a boolean',
    ],
    [
      'tools/list',
      { name: 'bad', inputSchema: { ...schema, $schema: 4 } },
      'its "inputSchema.$schema" is not a string',
    ],
    ['tools/list', { name: 'ok', inputSchema: schema, icons: [{ src: 'https://x/i.png' }] }, undefined],
    [
      'tools/list',
      { name: 'bad', inputSchema: schema, icons: [{ src: 'https://x/i.png' }, {}] },
      'its "icons.1" has no "src"',
    ],
    ['resources/list', { uri: 'a://b', name: 'bad', size: '3' }, 'its "size" is not a number'],
    [
      'resources/list',
      { uri: 'a://b', name: 'bad', annotations: { audience: 'user' } },
      'its "annotations.audience" is not an array',
    ],
    ['prompts/list', { name: 7 }, 'it has no string "name"'],
    ['prompts/list', { name: 'bad', arguments: [{}] }, 'its "arguments.0" has no "name"'],
    ['resources/list', { uri: 'a://b', name: 'ok' }, undefined],
    ['resources/list', { name: 'bad' }, 'it has no string "uri"'],
    ['resources/list', { uri: 'a://b' }, 'it has no string "name"'],
    ['resources/list', { uri: 'a://b', name: 'bad', icons: 'x' }, 'its "icons" is not an array'],
    ['resources/templates/list', { uriTemplate: 'a://{x}', name: 'ok' }, undefined],
    ['resources/templates/list', { uri: 'a://b', name: 'bad' }, 'it has no string "uriTemplate"'],
  ])('%s %j: %s', (method, item, problem) => {
    if (problem === undefined) expect(problemOf(method, item)).toBeUndefined();
    else expect(problemOf(method, item)).toContain(problem);
  });
});

describe('keepWellFormed', () => {
  it('keeps the good items as they came, in order, and warns once per dropped item by its id or place', () => {
    const good = [
      { name: 'a', inputSchema: schema },
      { name: 'c', inputSchema: schema },
    ];
    const warnings: string[] = [];
    const kept = keepWellFormed('tools/list', [good[0], { name: 'b' }, {}, good[1]], (m) => warnings.push(m));
    expect(kept).toEqual(good);
    expect(kept[0]).toBe(good[0]);
    expect(warnings).toEqual([
      'ignored the malformed entry "b" in tools/list: its "inputSchema" is not an object schema ({"type": "object", ...})',
      'ignored the malformed entry #3 in tools/list: it has no string "name"',
    ]);
  });

  it('names a dropped item by its id quoted and clipped, never with its newlines or escapes as they came', () => {
    const warnings: string[] = [];
    const name = `evil\n\u001b[31mforged log line ${'x'.repeat(500)}`;
    keepWellFormed('tools/list', [{ name }], (m) => warnings.push(m));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).not.toContain('\n');
    expect(warnings[0]).not.toContain('\u001b');
    expect(warnings[0]).toContain('"evil\\n\\u001b[31mforged log line');
    expect(warnings[0]!.length).toBeLessThan(300);
  });
});
