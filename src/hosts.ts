/**
 * The desktop and editor hosts mcp-sentinel is installed into, in one table shared by `install`, `init
 * --from` and `doctor`'s host checks: where each keeps its config file per OS, the shape of a server entry,
 * and the limits it applies to tool names and tool counts.
 *
 * Limits come from the hosts' own behaviour (see the links per entry); when a host changes them, change
 * them here and both the install and the doctor follow. This module is pure: paths are computed from the
 * environment and platform it is given, never read from the machine. It imports nothing of mcp-sentinel, so
 * every layer that needs to know the hosts (doctor, install, the aggregator) can use it without pointing up.
 */
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

export const HOST_IDS = ['claude-desktop', 'claude-code', 'cursor', 'vscode'] as const;
export type HostId = (typeof HOST_IDS)[number];

/** Claude (Anthropic API) and OpenAI function names: the strictest pattern any host applies. */
export const MODEL_TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export interface ToolCountCap {
  limit: number;
  /** When the cap applies, e.g. "older releases". */
  applies: string;
}

export interface NameBudget {
  /** Longest name the host accepts or keeps intact, including what it adds in front. */
  maxLength: number;
  /** What the host puts in front of a tool name, for a server registered under `serverKey`. */
  prefix(serverKey: string): string;
  /** What happens to a longer name. */
  onOverflow: 'rejected' | 'filtered' | 'truncated';
  /** Plain words for the rule, for messages. */
  rule(serverKey: string): string;
}

export interface PathContext {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  home: string;
}

export interface HostDefinition {
  id: HostId;
  displayName: string;
  /** The user-level config file this host reads its servers from. */
  configPath(ctx: PathContext): string;
  /** The key under which servers are listed. */
  serversKey: 'mcpServers' | 'servers';
  /** Keys written into every stdio entry besides command and args (VS Code requires "type"). */
  entryExtras: Record<string, string>;
  /** Whether the host's parser accepts comments (JSONC) in this file. */
  allowsComments: boolean;
  names: NameBudget;
  toolCaps: ToolCountCap[];
  /** What to do after installing, for the printed next steps. */
  reloadHint: string;
}

function pathApi(platform: NodeJS.Platform) {
  return platform === 'win32' ? win32 : posix;
}

/** `%APPDATA%`, `~/Library/Application Support` or `$XDG_CONFIG_HOME` (`~/.config`). */
function appConfigDir(ctx: PathContext): string {
  const path = pathApi(ctx.platform);
  if (ctx.platform === 'win32') return ctx.env.APPDATA || path.join(ctx.home, 'AppData', 'Roaming');
  if (ctx.platform === 'darwin') return path.join(ctx.home, 'Library', 'Application Support');
  return ctx.env.XDG_CONFIG_HOME || path.join(ctx.home, '.config');
}

const claudeNames = (claudeCode: boolean): NameBudget => ({
  maxLength: 64,
  prefix: (key) => (claudeCode ? `mcp__${key}__` : ''),
  onOverflow: 'rejected',
  rule: (key) =>
    claudeCode
      ? `Claude Code sends "mcp__${key}__<tool>" to the model, which accepts at most 64 characters`
      : 'Claude accepts tool names of at most 64 characters of A-Z a-z 0-9 _ -',
});

export const HOSTS: Record<HostId, HostDefinition> = {
  'claude-desktop': {
    id: 'claude-desktop',
    displayName: 'Claude Desktop',
    // Linux: where the community builds of Claude Desktop keep it.
    configPath: (ctx) =>
      pathApi(ctx.platform).join(appConfigDir(ctx), 'Claude', 'claude_desktop_config.json'),
    serversKey: 'mcpServers',
    entryExtras: {},
    allowsComments: false,
    // A single invalid name withholds the whole connector (anthropics/claude-code#34960).
    names: claudeNames(false),
    toolCaps: [],
    reloadHint: 'quit and restart Claude Desktop',
  },
  'claude-code': {
    id: 'claude-code',
    displayName: 'Claude Code',
    // User scope: the top-level "mcpServers" of ~/.claude.json.
    configPath: (ctx) => pathApi(ctx.platform).join(ctx.home, '.claude.json'),
    serversKey: 'mcpServers',
    entryExtras: { type: 'stdio' },
    allowsComments: false,
    // mcp__<server>__<tool> must stay within 64 (anthropics/claude-code#2412, #19882).
    names: claudeNames(true),
    toolCaps: [],
    reloadHint: 'start a new Claude Code session (check with: claude mcp list)',
  },
  cursor: {
    id: 'cursor',
    displayName: 'Cursor',
    configPath: (ctx) => pathApi(ctx.platform).join(ctx.home, '.cursor', 'mcp.json'),
    serversKey: 'mcpServers',
    entryExtras: {},
    allowsComments: true,
    // "Combined server and tool name length (60) exceeds 60 characters": the tool is filtered out.
    names: {
      maxLength: 60,
      prefix: (key) => key,
      onOverflow: 'filtered',
      rule: (key) => `Cursor drops tools whose server name ("${key}") plus tool name exceed 60 characters`,
    },
    // docs.cursor.com "tool-quantity": 40; later releases raised it to 80.
    toolCaps: [
      { limit: 80, applies: 'current releases' },
      { limit: 40, applies: 'older releases' },
    ],
    reloadHint: 'open Cursor Settings → MCP and refresh the server (or restart Cursor)',
  },
  vscode: {
    id: 'vscode',
    displayName: 'VS Code',
    configPath: (ctx) => pathApi(ctx.platform).join(appConfigDir(ctx), 'Code', 'User', 'mcp.json'),
    serversKey: 'servers',
    entryExtras: { type: 'stdio' },
    allowsComments: true,
    // The tool id is (prefix + name) cut at 64 characters, silently (microsoft/vscode mcpServer.ts).
    names: {
      maxLength: 64,
      prefix: (key) => `mcp_${key}_`,
      onOverflow: 'truncated',
      rule: (key) => `VS Code names tools "mcp_${key}_<tool>" and cuts the result at 64 characters`,
    },
    // Copilot sends at most 128 tools per request (microsoft/vscode-copilot-release#11653).
    toolCaps: [{ limit: 128, applies: 'GitHub Copilot' }],
    reloadHint: 'run "MCP: List Servers" in VS Code and start the server',
  },
};

export function isHostId(value: string): value is HostId {
  return (HOST_IDS as readonly string[]).includes(value);
}

export function defaultPathContext(env: Record<string, string | undefined> = process.env): PathContext {
  return { platform: process.platform, env, home: homedir() };
}

/** The host's config file for the current user and OS. */
export function hostConfigPath(id: HostId, ctx: PathContext = defaultPathContext()): string {
  return HOSTS[id].configPath(ctx);
}

/** What the host calls a tool the sentinel exports as `publicName`, and whether it stays intact. */
export function hostToolName(
  id: HostId,
  serverKey: string,
  publicName: string,
): { name: string; fits: boolean } {
  const names = HOSTS[id].names;
  const full = names.prefix(serverKey) + publicName;
  const fits = full.length <= names.maxLength && MODEL_TOOL_NAME.test(publicName);
  return { name: names.onOverflow === 'truncated' ? full.slice(0, names.maxLength) : full, fits };
}
