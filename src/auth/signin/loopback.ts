/**
 * The redirect target of a sign-in (RFC 8252 §7.3): an HTTP listener on 127.0.0.1, on an ephemeral port or
 * the configured `redirectPort`, answering only `/callback`. It closes as soon as the authorization
 * response arrives (the browser tab is told it can be closed) or after the time limit (5 minutes).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SentinelError } from '../../errors.js';

export interface Loopback {
  redirectUri: string;
  port: number;
  /** The full callback URL (query holds code/state/iss or error). */
  response: Promise<URL>;
  close(): void;
}

const PAGE = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body>`;

export async function startLoopback(options: { port?: number; timeoutMs?: number } = {}): Promise<Loopback> {
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  let resolve!: (url: URL) => void;
  let reject!: (error: Error) => void;
  const response = new Promise<URL>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  response.catch(() => undefined);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1`);
    if (req.method !== 'GET' || url.pathname !== '/callback') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const failed = url.searchParams.has('error');
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      .end(
        failed
          ? PAGE('Sign-in refused', 'The authorization server refused the sign-in. You can close this tab.')
          : PAGE('Signed in', 'mcp-sentinel received the sign-in. You can close this tab.'),
      );
    clearTimeout(timer);
    resolve(url);
    res.on('finish', close);
  });
  await new Promise<void>((res, rej) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      rej(
        new SentinelError(
          'AUTH_FAILED',
          error.code === 'EADDRINUSE'
            ? `the sign-in redirect port 127.0.0.1:${options.port} is in use`
            : `could not listen on 127.0.0.1 for the sign-in redirect (${error.code ?? 'error'})`,
          { hint: 'close the program using that port, or change auth.redirectPort' },
        ),
      );
    });
    server.listen(options.port ?? 0, '127.0.0.1', () => res());
  });
  // Declared after listen: no request can arrive before this line runs (both happen on later turns).
  const timer = setTimeout(() => {
    reject(
      new SentinelError('AUTH_FAILED', `no sign-in arrived within ${Math.round(timeoutMs / 1000)} s`, {
        hint: 'run the sign-in again and complete it in the browser',
      }),
    );
    close();
  }, timeoutMs);
  timer.unref();
  function close(): void {
    clearTimeout(timer);
    reject(new SentinelError('AUTH_FAILED', 'the sign-in was cancelled'));
    server.closeAllConnections?.();
    server.close();
  }
  const port = (server.address() as AddressInfo).port;
  return { redirectUri: `http://127.0.0.1:${port}/callback`, port, response, close };
}
