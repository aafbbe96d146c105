/**
 * The result schema mcp-sentinel hands the SDK client for what it relays (lists, forwarded requests of a
 * 2026-07-28 session, reverse-request payloads): it accepts any object and returns it as it came, so no
 * schema of the SDK trims, reorders or rejects what a backend sent. A bad item inside a list is for
 * listing.ts to drop, one at a time; the SDK's own list schemas would fail the whole list.
 */
import type { StandardSchemaV1 } from '@modelcontextprotocol/client';

export const PASS_THROUGH: StandardSchemaV1<Record<string, unknown>> = {
  '~standard': {
    version: 1,
    vendor: 'mcp-sentinel',
    validate: (value) =>
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? { value: value as Record<string, unknown> }
        : { issues: [{ message: 'expected an object' }] },
  },
};
