/**
 * RSA key pairs for the test authorization servers and workload identities. A 2048-bit RSA key takes
 * 50-300 ms of CPU to generate, and the suite starts some 80 servers and clients that sign with one: the
 * keys come from a small pool kept in node_modules/.cache, made on first use and reused by later runs.
 * One process hands out the pool's keys in turn, so the servers and clients of one file get distinct keys
 * (a token signed by one is still refused by another).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.js';

const POOL_SIZE = 16;
const POOL = join(ROOT, 'node_modules', '.cache', 'sentinel-test-keys');
// Workers start at different places in the pool, so that files running side by side rarely share a key.
let next = process.pid % POOL_SIZE;

export interface TestKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** The next RSA-2048 key pair of the pool (made and saved when the pool does not have it yet). */
export function rsaKeyPair(): TestKeyPair {
  const file = join(POOL, `rsa-2048-${next}.pem`);
  next = (next + 1) % POOL_SIZE;
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    mkdirSync(POOL, { recursive: true });
    // Written aside, then renamed: another worker reading the same key never sees half a file.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, pem, { mode: 0o600 });
    renameSync(partial, file);
  }
  const privateKey = createPrivateKey(pem);
  return { privateKey, publicKey: createPublicKey(privateKey) };
}
