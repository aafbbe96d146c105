/**
 * Event-stream text split into lines, as the SSE format defines them: a line ends at CR, LF or CRLF,
 * including a CRLF whose two halves arrive in different chunks. Text without a line end is only collected,
 * so a 1 MB line arriving in many chunks is joined once; a line cut off by the end of the stream is never
 * given out (as EventSource does). Both readers of event streams (reply-reader.ts for a POST's reply,
 * event-stream-tap.ts for the SSE session's GET stream) split with it, and take a `retry:` wait the same
 * way (`retryWait`).
 */
/** The longest `retry:` wait a server gets before a stream is resumed or reconnected. */
export const MAX_RETRY_MS = 30_000;

/**
 * A `retry:` field's wait in ms, taken up to MAX_RETRY_MS (a huge one must not hold a request or a session,
 * or overflow a timer); undefined when the value is not a number, which the format says to ignore.
 */
export function retryWait(value: string): number | undefined {
  return /^\d+$/.test(value) ? Math.min(Number(value), MAX_RETRY_MS) : undefined;
}

export class EventStreamLines {
  private pending: string[] = [];
  private lastWasCR = false;

  constructor(private readonly onLine: (line: string) => void) {}

  push(text: string): void {
    let start = 0;
    if (this.lastWasCR && text.charCodeAt(0) === 10) start = 1;
    this.lastWasCR = false;
    // Each terminator is searched for once per chunk, not once per line (a chunk without `\r` is common).
    let lf = text.indexOf('\n', start);
    let cr = text.indexOf('\r', start);
    for (;;) {
      if (lf !== -1 && lf < start) lf = text.indexOf('\n', start);
      if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
      const at = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      if (at === -1) break;
      this.pending.push(text.slice(start, at));
      const line = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
      this.pending = [];
      start = at + 1;
      if (text.charCodeAt(at) === 13) {
        if (start < text.length) {
          if (text.charCodeAt(start) === 10) start++;
        } else this.lastWasCR = true;
      }
      this.onLine(line);
    }
    if (start < text.length) this.pending.push(text.slice(start));
  }
}
