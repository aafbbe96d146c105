/**
 * The byte budgets of remote replies (http-channel/reply-budget.ts): a reply's budget counts every chunk
 * of every stream it is given, and an event stream's event budget counts only the event being received,
 * whose end (a blank line, after LF, CR or CRLF line ends) may fall between two chunks.
 */
import { describe, expect, it } from 'vitest';
import { EventBudget, ReplyBudget } from '../../src/backends/http-channel/reply-budget.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('ReplyBudget', () => {
  it('adds up every chunk it is given, and names the limit once past it', () => {
    const budget = new ReplyBudget('web', 10);
    expect(budget.take(bytes('12345'))).toBeUndefined();
    expect(budget.take(bytes('67890'))).toBeUndefined();
    const error = budget.take(bytes('1'));
    expect(error?.code).toBe('RESPONSE_TOO_LARGE');
    expect(error?.message).toMatch(/backend "web" sent a response body larger than 10 bytes/);
  });
});

describe('EventBudget', () => {
  it('never cuts a stream of small events, however long the stream', () => {
    const budget = new EventBudget('web', 64);
    for (const end of ['\n\n', '\r\r', '\r\n\r\n', '\n\r\n']) {
      for (let i = 0; i < 100; i++) expect(budget.take(bytes(`data: {"n":${i}}${end}`))).toBeUndefined();
    }
  });

  it('finds the end of an event cut between two chunks', () => {
    for (const [before, after] of [
      ['\n', '\n'],
      ['\r', '\r'],
      ['\r\n', '\r\n'],
      ['\r\n\r', '\n'],
    ]) {
      const budget = new EventBudget('web', 64);
      expect(budget.take(bytes(`data: ${'x'.repeat(40)}${before}`))).toBeUndefined();
      expect(budget.take(bytes(`${after}data: ${'y'.repeat(40)}`))).toBeUndefined();
    }
  });

  it('cuts an event that grows past the limit, CR LF line ends being no event end', () => {
    const budget = new EventBudget('web', 64);
    expect(budget.take(bytes('data: a\r\n'))).toBeUndefined();
    expect(budget.take(bytes(`data: ${'x'.repeat(30)}\r\n`))).toBeUndefined();
    expect(budget.take(bytes(`data: ${'x'.repeat(30)}`))?.code).toBe('RESPONSE_TOO_LARGE');
  });
});
