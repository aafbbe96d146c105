// The floor: a relay that spawns the backend and JSON.parses and re-serialises every line, both ways.
import { spawn } from 'node:child_process';
const child = spawn(process.argv[2], process.argv.slice(3), { stdio: ['pipe', 'pipe', 'inherit'] });
const pipe = (from, to) => {
  let pending = '';
  from.setEncoding('utf8');
  from.on('data', (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop();
    for (const line of lines) if (line.trim()) to.write(JSON.stringify(JSON.parse(line)) + '\n');
  });
};
pipe(process.stdin, child.stdin);
pipe(child.stdout, process.stdout);
process.stdin.on('end', () => child.stdin.end());
child.on('exit', (code) => process.exit(code ?? 0));
