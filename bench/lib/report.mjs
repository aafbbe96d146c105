/** Turns raw results into table rows (values with spread, ratios, targets) and a markdown table. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { median, ratios, summary } from './stats.mjs';

export function machine() {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    // not a git checkout
  }
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit,
  };
}

const UNITS = {
  us: (v) => `${Math.round(v)} µs`,
  ms: (v) => (v < 10 ? `${v.toFixed(2)} ms` : `${Math.round(v)} ms`),
  rps: (v) => `${Math.round(v)}/s`,
  mb: (v) => `${v.toFixed(1)} MB`,
  n: (v) => String(v),
};

function cell(values, unit) {
  if (!values?.length) return '';
  const s = summary(values);
  const f = UNITS[unit];
  return s.min === s.max ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

function ratioCell(values) {
  if (!values?.length) return '';
  const s = summary(values);
  return s.min === s.max
    ? `${s.median.toFixed(2)}×`
    : `${s.median.toFixed(2)}× (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
}

/** A check on the median of a list of values: `{text, test}`. */
const atMost = (limit, of = 'ratio') => ({
  text: `≤ ${limit}${of === 'ratio' ? '×' : ''}`,
  test: (v) => v <= limit,
  of,
});
const atLeast = (limit, of = 'ratio') => ({
  text: `≥ ${limit}${of === 'ratio' ? '×' : ''}`,
  test: (v) => v >= limit,
  of,
});

function row(item, name, unit, values, targets = []) {
  const { direct, relay, sentinel } = values;
  const vsDirect = direct && sentinel ? pairRatios(sentinel, direct) : undefined;
  const vsRelay = relay && sentinel ? pairRatios(sentinel, relay) : undefined;
  const checks = targets.map((t) => {
    const subject = t.of === 'ratio' ? vsDirect : t.of === 'relay' ? vsRelay : sentinel;
    const value = subject ? median(subject) : NaN;
    return {
      target: `${t.of === 'relay' ? '÷ relay ' : t.of === 'ratio' ? '÷ direct ' : ''}${t.text}`,
      value,
      met: t.test(value),
    };
  });
  return {
    item,
    name,
    unit,
    direct: direct && summary(direct),
    relay: relay && summary(relay),
    sentinel: sentinel && summary(sentinel),
    vsDirect: vsDirect && summary(vsDirect),
    vsRelay: vsRelay && summary(vsRelay),
    checks,
    cells: [
      cell(direct, unit),
      cell(relay, unit),
      cell(sentinel, unit),
      ratioCell(vsDirect),
      ratioCell(vsRelay),
    ],
  };
}

/** Per-round ratios when both sides have one value per round; otherwise the ratio of the medians. */
function pairRatios(numerators, denominators) {
  return numerators.length === denominators.length
    ? ratios(numerators, denominators)
    : [median(numerators) / median(denominators)];
}

function callRows(results) {
  const rows = [];
  const transports = [
    ['stdio', 'stdio'],
    ['http', 'Streamable HTTP'],
    ['sse', 'SSE'],
  ];
  for (const [key, label] of transports) {
    const r = results[key];
    if (!r) continue;
    const pick = (metric) => ({
      direct: r.direct[metric],
      relay: r.relay?.[metric],
      sentinel: r.sentinel[metric],
    });
    const remote = key !== 'stdio';
    rows.push(
      row(
        1,
        `${label}: echo p50`,
        'us',
        pick('p50'),
        remote ? [atMost(1.0)] : [atMost(1.6), atMost(1.15, 'relay')],
      ),
      row(1, `${label}: echo p90`, 'us', pick('p90')),
      row(1, `${label}: echo p99`, 'us', pick('p99'), [atMost(1.5)]),
      row(2, `${label}: calls/s, 1 in flight`, 'rps', pick('perSecond1')),
      row(
        2,
        `${label}: calls/s, 16 in flight`,
        'rps',
        pick('perSecond16'),
        remote ? [atLeast(0.9)] : [atLeast(0.75), atLeast(0.9, 'relay')],
      ),
      row(3, `${label}: 1 MB argument + 1 MB result`, 'ms', pick('mb'), [atMost(1.5)]),
    );
  }
  return rows;
}

function startupRows(startup) {
  if (!startup) return [];
  const rows = [];
  const allSentinel = Object.entries(startup)
    .filter(([k]) => /^\d+$/.test(k))
    .flatMap(([, runs]) => runs.sentinel.map((r) => r.initMs));
  rows.push(
    row(
      4,
      'spawn → initialize answered',
      'ms',
      {
        direct: startup[1].direct.map((r) => r.initMs),
        relay: startup.relayInit.map((r) => r.initMs),
        sentinel: allSentinel,
      },
      [atMost(200, 'value')],
    ),
  );
  for (const n of [1, 5, 10, 20]) {
    const runs = startup[n];
    if (!runs) continue;
    rows.push(
      row(
        4,
        `spawn → first full tools/list, ${n} stdio backend${n > 1 ? 's' : ''} (direct: all ${n} in parallel)`,
        'ms',
        { direct: runs.direct.map((r) => r.listMs), sentinel: runs.sentinel.map((r) => r.listMs) },
        n === 10 ? [atMost(1.2)] : [],
      ),
    );
  }
  for (const n of [1, 10]) {
    const runs = startup[n];
    if (!runs?.sentinel[0]?.ownMb) continue;
    rows.push(
      row(
        5,
        `peak RSS, aggregator process only, ${n} backend${n > 1 ? 's' : ''}`,
        'mb',
        { sentinel: runs.sentinel.map((r) => r.ownMb) },
        n === 10 ? [atMost(80, 'value')] : [],
      ),
      row(5, `peak RSS, whole tree, ${n} backend${n > 1 ? 's' : ''} (direct: the backends alone)`, 'mb', {
        direct: runs.direct.map((r) => r.treeMb),
        sentinel: runs.sentinel.map((r) => r.treeMb),
      }),
    );
  }
  return rows;
}

function catalogRows(catalog) {
  if (!catalog) return [];
  return [
    row(
      6,
      `warm tools/list, ${catalog.tools.sentinel} tools (direct: one server listing ${catalog.tools.direct})`,
      'ms',
      catalog.p50,
      [atMost(5, 'value')],
    ),
  ];
}

function searchRows(search) {
  if (!search) return [];
  const { quality: q, tokens } = search;
  const pct = (n) => Math.round((100 * n) / q.tasks);
  return [
    row(
      8,
      `find_tools: right tool first, % of ${q.tasks} tasks over the reference servers`,
      'n',
      { sentinel: [pct(q.first)] },
      [atLeast(70, 'value')],
    ),
    row(8, `find_tools: right tool in the top 5, % of ${q.tasks} tasks`, 'n', { sentinel: [pct(q.top5)] }, [
      atLeast(90, 'value'),
    ]),
    row(
      8,
      `tool list tokens, ${tokens.tools} tools, search surface (all listed: ${tokens.all})`,
      'n',
      { sentinel: [tokens.search] },
      [atMost(2000, 'value')],
    ),
    row(
      8,
      `find_tools query p50, 1,000 tools in process (index built in ${Math.round(search.buildMs)} ms)`,
      'ms',
      { sentinel: [search.queryP50Ms] },
      [atMost(5, 'value')],
    ),
  ];
}

function oauthRows(oauth) {
  if (!oauth) return [];
  if (oauth.pending) {
    return [
      {
        item: 7,
        name: `OAuth token requests: pending (${oauth.pending})`,
        cells: ['', '', '', '', ''],
        checks: [{ target: '= 1 per lifetime', value: NaN, met: undefined }],
      },
    ];
  }
  return [
    row(
      7,
      `OAuth: token requests for ${oauth.calls} calls over ${oauth.streams} streams in ${oauth.seconds.toFixed(1)} s (token lifetime ${oauth.ttlSeconds} s; ${oauth.backendRequests.bearer} backend requests with a Bearer token, ${oauth.backendRequests.without} without; ${oauth.failed} failed calls)`,
      'n',
      { sentinel: [oauth.tokenRequests] },
      [
        {
          text: '= 1 per lifetime',
          of: 'value',
          test: (v) => v === oauth.expected && oauth.backendRequests.without === 0 && oauth.failed === 0,
        },
      ],
    ),
  ];
}

/** Lazy start and reload (lib/lazy.mjs); the "direct" column holds today's eager start or the backend alone. */
function lazyRows(lazy) {
  if (!lazy) return [];
  const own = lazy.direct.map((r) => r.firstMs);
  const ownList = lazy.direct.map((r) => r.listMs);
  const plus = (base, extra) => ({
    text: `≤ direct + ${extra} ms`,
    of: 'value',
    test: (v) => v <= median(base) + extra,
  });
  return [
    row(
      9,
      "spawn → complete tools/list, 10 stdio backends, warm cache (direct: today's eager start)",
      'ms',
      { direct: lazy.eager.map((r) => r.listMs), sentinel: lazy.lazy.map((r) => r.listMs) },
      [atMost(150, 'value'), atMost(0.15)],
    ),
    row(
      10,
      `whole process tree RSS after that list, no tool called (direct: eager start; backends running: ${lazy.lazy[0]?.running} lazy, ${lazy.eager[0]?.running} eager)`,
      'mb',
      { direct: lazy.eager.map((r) => r.treeMb), sentinel: lazy.lazy.map((r) => r.treeMb) },
      [atMost(100, 'value')],
    ),
    row(
      11,
      'first call to a backend that is not running (direct: its own spawn → first answer)',
      'ms',
      { direct: own, sentinel: lazy.firstCall },
      [plus(own, 100)],
    ),
    row(
      12,
      'config edit adding one backend → its tools listed and list_changed sent (direct: its own spawn → tools/list)',
      'ms',
      { direct: ownList, sentinel: lazy.added },
      [plus(ownList, 2_000)],
    ),
    row(
      13,
      'config edit changing one of 10 running backends: the other 9 that keep their process',
      'n',
      { sentinel: lazy.kept },
      [{ text: '= 9', of: 'value', test: (v) => v === 9 }],
    ),
  ];
}

export function buildReport(results) {
  const rows = [
    ...callRows(results),
    ...startupRows(results.startup),
    ...catalogRows(results.catalog),
    ...lazyRows(results.lazy),
    ...oauthRows(results.oauth),
    ...searchRows(results.search),
  ];
  const m = results.machine;
  const lines = [
    `Ran ${results.startedAt.slice(0, 10)} on ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}, Node ${m.node}, commit ${m.commit}; ` +
      `${results.rounds} rounds (startup: ${Math.max(2, Math.min(3, results.rounds))}), medians with (min–max) over rounds; ${results.seconds} s in all.`,
    '',
    '| # | measurement | direct | relay | mcp-sentinel | sentinel ÷ direct | sentinel ÷ relay | target | met |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const target = r.checks.map((c) => c.target).join(', ');
    const met = r.checks.length
      ? r.checks.some((c) => c.met === undefined)
        ? 'pending'
        : r.checks.every((c) => c.met)
          ? 'yes'
          : '**no**'
      : '';
    lines.push(`| ${r.item} | ${r.name} | ${r.cells.join(' | ')} | ${target} | ${met} |`);
  }
  lines.push('', 'Ratios are computed per round (same round, same machine state) and then summarised.', '');
  return { rows: rows.map(({ cells: _cells, ...rest }) => rest), markdown: lines.join('\n') + '\n' };
}
