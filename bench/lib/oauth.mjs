/**
 * OAuth: 1,000 calls over 16 concurrent streams to a Streamable HTTP backend that mcp-sentinel reaches
 * with client-credentials tokens; counts the token requests the authorization server saw (expected: one
 * per token lifetime) and checks that every backend request carried a Bearer token.
 */
import { startAuthServer, startGate } from '../fixtures/oauth.mjs';
import { stdioHost } from './hosts.mjs';
import { startHttpServer } from './servers.mjs';

const CALLS = 1_000;
const STREAMS = 16;
const TTL_SECONDS = 60;

export async function measureOAuth({ sentinel, everything, writeConfig }) {
  const backend = await startHttpServer(everything, ['streamableHttp']);
  const closers = [() => backend.close()];
  try {
    const gate = await startGate(backend.port);
    closers.unshift(() => gate.close());
    const url = `http://127.0.0.1:${gate.port}/mcp`;
    const as = await startAuthServer({
      clientId: 'bench',
      clientSecret: 'bench-secret',
      resource: url,
      ttlSeconds: TTL_SECONDS,
    });
    closers.unshift(() => as.close());
    const config = writeConfig('oauth', {
      e: {
        type: 'streamable-http',
        url,
        auth: { type: 'oauth2', tokenUrl: as.tokenUrl, clientId: 'bench', clientSecret: 'bench-secret' },
      },
    });
    const host = await stdioHost('sentinel', sentinel.command, [
      ...sentinel.args,
      'serve',
      '--config',
      config,
    ]);
    closers.unshift(() => host.close());
    const started = performance.now();
    let issued = 0;
    let failed = 0;
    await Promise.all(
      Array.from({ length: STREAMS }, async () => {
        while (issued < CALLS) {
          issued++;
          const result = await host.call('e__echo', { message: 'token?' });
          if (result.isError) failed++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const lifetimes = 1 + Math.floor(seconds / (TTL_SECONDS * 0.9));
    return {
      calls: CALLS,
      streams: STREAMS,
      ttlSeconds: TTL_SECONDS,
      seconds,
      failed,
      tokenRequests: as.tokenRequests(),
      expected: lifetimes,
      backendRequests: { ...gate.counts },
    };
  } catch (error) {
    return { pending: `could not run: ${error.message.split('\n')[0]}` };
  } finally {
    for (const close of closers) await close();
  }
}
