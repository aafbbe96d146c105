/** doctor against real backends: each secret is read from the keychain once per run. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/doctor/index.js';
import type { SecretStore } from '../../src/secrets/index.js';
import { fixtureServerArgs } from '../helpers/paths.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sentinel-doctor-reads-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** An in-memory keychain that counts reads per name. */
function countingKeychain(values: Record<string, string>): {
  store: SecretStore;
  reads: Map<string, number>;
} {
  const reads = new Map<string, number>();
  const store: SecretStore = {
    description: 'test keychain',
    async get(name) {
      reads.set(name, (reads.get(name) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return values[name];
    },
    async set() {},
    async delete() {
      return false;
    },
    async list() {
      return Object.keys(values).sort();
    },
    async probe() {
      return { ok: true, store: 'test keychain' };
    },
  };
  return { store, reads };
}

describe('doctor', () => {
  it('reads each secret once, though references and the backend probe both resolve it', async () => {
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        mcpServers: {
          a: {
            command: process.execPath,
            args: fixtureServerArgs(),
            env: { X: 'secret:shared' },
          },
          b: {
            command: process.execPath,
            args: fixtureServerArgs(),
            env: { Y: 'secret:shared' },
          },
        },
      }),
    );
    const { store, reads } = countingKeychain({ shared: 'value-of-shared' });
    const report = await runDoctor({
      config,
      hosts: [],
      servers: [],
      serverKey: 'sentinel',
      env: { PATH: process.env.PATH },
      keychain: store,
    });
    expect(report.backends.map((b) => b.status)).toEqual(['ok', 'ok']);
    expect(report.references.every((r) => r.status === 'ok')).toBe(true);
    expect(Object.fromEntries(reads)).toEqual({ shared: 1 });
  });
});
