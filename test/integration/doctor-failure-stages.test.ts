/**
 * doctor names the stage at which a backend's start failed from the error's code and stage fields: a
 * process that exits before answering initialize, one that never answers it, one whose command is missing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor, type DoctorReport } from '../../src/doctor/index.js';
import { fixtureServerArgs } from '../helpers/paths.js';

/** Long enough for the crashing process to start and exit on a loaded machine: "silent" waits it out. */
const TIMEOUT_MS = 3_000;
let dir: string;
let report: DoctorReport;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sentinel-doctor-stages-'));
  const config = join(dir, 'config.json');
  const fixtureIn = (mode: string) => ({
    command: process.execPath,
    args: fixtureServerArgs(),
    env: { FIXTURE_NAME: mode, FIXTURE_MODE: mode },
  });
  writeFileSync(
    config,
    JSON.stringify({
      mcpServers: {
        crashes: fixtureIn('crash-on-start'),
        silent: fixtureIn('hang-init'),
        missing: { command: 'definitely-not-a-command-4711' },
      },
    }),
  );
  report = await runDoctor({
    config,
    hosts: [],
    servers: [],
    serverKey: 'sentinel',
    env: { PATH: process.env.PATH },
    timeoutMs: TIMEOUT_MS,
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const failedCheck = (name: string) => {
  const backend = report.backends.find((b) => b.name === name);
  expect(backend?.status, name).toBe('fail');
  return backend!.checks.find((check) => check.status === 'fail');
};

describe('doctor on backends that fail to start', () => {
  it('says the process exited before answering initialize, with its last output', () => {
    expect(failedCheck('crashes')).toMatchObject({
      id: 'initialize',
      reason: expect.stringMatching(
        /^the process exited before answering initialize \(last output: .*crashing on purpose/,
      ),
      hint: expect.stringContaining('run it by hand'),
    });
  });

  it('says initialize got no answer within the timeout', () => {
    expect(failedCheck('silent')).toMatchObject({
      id: 'initialize',
      reason: expect.stringMatching(
        new RegExp(`^timed out: no answer to initialize within ${TIMEOUT_MS} ms`),
      ),
    });
  });

  it('names a missing command at the connect stage, with the hint of the error and no "run doctor"', () => {
    const check = failedCheck('missing');
    expect(check).toMatchObject({ reason: expect.stringContaining('definitely-not-a-command-4711') });
    expect(check?.hint ?? '').not.toContain('run `mcp-sentinel doctor` for details');
  });
});
