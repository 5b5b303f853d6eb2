// `npm run build`: every publishable package to dist/ as ESM (.mjs) and CommonJS (.cjs), each with its
// declarations (.d.mts/.d.cts) and source maps. tsdown is the library bundler the OpenTelemetry JS packages
// themselves are built with: one bundle per entry loads faster than a tree of small files, and it writes
// both formats and their declarations in one pass. Dependencies stay external (they are installed beside us).
import { defineConfig, type UserConfig } from 'tsdown';

/** Library packages and their entries (relative to the package). */
const LIBRARIES: Record<string, string[]> = {
  'packages/semconv': ['src/index.ts'],
  'packages/pricing': ['src/index.ts'],
  'packages/instrumentation-core': ['src/index.ts'],
  'packages/instrumentation-bedrock': ['src/index.ts'],
  'packages/instrumentation-openai': ['src/index.ts'],
  'packages/instrumentation-anthropic': ['src/index.ts'],
  'packages/instrumentation-sagemaker': ['src/index.ts'],
  'packages/retrieval': ['src/index.ts'],
  'packages/accelerators': ['src/index.ts'],
  'packages/node': ['src/index.ts', 'src/register.ts', 'src/register-esm.ts'],
};

/** Files a package reads at run time next to its code (same name in src/ and dist/). */
const ASSETS: Record<string, string[]> = {
  'packages/pricing': ['src/catalog.json', 'src/cross-check-exceptions.json'],
  collector: ['src/web/page.html'],
};

const common: UserConfig = {
  platform: 'node',
  target: 'node22.15',
  outDir: 'dist',
  sourcemap: true,
  fixedExtension: true,
  hash: false,
  clean: false,
  logLevel: 'warn',
  inputOptions: { checks: { pluginTimings: false } },
  // tsdown suggests ESM only; the CommonJS copy is for bundlers and CommonJS TypeScript projects
  // (see README "Use it in your app": require() gets CommonJS, import gets ESM, as with OpenTelemetry itself).
  suppressWarnings: [/ESM format instead of CommonJS/, /tsgo` generator on TypeScript 7\.0/, /import\.meta` will be replaced with an empty object/],
};

export default defineConfig([
  ...Object.entries(LIBRARIES).map(([cwd, entry]): UserConfig => ({
    ...common,
    name: cwd,
    cwd,
    entry,
    format: ['esm', 'cjs'],
    dts: { sourcemap: true },
    copy: (ASSETS[cwd] ?? []).map((from) => ({ from, to: 'dist', flatten: true })),
  })),
  // The collector: its programs are ESM only (top-level await; never required) and share one chunk
  // of collector code with the ESM library entry; the CommonJS copy is the library entry alone.
  {
    ...common,
    name: 'collector',
    cwd: 'collector',
    entry: { index: 'src/index.ts', 'bin/tokenledger-collector': 'src/cli/collector-main.ts', 'bin/tokenledger': 'src/cli/tokenledger.ts' },
    format: 'esm',
    dts: { sourcemap: true },
    copy: ASSETS.collector.map((from) => ({ from, to: 'dist', flatten: true })),
  },
  { ...common, name: 'collector (cjs)', cwd: 'collector', entry: ['src/index.ts'], format: 'cjs', dts: { sourcemap: true } },
]);
