/** In serve, every console method writes to stderr: stdout carries JSON-RPC only. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TestHost } from '../helpers/host.js';

describe('console output of any module in serve', () => {
  it('goes to stderr, whichever console method wrote it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-stdout-'));
    // Stands in for a dependency that prints: SIGUSR2 makes it use console methods besides log.
    const chatty = join(dir, 'chatty.mjs');
    writeFileSync(
      chatty,
      "process.on('SIGUSR2', () => { console.dir({ chatty: 'dir' }); console.table([{ chatty: 'table' }]); console.log('chatty log'); });\n",
    );
    const host = await TestHost.start({
      config: { mcpServers: {} },
      env: { NODE_OPTIONS: `--import ${chatty}` },
    });
    try {
      await host.client.ping();
      host.child.kill('SIGUSR2');
      await host.waitForStderr('chatty log');
      await host.client.ping();
      expect(host.stderr).toContain("chatty: 'dir'");
      expect(host.stderr).toContain('table');
      expect(host.nonProtocolStdout()).toEqual([]);
    } finally {
      await host.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
