// npm run bench: every benchmark in this folder, one after the other, each printing its own table.
// One at a time on purpose: they measure CPU, and two at once on a 2-core machine measure each other.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const skip = new Set(['run-all.ts', 'otlp-bodies.ts']);
const only = process.argv.slice(2);
const benches = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith('.ts') && !skip.has(f))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n## ${file}\n`);
  const r = spawnSync(process.execPath, [join(import.meta.dirname, file)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
