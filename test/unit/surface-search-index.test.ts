/** The tool search index: stemming and widening of query words, prefix and fuzzy match, and speed at 1,000 tools. */
import { describe, expect, it } from 'vitest';
import { ToolSearchIndex, type IndexedTool } from '../../src/aggregator/surface/search-index.js';
import { stem, splitWords } from '../../src/aggregator/surface/text.js';

const tool = (
  server: string,
  name: string,
  description: string,
  params: Record<string, string> = {},
): IndexedTool => ({
  name: `${server}__${name}`,
  original: name,
  server,
  tool: {
    name: `${server}__${name}`,
    description,
    inputSchema: {
      type: 'object',
      properties: Object.fromEntries(
        Object.entries(params).map(([k, d]) => [k, { type: 'string', description: d }]),
      ),
    },
  },
});

const CATALOG = [
  tool('github', 'list_pull_requests', 'List pull requests in a repository', {
    state: 'open, closed or all',
  }),
  tool('github', 'create_issue', 'Create a new issue in a repository', { title: 'Issue title' }),
  tool('files', 'read_text_file', 'Read the complete contents of a file as text', { path: 'File path' }),
  tool('files', 'write_file', 'Create a new file or overwrite an existing file', {
    content: 'What to write',
  }),
  tool('calendar', 'createEvent', 'Schedule a meeting on the calendar', { attendees: 'Emails' }),
];

describe('search terms', () => {
  it.each([
    ['files', 'fil'],
    ['file', 'fil'],
    ['creating', 'creat'],
    ['created', 'creat'],
    ['directories', 'directory'],
    ['searches', 'search'],
    ['getting', 'get'],
  ])('stem(%s) = %s', (word, stemmed) => expect(stem(word)).toBe(stemmed));

  it('splits names at case changes and separators', () => {
    expect(splitWords('createEvent get-sum read_text_file HTTPServer')).toEqual([
      'create',
      'Event',
      'get',
      'sum',
      'read',
      'text',
      'file',
      'HTTP',
      'Server',
    ]);
  });
});

describe('finding tools', () => {
  const index = new ToolSearchIndex(CATALOG);
  it.each([
    ['show me the open pull requests', 'github__list_pull_requests'],
    ['report a bug', 'github__create_issue'],
    ['save my draft to notes.md', 'files__write_file'],
    ['what is in README', 'files__read_text_file'],
    ['schedule a meeting with Ada', 'calendar__createEvent'],
    ['calender evnt', 'calendar__createEvent'], // fuzzy
    ['pull req', 'github__list_pull_requests'], // prefix
  ])('"%s" → %s first', (query, expected) => {
    expect(index.find(query)[0]?.name).toBe(expected);
  });

  it('answers a query in under 5 ms with 1,000 tools', () => {
    const verbs = ['list', 'get', 'create', 'update', 'delete', 'search', 'export', 'archive'];
    const nouns = [
      'issue',
      'invoice',
      'customer',
      'ticket',
      'file',
      'event',
      'note',
      'branch',
      'order',
      'user',
    ];
    const many: IndexedTool[] = [];
    for (let i = 0; many.length < 1000; i++) {
      const verb = verbs[i % verbs.length]!;
      const noun = nouns[Math.floor(i / verbs.length) % nouns.length]!;
      many.push(
        tool(
          `server${i % 25}`,
          `${verb}_${noun}_${i}`,
          `${verb} a ${noun} record number ${i} in the system`,
          { id: `The ${noun} id`, query: 'What to look for' },
        ),
      );
    }
    const started = performance.now();
    const big = new ToolSearchIndex(many);
    const buildMs = performance.now() - started;
    const queries = [
      'archive the old invoices',
      'find a customer by email',
      'delete that branch',
      'show open tickets',
      'update user 42',
    ];
    const times: number[] = [];
    for (let round = 0; round < 20; round++) {
      for (const query of queries) {
        const t = performance.now();
        big.find(query);
        times.push(performance.now() - t);
      }
    }
    times.sort((a, b) => a - b);
    const p50 = times[Math.floor(times.length / 2)]!;
    process.stderr.write(
      `search index of 1,000 tools: built in ${buildMs.toFixed(0)} ms, query p50 ${p50.toFixed(2)} ms\n`,
    );
    expect(p50).toBeLessThan(5);
  });
});
