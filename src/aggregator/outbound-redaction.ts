/**
 * The one place redaction toward the host is decided: every message that leaves for the host passes
 * here (the host transport calls it on each encoded line, whoever wrote the message: the SDK server, the
 * fast path, the initialize answer, the transport's own errors). Everything is redacted except a
 * successful result, which is the backend's answer and the host's to see unchanged: log notifications,
 * progress messages, errors (message, data, keys), reverse requests, and tool results that report an
 * error (`isError`, whose text is an error message, often ours), all have every registered secret
 * replaced (src/log.ts). Nothing upstream redacts what it sends to the host. The one exception is of
 * mcp-sentinel's own making: its own results that quote an error (status.ts) redact what they quote,
 * because results pass here unredacted.
 */
import { hasSecrets, redactJson } from '../log.js';

/** Whether a message may leave for the host unredacted: a response with a result that is not an error. */
export function isPlainResult(message: unknown): boolean {
  if (message === null || typeof message !== 'object' || 'method' in message || !('result' in message))
    return false;
  const result = (message as { result: unknown }).result;
  return !(
    result !== null &&
    typeof result === 'object' &&
    (result as { isError?: unknown }).isError === true
  );
}

/** Whether redaction could change `message` on its way to the host (its encoding may then be spliced). */
export function needsRedaction(message: unknown): boolean {
  return hasSecrets() && !isPlainResult(message);
}

/** `text`, the encoding of `message`, as it may leave for the host. */
export function redactForHost(message: unknown, text: string): string {
  return needsRedaction(message) ? redactJson(text) : text;
}
