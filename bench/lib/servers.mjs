/** HTTP backends for the benchmark: server-everything in Streamable HTTP or SSE mode, on 127.0.0.1. */
import { fileURLToPath } from 'node:url';
import { spawnTracked, stopTree } from './proc.mjs';

const LOOPBACK = fileURLToPath(new URL('../fixtures/loopback.mjs', import.meta.url));

/** Starts `node --import loopback.mjs <script> <args>` with PORT=0 and resolves with its port. */
export async function startHttpServer(script, args, env = {}) {
  const child = spawnTracked(process.execPath, ['--import', LOOPBACK, script, ...args], {
    env: { ...process.env, ...env, PORT: '0' },
  });
  child.stdout.resume();
  let output = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} ${args.join(' ')} did not listen:\n${output}`)),
      15_000,
    );
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      output = (output + chunk).slice(-4_000);
      const match = /bench-listening (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)));
  });
  return { port, close: () => stopTree(child.pid, undefined, 0) };
}
