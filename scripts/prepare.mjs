// `npm run prepare`: the build, run by npm before `npm pack`/`npm publish`, on `npm install` in a clone, and
// when installing from a git URL or a folder (`npm install -g <path>`). A folder is linked as it is, without
// its dependencies, so when they are missing (a fresh clone) they are installed here first: the linked CLI
// resolves its dependencies from this folder's node_modules.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.env.npm_execpath;
// Inside `npm install -g`, npm's own settings say "global": this folder's install is a project install.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^npm_config_(global|location|prefix)$/i.test(key)),
);
const options = { cwd: root, stdio: 'inherit', env };
const run = (args) =>
  npm
    ? execFileSync(process.execPath, [npm, ...args], options)
    : execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, {
        ...options,
        shell: process.platform === 'win32',
      });

if (!existsSync(join(root, 'node_modules', 'typescript', 'package.json'))) {
  console.error('mcp-sentinel: installing its dependencies before the build (a fresh clone)');
  run(['ci', '--no-audit', '--no-fund', '--ignore-scripts']);
}
run(['run', 'build']);
