// Imported first by the repository's own scripts (generators, benchmarks): they must run the packages'
// TypeScript sources, not a dist/ that may be stale. npm scripts set the source condition (.npmrc); a script
// started with plain `node` is stopped here with the command that works.
import { SOURCE_CONDITION } from './workspaces.ts';

if (!import.meta.resolve('@tokenledger/semconv').endsWith('/src/index.ts')) {
  const script = process.argv[1] ?? 'the script';
  console.error(`${script}: run it from the sources — through npm (npm run …), or node --conditions=${SOURCE_CONDITION} ${script}`);
  process.exit(2);
}
