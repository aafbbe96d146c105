/**
 * `init --from`'s credential move: on a terminal it offers, for each literal credential found, to store it in
 * the keychain under the proposed name (the value it read, or another one typed at a hidden prompt);
 * `--store-secrets` stores them all without asking. What was stored is written as a reference. Without a
 * terminal and without the flag nothing is stored and init prints the commands instead. Values are never
 * printed.
 */
import { createInterface } from 'node:readline/promises';
import { SentinelError } from '../../errors.js';
import { credentialValues, type CredentialMove } from '../../install/credential-move.js';
import type { ImportResult } from '../../install/import.js';
import { createSecretStore, type SecretStore } from '../../secrets/index.js';

export interface MoveOutcome {
  stored: CredentialMove[];
  /** Lines to show: credentials that stay literal, and why. */
  problems: string[];
}

type Choice = { use: 'read' } | { use: 'typed'; value: string } | { use: 'skip' };

async function askHidden(message: string): Promise<string> {
  const { default: password } = await import('@inquirer/password');
  return password({ message });
}

/** One question per credential: Y (store the value read), n (leave it), e (type another value). */
async function askChoice(move: CredentialMove, exists: boolean): Promise<Choice> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const what = `${move.credential.path} into the keychain as "${move.credential.secretName}"`;
    const note = exists ? ' (a secret of that name exists and will be replaced)' : '';
    const answer = (await rl.question(`Move ${what}${note}? [Y/n/e=enter another value] `)).trim();
    if (/^n/i.test(answer)) return { use: 'skip' };
    if (/^e/i.test(answer)) {
      rl.close();
      const value = await askHidden(`Value for secret ${move.credential.secretName}:`);
      return value === '' ? { use: 'skip' } : { use: 'typed', value };
    }
    return { use: 'read' };
  } finally {
    rl.close();
  }
}

async function existing(store: SecretStore, name: string): Promise<string | undefined> {
  try {
    return await store.get(name);
  } catch {
    return undefined; // set() reports what is wrong with the keychain
  }
}

export async function moveCredentials(
  result: ImportResult,
  options: { storeSecrets?: boolean; ask?: boolean },
): Promise<MoveOutcome> {
  const outcome: MoveOutcome = { stored: [], problems: [] };
  const interactive = options.ask !== false && Boolean(process.stdin.isTTY && process.stdout.isTTY);
  if (!options.storeSecrets && !interactive) return outcome;
  const moves = credentialValues(result.servers, result.credentials);
  if (moves.length === 0) return outcome;
  const store = createSecretStore({ env: {} });
  for (const move of moves) {
    const name = move.credential.secretName;
    const current = await existing(store, name);
    let value = move.value;
    if (options.storeSecrets) {
      if (current !== undefined && current !== value) {
        outcome.problems.push(
          `secret "${name}" is already in the keychain with another value; ${move.credential.path} stays as written`,
        );
        continue;
      }
    } else {
      const choice = await askChoice(move, current !== undefined && current !== value);
      if (choice.use === 'skip') continue;
      if (choice.use === 'typed') value = choice.value;
    }
    try {
      if (current !== value) await store.set(name, value);
      outcome.stored.push({ ...move, value });
    } catch (error) {
      const reason = error instanceof SentinelError ? error.message : 'the keychain failed';
      outcome.problems.push(`${move.credential.path} stays as written: ${reason}`);
    }
  }
  return outcome;
}
