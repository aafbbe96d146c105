/**
 * A server entry written in a test without references, taken as resolved: the auth layer accepts only
 * what src/refs/resolve.ts returns, and an entry without `$VAR` or `secret:` resolves to itself.
 */
import type { HttpServerConfig, ResolvedHttpServerConfig } from '../../src/config/types.js';

export function resolved(server: HttpServerConfig): ResolvedHttpServerConfig {
  return server as ResolvedHttpServerConfig;
}
