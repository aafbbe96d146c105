/**
 * The search behind `sentinel__find_tools`: a MiniSearch (BM25) index over every tool of the catalog,
 * with fields weighted by how much they say about the task a tool serves: public and original name
 * first, then title, server, description, and parameter names and descriptions. Prefix and fuzzy
 * matching forgive partial and misspelt words. Built once per catalog (see `searchIndexFor`).
 */
import { createRequire } from 'node:module';
import type MiniSearch from 'minisearch';
import type { Tool } from '@modelcontextprotocol/server';
import { indexTerm, isWidened, queryTerms, splitWords } from './text.js';

// Loaded with the first index (the search surface, find_tools): serve's warm start lists without it.
const require = createRequire(import.meta.url);
let engine: typeof MiniSearch | undefined;
const searchEngine = () => (engine ??= require('minisearch') as typeof MiniSearch);

export interface IndexedTool {
  /** The public name the host calls. */
  name: string;
  /** The backend's own name for it. */
  original: string;
  server: string;
  tool: Tool;
}

export interface ToolMatch extends IndexedTool {
  score: number;
}

interface Doc {
  id: number;
  name: string;
  original: string;
  title: string;
  description: string;
  params: string;
  server: string;
}

const BOOST = { name: 3, original: 3, title: 2.5, server: 1.5, description: 1, params: 0.6 };

export class ToolSearchIndex {
  private readonly search: MiniSearch<Doc>;

  constructor(private readonly tools: readonly IndexedTool[]) {
    this.search = new (searchEngine())<Doc>({
      fields: ['name', 'original', 'title', 'description', 'params', 'server'],
      tokenize: splitWords,
      processTerm: indexTerm,
      searchOptions: { processTerm: queryTerms, tokenize: splitWords },
    });
    this.search.addAll(tools.map((entry, id) => toDoc(entry, id)));
  }

  get size(): number {
    return this.tools.length;
  }

  /** The best `limit` tools for a task written in plain words, best first. */
  find(query: string, limit = 5): ToolMatch[] {
    const typed = splitWords(query);
    const results = this.search.search(query, {
      boost: BOOST,
      combineWith: 'OR',
      // Prefix and fuzzy only for words long enough not to match everything.
      prefix: (term) => term.length >= 3,
      fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
      boostTerm: (term) => (isWidened(term, typed) ? 0.45 : 1),
    });
    return results
      .slice(0, limit)
      .map((result) => ({ ...this.tools[result.id as number]!, score: result.score }));
  }
}

function toDoc(entry: IndexedTool, id: number): Doc {
  const { tool } = entry;
  const properties = (tool.inputSchema?.properties ?? {}) as Record<string, { description?: unknown }>;
  const params = Object.entries(properties)
    .map(([key, schema]) => `${key} ${typeof schema?.description === 'string' ? schema.description : ''}`)
    .join(' ');
  return {
    id,
    name: entry.name,
    original: entry.original,
    title: tool.title ?? tool.annotations?.title ?? '',
    description: tool.description ?? '',
    params,
    server: entry.server,
  };
}
