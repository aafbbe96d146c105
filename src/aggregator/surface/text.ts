/**
 * How tool text becomes search terms: names split at case changes, `_`, `-` and `.`; lower-cased; common
 * words dropped; a small suffix stemmer so that "files", "filed" and "file" meet; and, for queries only, a
 * few everyday task words widened to the words tool descriptions use ("save" → write, create, store).
 * MiniSearch does the ranking (BM25, prefix and fuzzy match); this module only shapes the terms.
 */

const SPLIT = /[\s\p{P}\p{S}]+/u;

const STOP_WORDS = new Set(
  (
    'a an the to of for and or in on at by with from into as is are be been was were it its this that these ' +
    'those me my i we our you your please can could would should will do does did some any all what which ' +
    'who how when where there here then than so if not no just also about up out over via using use'
  ).split(' '),
);

/** Everyday task words → words that tool names and descriptions tend to use instead. */
const TASK_WORDS: Record<string, string[]> = {
  show: ['list', 'get', 'read', 'display'],
  see: ['list', 'get', 'read', 'view'],
  view: ['read', 'get', 'show'],
  display: ['show', 'list', 'get'],
  open: ['read', 'get'],
  look: ['search', 'find', 'get'],
  find: ['search', 'query', 'lookup'],
  lookup: ['search', 'get', 'find'],
  fetch: ['get', 'read', 'download'],
  download: ['fetch', 'get'],
  save: ['write', 'create', 'store', 'add'],
  store: ['save', 'write', 'create'],
  keep: ['store', 'save', 'create'],
  remember: ['memory', 'store', 'create', 'add', 'save'],
  note: ['memory', 'text', 'save'],
  notes: ['memory', 'text'],
  record: ['add', 'create', 'log', 'store'],
  make: ['create', 'new'],
  new: ['create'],
  add: ['create', 'insert', 'append'],
  append: ['add', 'insert'],
  remove: ['delete'],
  erase: ['delete', 'remove'],
  forget: ['delete', 'remove'],
  drop: ['delete', 'remove'],
  change: ['edit', 'update', 'modify'],
  modify: ['edit', 'update', 'change'],
  fix: ['edit', 'update'],
  replace: ['edit', 'update'],
  rename: ['move'],
  copy: ['duplicate'],
  folder: ['directory', 'dir'],
  folders: ['directory', 'dir'],
  dir: ['directory'],
  contents: ['list', 'read'],
  big: ['size', 'large'],
  large: ['size', 'big'],
  size: ['info', 'metadata'],
  details: ['info', 'metadata', 'get'],
  picture: ['image', 'png'],
  photo: ['image'],
  pic: ['image'],
  total: ['sum', 'add'],
  plus: ['sum', 'add'],
  wait: ['long', 'running', 'delay'],
  repeat: ['echo'],
  say: ['echo'],
  back: ['echo'],
  env: ['environment', 'variable'],
  variables: ['environment', 'env'],
  link: ['relation', 'reference', 'url'],
  connect: ['relation', 'link'],
  relationship: ['relation'],
  ask: ['elicitation', 'input', 'user'],
  summarize: ['summary', 'sampling', 'llm'],
  llm: ['sampling', 'model'],
  model: ['sampling', 'llm'],
  issue: ['issues', 'ticket', 'bug'],
  ticket: ['issue'],
  bug: ['issue'],
  pr: ['pull', 'request'],
  pulls: ['pull', 'request'],
  everything: ['all', 'whole', 'entire'],
};

export function splitWords(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(SPLIT)
    .filter(Boolean);
}

/** A light suffix stemmer (plural, -ing, -ed, final e), enough for tool vocabularies. */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) w = w.slice(0, -3) + 'y';
  else if (w.endsWith('ied') && w.length > 4) w = w.slice(0, -3) + 'y';
  else if (/(ss|sh|ch|x|z)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  if (w.endsWith('ing') && w.length > 5) w = undouble(w.slice(0, -3));
  else if (w.endsWith('ed') && w.length > 4) w = undouble(w.slice(0, -2));
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  return w;
}

function undouble(w: string): string {
  return /([^aeiouslz])\1$/.test(w) ? w.slice(0, -1) : w;
}

/** processTerm for indexing: lower-cased, stop words out, stemmed. */
export function indexTerm(term: string): string | null {
  const lower = term.toLowerCase();
  if (STOP_WORDS.has(lower)) return null;
  return stem(lower);
}

/** processTerm for queries: as indexTerm, plus the words a task word usually means in tool text. */
export function queryTerms(term: string): string[] | null {
  const lower = term.toLowerCase();
  if (STOP_WORDS.has(lower)) return null;
  const wider = TASK_WORDS[lower] ?? TASK_WORDS[stem(lower)] ?? [];
  return [...new Set([stem(lower), ...wider.map(stem)])];
}

/** The terms a query word was widened to (not typed by the user), which weigh less. */
export function isWidened(term: string, typed: readonly string[]): boolean {
  return !typed.some((word) => stem(word.toLowerCase()) === term);
}
