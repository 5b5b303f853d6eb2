// `npm run pack-packages -- <dir>` (builds, then node scripts/pack.ts <dir>): packs every publishable workspace into
// <dir>, as `npm publish` would ship them, and prints the tarballs. Used by the Dockerfile and the release procedure.
import { packPublishable } from './workspaces.ts';

const dest = process.argv[2];
if (!dest) {
  console.error('usage: node scripts/pack.ts <destination folder>');
  process.exit(2);
}
for (const file of packPublishable(dest).values()) console.log(file);
