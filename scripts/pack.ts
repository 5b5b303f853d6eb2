// `npm run pack-packages -- <dir>` (node scripts/pack.ts <dir>): packs every publishable workspace (after `npm run build`) into <dir>, as
// `npm publish` would ship them; prints the tarballs. Used by the Dockerfile and the release procedure.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { publishable, REPO } from './workspaces.ts';

const dest = process.argv[2];
if (!dest) {
  console.error('usage: node scripts/pack.ts <destination folder>');
  process.exit(2);
}
mkdirSync(dest, { recursive: true });
const args = ['pack', '--pack-destination', resolve(dest), ...publishable().flatMap((w) => ['-w', w.dir])];
execFileSync('npm', args, { cwd: REPO, stdio: 'inherit' });
