/**
 * How a remote backend's transport failures are told apart: by their type, SDK error code and HTTP status,
 * never by the SDK's wording. Against real SSE and Streamable HTTP endpoints on 127.0.0.1 (the transports
 * as createTransport builds them): a POST of the SSE transport that the server answers 404 is an expired
 * session, and a Streamable HTTP event stream that cannot be reopened is given up typed, after the SDK's
 * two attempts, at the server's `retry:` pace; a refused connection is lost. Then the classification table.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  type Transport,
} from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  isConnectionClosed,
  isConnectionLost,
  isReconnectGiveUp,
  isRequestTimeout,
  isSessionExpired,
  mayBeModernOnly,
  sendFailure,
} from '../../src/backends/errors.js';
import { EventStreamGaveUp, PostStatusError, httpStatusOf } from '../../src/backends/remote-errors.js';
import { createTransport } from '../../src/backends/transports.js';
import { log } from '../helpers/auth.js';
import { waitFor } from '../helpers/wait.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const servers: Server[] = [];
const transports: Transport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close().catch(() => undefined)));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(handler: Handler): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function open(type: 'sse' | 'streamable-http', url: string) {
  const transport = await createTransport({ type, url }, { log, environment: {}, backend: 'remote' });
  transports.push(transport);
  const errors: Error[] = [];
  transport.onerror = (error) => errors.push(error);
  await transport.start();
  return { transport, errors };
}

describe('a remote transport failure', () => {
  it('is an expired session when the SSE endpoint answers a POST with 404', async () => {
    const url = await serve((req, res) => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('event: endpoint\ndata: /messages?sessionId=gone\n\n');
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Session not found');
    });
    const { transport, errors } = await open('sse', `${url}/sse`);
    const sent = transport.send({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const error = await sent.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PostStatusError);
    expect(httpStatusOf(error)).toBe(404);
    expect(isSessionExpired(error)).toBe(true);
    expect(sendFailure('remote', error).code).toBe('BACKEND_SESSION_EXPIRED');
    // The words stay the SDK's (logs, doctor), with the body the guard summarised.
    expect((error as Error).message).toBe(
      'Error POSTing to endpoint (HTTP 404): HTTP 404 Not Found: Session not found',
    );
    expect(errors).toContain(error);
  });

  it('gives the Streamable HTTP event stream up, typed, after two attempts to reopen it', async () => {
    let gets = 0;
    const url = await serve((req, res) => {
      if (req.method === 'POST') return void req.resume().on('end', () => res.writeHead(202).end());
      gets += 1;
      // The first stream opens and ends at once, asking for a quick retry; the server is gone after that.
      if (gets === 1) res.writeHead(200, { 'content-type': 'text/event-stream' }).end('retry: 20\n\n');
      else res.writeHead(503).end('down');
    });
    const { transport, errors } = await open('streamable-http', `${url}/mcp`);
    await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    const gaveUp = await waitFor('the give-up', () => errors.find(isReconnectGiveUp));
    expect(gaveUp).toBeInstanceOf(EventStreamGaveUp);
    expect((gaveUp as EventStreamGaveUp).attempts).toBe(2);
    expect(gets).toBe(3);
    // Nothing in what the SDK said before it is read as a give-up.
    expect(errors.filter(isReconnectGiveUp)).toEqual([gaveUp]);
  });
});

describe('the classification', () => {
  const http = (status: number) =>
    new SdkHttpError(SdkErrorCode.ClientHttpNotImplemented, `Error POSTing to endpoint: ${status}`, {
      status,
      statusText: '',
    });

  it.each([
    ['an SdkHttpError 404', http(404), true],
    ['a PostStatusError 404', new PostStatusError(404, ''), true],
    ['a PostStatusError 500', new PostStatusError(500, ''), false],
    ['a plain Error in the SDK words', new Error('Error POSTing to endpoint (HTTP 404): gone'), false],
  ])('says %s is an expired session: %s', (_name, error, expired) => {
    expect(isSessionExpired(error)).toBe(expired);
  });

  it('knows a lost connection by its socket error code, never by the words of fetch', async () => {
    const closed = await serve(() => undefined);
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
    const refused = await fetch(closed).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isConnectionLost(refused)).toBe(true);
    const dns = new TypeError('fetch failed', {
      cause: Object.assign(new Error('getaddrinfo'), { code: 'EAI_AGAIN' }),
    });
    expect(isConnectionLost(dns)).toBe(true);
    expect(isConnectionLost(new TypeError('fetch failed'))).toBe(false);
    expect(isConnectionLost(new TypeError('terminated'))).toBe(false);
  });

  it('reads no give-up into the SDK wording of one', () => {
    expect(isReconnectGiveUp(new Error('Maximum reconnection attempts (2) exceeded.'))).toBe(false);
    expect(isReconnectGiveUp(new EventStreamGaveUp(2))).toBe(true);
  });

  it('knows connection closed and request timeout by their SDK codes', () => {
    const closed = new SdkError(SdkErrorCode.ConnectionClosed, 'Connection closed');
    const timeout = new SdkError(SdkErrorCode.RequestTimeout, 'Request timed out');
    expect([isConnectionClosed(closed), isRequestTimeout(closed)]).toEqual([true, false]);
    expect([isConnectionClosed(timeout), isRequestTimeout(timeout)]).toEqual([false, true]);
    expect(isConnectionClosed(new Error('Connection closed'))).toBe(false);
  });

  it.each([
    ['an error answer to initialize', new ProtocolError(ProtocolErrorCode.InvalidRequest, 'no'), true],
    ['HTTP 400', http(400), true],
    ['HTTP 401', http(401), false],
    ['HTTP 404', http(404), false],
    ['HTTP 500', http(500), false],
    ['a timeout', new SdkError(SdkErrorCode.RequestTimeout, 'Request timed out'), false],
    ['a closed connection', new SdkError(SdkErrorCode.ConnectionClosed, 'Connection closed'), false],
  ])('takes %s as a sign the server may speak only 2026-07-28: %s', (_name, error, modern) => {
    expect(mayBeModernOnly(error)).toBe(modern);
  });
});
