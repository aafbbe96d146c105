/**
 * Which messages leaving for the host are redacted (outbound-redaction.ts): everything but a plain
 * result, with a registered secret replaced in every string and key; and the backend log filter of
 * host-notifier.ts that decides which log messages go out at all.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { redactSecret } from '../../src/log.js';
import { isPlainResult, redactForHost } from '../../src/aggregator/outbound-redaction.js';
import { hostLogParams, passesLevel } from '../../src/aggregator/host-notifier.js';

const SECRET = 'pL9mW4tR8yB3nC6hJ1fD';
const release = redactSecret(SECRET);
afterAll(() => release());

describe('redaction toward the host', () => {
  it.each([
    {
      kind: 'a result',
      message: { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: SECRET }] } },
      redacted: false,
    },
    {
      kind: 'a tool error result',
      message: {
        jsonrpc: '2.0',
        id: 1,
        result: { isError: true, content: [{ type: 'text', text: SECRET }] },
      },
      redacted: true,
    },
    {
      kind: "an error's message",
      message: { jsonrpc: '2.0', id: 1, error: { code: -32000, message: `token=${SECRET}` } },
      redacted: true,
    },
    {
      kind: "an error's data",
      message: { jsonrpc: '2.0', id: 1, error: { code: -32000, message: 'x', data: { token: SECRET } } },
      redacted: true,
    },
    {
      kind: "an error's data key",
      message: { jsonrpc: '2.0', id: 1, error: { code: -32000, message: 'x', data: { [SECRET]: 1 } } },
      redacted: true,
    },
    {
      kind: 'a log notification',
      message: { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: SECRET } },
      redacted: true,
    },
    {
      kind: 'a progress message',
      message: {
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { progressToken: 1, progress: 1, message: SECRET },
      },
      redacted: true,
    },
    {
      kind: 'a reverse request',
      message: { jsonrpc: '2.0', id: 5, method: 'sampling/createMessage', params: { messages: [SECRET] } },
      redacted: true,
    },
  ])('$kind: redacted $redacted', ({ message, redacted }) => {
    const text = JSON.stringify(message);
    const out = redactForHost(message, text);
    expect(out.includes(SECRET)).toBe(!redacted);
    if (redacted) expect(out).toContain('[redacted]');
    expect(isPlainResult(message)).toBe(!redacted && 'result' in message);
  });
});

describe('backend log messages toward the host', () => {
  it.each([
    { level: 'debug', host: undefined, passes: true },
    { level: 'debug', host: 'info', passes: false },
    { level: 'info', host: 'info', passes: true },
    { level: 'warning', host: 'notice', passes: true },
    { level: 'error', host: 'critical', passes: false },
    { level: 'emergency', host: 'emergency', passes: true },
  ])('$level with the host at $host: $passes', ({ level, host, passes }) => {
    expect(passesLevel(level, host)).toBe(passes);
  });

  it.each([
    { params: { level: 'info', data: 'x' }, logger: 'fs' },
    { params: { level: 'info', data: 'x', logger: 'io' }, logger: 'fs/io' },
  ])('names the backend in the logger ($logger)', ({ params, logger }) => {
    expect(hostLogParams('fs', params)).toEqual({ ...params, logger });
  });
});
