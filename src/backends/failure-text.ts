/**
 * Why a backend failed to connect, in words a person can act on, shared by `serve`'s log and `doctor`:
 * a closed port is "nothing is listening", an SSE entry pointed at a Streamable HTTP endpoint says so, an
 * HTML error page is summarised by its title instead of dumped, and of a failing command's stderr the line
 * that says what went wrong is kept (npm's "404 Not Found", not "A complete log of this run can be found in").
 * Remote backends are never told to "run the command by hand".
 */
import { httpStatusOf } from './remote-errors.js';

export interface FailureText {
  message: string;
  hint: string;
}

const NETWORK: Record<string, (host: string) => FailureText> = {
  ECONNREFUSED: (host) => ({
    message: `unreachable: nothing is listening at ${host}`,
    hint: 'start the server, or check the host and port in "url"',
  }),
  ENOTFOUND: (host) => ({
    message: `unreachable: the host name ${host.replace(/:\d+$/, '')} does not resolve`,
    hint: 'check the host name in "url" and your network',
  }),
  EAI_AGAIN: (host) => NETWORK.ENOTFOUND!(host),
  ETIMEDOUT: (host) => ({
    message: `unreachable: connecting to ${host} timed out`,
    hint: 'check the network, VPN or proxy',
  }),
  EHOSTUNREACH: (host) => ({
    message: `unreachable: no route to ${host}`,
    hint: 'check the network, VPN or proxy',
  }),
};

/** The innermost error code of a fetch failure (undici nests the socket error as `cause`). */
function networkCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code in NETWORK) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** An HTML page inside an error message, replaced by its title: `an HTML page ("502 Bad Gateway")`. */
export function summariseHtml(message: string): string {
  const start = message.search(/<!doctype html|<html[\s>]/i);
  if (start === -1) return message;
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(message.slice(start))?.[1]?.trim().replace(/\s+/g, ' ');
  return `${message.slice(0, start).trimEnd()} an HTML page${title ? ` ("${title.slice(0, 80)}")` : ''}`;
}

/** A remote backend's connection failure in plain words, or undefined when there is nothing better to say. */
export function describeRemoteFailure(
  error: unknown,
  server: { type: string; url: string },
): FailureText | undefined {
  let host = server.url;
  try {
    host = new URL(server.url).host;
  } catch {
    // an unresolved or odd URL: name it as written
  }
  const code = networkCode(error);
  if (code) return NETWORK[code]!(host);
  const message = error instanceof Error ? error.message : String(error);
  const statusCode = httpStatusOf(error);
  if (server.type === 'sse' && statusCode !== undefined && [400, 404, 405, 406].includes(statusCode)) {
    return {
      message: `the server did not open an SSE stream at ${server.url.split('?')[0]} (HTTP ${statusCode}): it looks like a Streamable HTTP endpoint`,
      hint: 'set "type": "streamable-http" for this server (the URL usually ends in /mcp; SSE ones often end in /sse)',
    };
  }
  if (/<!doctype html|<html[\s>]/i.test(message)) {
    return {
      message: summariseHtml(message),
      hint: 'check the path in "url" (often /mcp, or /sse for SSE) and that it is an MCP server',
    };
  }
  return undefined;
}

/** Lines of npm's and npx's failure output that never say what failed. */
const BOILERPLATE =
  /A complete log of this run can be found in|^npm (?:error|ERR!)\s*(?:\d{3})?\s*$|^npm (?:error|ERR!) (?:code|errno) |^npm (?:error|ERR!) Note that you can also install|^npm (?:error|ERR!) A complete log|^npm (?:warn|WARN) |retrying in|gave up after/;
/** Lines that do say it. */
const TELLING =
  /\b(?:404 Not Found|is not in this registry|No matching version|ETARGET|ENOTFOUND|EACCES|not found|No such file|cannot find|Cannot find module|command not found|permission denied|Error:)/i;

/** The stderr line that says best why a command failed: a telling one, else the last that is not boilerplate. */
export function tellingLine(lines: string[]): string | undefined {
  const useful = lines.filter((line) => line.trim() !== '' && !BOILERPLATE.test(line));
  return useful.find((line) => TELLING.test(line)) ?? useful.at(-1);
}
