/**
 * The exported catalog against each host it will be used from: the name pattern and length budget once
 * the host has added its own prefix, the tool-count caps hosts apply, and names that collide (in the
 * catalog itself, or after a host cuts them). Limits come from src/hosts.ts.
 */
import { HOSTS, MODEL_TOOL_NAME, hostToolName, type HostId } from '../hosts.js';
import type { HostResult, NamedCheck } from './report.js';
import { worst } from './report.js';

export interface CatalogSummary {
  /** Public tool names, as the sentinel exports them. */
  tools: string[];
  /** Collisions the catalog resolved by renaming, as messages. */
  collisions: string[];
  /** How many backends contributed (failed ones do not). */
  readyBackends: number;
  totalBackends: number;
  /** Tools the host's tools/list gets with its surface (fewer than `tools` with the search surface). */
  listedTools?: number;
  /** False for every host after the first: catalog-wide findings are reported once. */
  firstHost?: boolean;
}

function sample(names: string[], max = 3): string {
  const shown = names
    .slice(0, max)
    .map((n) => `"${n}"`)
    .join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

export function checkHost(host: HostId, serverKey: string, catalog: CatalogSummary): HostResult {
  const def = HOSTS[host];
  if (catalog.readyBackends === 0) {
    return {
      host,
      displayName: def.displayName,
      serverKey,
      status: 'skip',
      reason: 'no backend is ready, so there is no catalog to check',
      checks: [],
    };
  }
  const tools = catalog.tools;
  const checks: NamedCheck[] = [
    ...nameChecks(host, serverKey, tools),
    ...toolCountChecks(host, tools.length, catalog.listedTools ?? tools.length),
    // Collisions are the catalog's, not the host's: reported with the first host checked only (firstHost).
    ...(catalog.firstHost !== false ? collisionChecks(catalog.collisions) : []),
  ];
  const status = worst(checks.map((c) => c.status));
  const problems = checks.filter((c) => c.status !== 'ok');
  const partial =
    catalog.readyBackends < catalog.totalBackends
      ? ` (from ${catalog.readyBackends} of ${catalog.totalBackends} backends)`
      : '';
  return {
    host,
    displayName: def.displayName,
    serverKey,
    status,
    reason:
      problems.length === 0
        ? `${tools.length} tools${partial}, all usable`
        : problems.map((c) => c.reason).join('; '),
    hint: problems[0]?.hint,
    checks,
  };
}

/** The name pattern, the length budget after the host's own prefix, and names a host's cut makes equal. */
function nameChecks(host: HostId, serverKey: string, tools: string[]): NamedCheck[] {
  const def = HOSTS[host];
  const checks: NamedCheck[] = [];
  const badPattern = tools.filter((name) => !MODEL_TOOL_NAME.test(name));
  const tooLong = tools.filter(
    (name) => !hostToolName(host, serverKey, name).fits && MODEL_TOOL_NAME.test(name),
  );
  const prefix = def.names.prefix(serverKey);
  const budget = def.names.maxLength - prefix.length;
  if (badPattern.length > 0) {
    checks.push({
      id: 'name-pattern',
      status: 'fail',
      reason: `${badPattern.length} tool name${badPattern.length === 1 ? '' : 's'} break ^[a-zA-Z0-9_-]{1,64}$: ${sample(badPattern)}`,
      hint: 'set settings.maxToolNameLength to 64 or less',
    });
  }
  if (tooLong.length > 0) {
    const effect =
      def.names.onOverflow === 'rejected'
        ? 'the model API rejects them'
        : def.names.onOverflow === 'filtered'
          ? 'they are left out'
          : 'they are cut short';
    checks.push({
      id: 'name-length',
      status: 'warn',
      reason: `${tooLong.length} tool name${tooLong.length === 1 ? ' is' : 's are'} too long: ${def.names.rule(serverKey)}, so ${effect}: ${sample(tooLong)}`,
      hint:
        budget > 8
          ? `set "settings": {"maxToolNameLength": ${budget}} in the config${prefix ? `, or install under a shorter --name` : ''}`
          : `install under a shorter --name`,
    });
  } else {
    checks.push({
      id: 'name-length',
      status: 'ok',
      reason: `every name fits ${prefix ? `"${prefix}<tool>" within ${def.names.maxLength}` : `${def.names.maxLength} characters`}`,
    });
  }

  if (def.names.onOverflow === 'truncated') {
    const byHostName = new Map<string, string[]>();
    for (const name of tools) {
      const cut = hostToolName(host, serverKey, name).name;
      byHostName.set(cut, [...(byHostName.get(cut) ?? []), name]);
    }
    const clashes = [...byHostName.values()].filter((group) => group.length > 1);
    if (clashes.length > 0) {
      checks.push({
        id: 'collisions',
        status: 'warn',
        reason: `${clashes.length} group${clashes.length === 1 ? '' : 's'} of tools become the same name once ${def.displayName} cuts them: ${clashes.map((g) => sample(g, 2)).join('; ')}`,
        hint: `set "settings": {"maxToolNameLength": ${budget}} so that the sentinel shortens them distinctly`,
      });
    }
  }
  return checks;
}

/** The tool count against the caps the host applies. */
function toolCountChecks(host: HostId, total: number, listed: number): NamedCheck[] {
  const def = HOSTS[host];
  if (def.toolCaps.length === 0) return [];
  const exceeded = def.toolCaps.filter((cap) => listed > cap.limit);
  const lowest = Math.min(...def.toolCaps.map((cap) => cap.limit));
  return [
    exceeded.length > 0
      ? {
          id: 'tool-count',
          status: 'warn',
          reason: `${listed} tools: ${def.displayName} uses at most ${exceeded.map((cap) => `${cap.limit} (${cap.applies})`).join(' or ')}`,
          hint: `set "settings": {"hosts": {"${host}": {"surface": "search"}}}, or export fewer tools with "tools": {"include": [...]} per server`,
        }
      : {
          id: 'tool-count',
          status: 'ok',
          reason: `${listed} tools${listed < total ? ' listed (search surface)' : ''}, within ${def.displayName}'s cap of ${lowest}`,
        },
  ];
}

/** Names the catalog itself had to rename or hide. */
function collisionChecks(collisions: string[]): NamedCheck[] {
  if (collisions.length === 0) return [];
  const renamed = collisions.filter((m) => / is exported as /.test(m)).length;
  const hidden = collisions.length - renamed;
  const what = [renamed ? `${renamed} renamed` : '', hidden ? `${hidden} hidden` : '']
    .filter(Boolean)
    .join(', ');
  return [
    {
      id: 'catalog-collisions',
      status: 'warn',
      reason: `${collisions.length} name collision${collisions.length === 1 ? '' : 's'} (${what}): ${collisions[0]}`,
      hint: hidden
        ? 'a resource URI or template cannot be renamed: the first server listing it serves it; hide it from the other with "resources": {"exclude": ["<uri or template>"]} on that server (or "disabled": true if it is the same server twice)'
        : 'give the colliding servers distinct "prefix" values so that names stay predictable',
    },
  ];
}
