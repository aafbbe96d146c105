/**
 * `mcp-sentinel tools`: connect to every backend, print the catalog exactly as the host will see it,
 * and exit. Exit code 1 when a backend failed (its reason is on stderr), so scripts notice.
 */
import chalk from 'chalk';
import { surfaceServers } from '../../aggregator/surface/index.js';
import { describeSurface, summarizeSurface } from '../../aggregator/surface/summary.js';
import type { SurfaceHostId } from '../../config/types.js';
import { log, redact } from '../../log.js';
import { localAggregator } from '../local-aggregator.js';
import type { CommonOptions } from '../runtime.js';

export interface ToolsOptions extends CommonOptions {
  json?: boolean;
  /** Print what this host would see (its surface), instead of the whole catalog. */
  host?: SurfaceHostId;
}

export interface ToolRow {
  name: string;
  backend: string;
  original: string;
  description: string;
}

export async function listTools(options: ToolsOptions): Promise<number> {
  const { manager, settings, aggregator } = await localAggregator(options);
  try {
    const catalog = await aggregator.ready();
    const fitted = options.host
      ? await summarizeSurface({
          catalog,
          servers: surfaceServers(manager.backends),
          host: options.host,
          settings: settings,
          own: aggregator.own.listedTools(),
        })
      : undefined;
    const rows: ToolRow[] = (fitted?.view.tools ?? catalog.tools).map((tool) => {
      const route = catalog.toolRoutes.get(tool.name);
      return {
        name: tool.name,
        backend: route?.backend ?? 'sentinel',
        original: route?.name ?? tool.name,
        description: firstLine(tool.description),
      };
    });
    const failed = manager.backends.filter((b) => b.state !== 'ready' && b.state !== 'disabled');
    for (const backend of failed) log.error(backend.unavailableError().message);
    if (options.json) {
      const backends = manager.backends.map((b) => ({
        name: b.name,
        state: b.state,
        error: b.error?.message,
        tools: b.lists.tools.length,
      }));
      // Backend errors may quote a resolved value (a command path, a URL): the redactor sees all of stdout.
      const host = fitted?.summary;
      process.stdout.write(
        redact(JSON.stringify({ ...(host && { host }), tools: rows, backends }, null, 2)) + '\n',
      );
    } else {
      process.stdout.write(renderTable(rows) + '\n');
      const summary = `${rows.length} tools from ${manager.backends.length - failed.length} of ${manager.backends.length} backends`;
      process.stdout.write(chalk.dim(summary) + '\n');
      if (fitted) {
        const { summary: host } = fitted;
        process.stdout.write(`${host.displayName}: ${describeSurface(host)}\n`);
      }
    }
    return failed.length > 0 ? 1 : 0;
  } finally {
    await manager.stopAll();
  }
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]!.trim();
}

function renderTable(rows: ToolRow[]): string {
  if (rows.length === 0) return chalk.yellow('No tools: no backend is ready.');
  const width = Math.min(64, Math.max(4, ...rows.map((r) => r.name.length)));
  const backendWidth = Math.max(7, ...rows.map((r) => r.backend.length));
  const head = `${chalk.bold('TOOL'.padEnd(width))}  ${chalk.bold('BACKEND'.padEnd(backendWidth))}  ${chalk.bold('DESCRIPTION')}`;
  const lines = rows.map((r) => {
    const original =
      r.original !== r.name && !r.name.endsWith(r.original) ? chalk.dim(` (${r.original})`) : '';
    return `${r.name.padEnd(width)}  ${chalk.cyan(r.backend.padEnd(backendWidth))}  ${truncate(r.description, 80)}${original}`;
  });
  return [head, ...lines].join('\n');
}

function truncate(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}
