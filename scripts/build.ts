// `npm run build`: every publishable workspace to dist/, as users install it.
// - JavaScript: one ESM (.mjs) and one CommonJS (.cjs) bundle per entry of the package's `exports` (plus the
//   collector's programs, ESM only), with source maps, by rolldown (the bundler Vite and tsdown are built
//   on). Dependencies stay external: they are installed beside us. One file per entry loads faster than a
//   tree of small modules, which the preload's start-up budget needs.
// - Declarations: TypeScript's own emit, twice: dist/types for `import`, dist/types-cjs (a CommonJS
//   folder) for `require`, so each format's types match its JavaScript.
// The entries come from package.json: `exports` names each output (./dist/<name>.mjs|cjs) and its source
// (the `@tokenledger/source` condition, src/<name>.ts); a `bin` launcher names its program by the
// ../dist/<path>.mjs it imports. Files under src/ that are not TypeScript (catalog.json, page.html) are
// copied to dist/, where the bundles read them next to themselves.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { rolldown, type InputOptions, type OutputOptions } from 'rolldown';
import { publishable, REPO, SOURCE_CONDITION, type Workspace } from './workspaces.ts';

const TARGET = 'node22';

interface Entries {
  esm: Record<string, string>;
  cjs: Record<string, string>;
}

const started = performance.now();
const only = process.argv.slice(2);
for (const ws of buildOrder(publishable())) {
  if (only.length > 0 && !only.some((o) => ws.name.includes(o) || ws.dir.includes(o))) continue;
  await buildPackage(ws);
}
console.log(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);

async function buildPackage(ws: Workspace): Promise<void> {
  const root = join(REPO, ws.dir);
  const dist = join(root, 'dist');
  rmSync(dist, { recursive: true, force: true });
  const entries = entriesOf(ws, root);
  await bundle(root, entries.esm, 'esm');
  await bundle(root, entries.cjs, 'cjs');
  declarations(ws, root);
  copyAssets(join(root, 'src'), dist);
}

/** Output name → source file, per format, from the package's exports and bin launchers. */
function entriesOf(ws: Workspace, root: string): Entries {
  const entries: Entries = { esm: {}, cjs: {} };
  const add = (format: keyof Entries, target: string | undefined) => {
    if (target === undefined) return;
    const m = /^\.\/dist\/(.+)\.(mjs|cjs)$/.exec(target);
    if (!m) throw new Error(`${ws.name}: export target ${target} is not ./dist/<name>.mjs|cjs`);
    const source = join(root, 'src', `${m[1]}.ts`);
    if (!existsSync(source)) throw new Error(`${ws.name}: ${target} has no source ${relative(REPO, source)}`);
    entries[format][m[1]!] = source;
  };
  for (const [subpath, value] of Object.entries((ws.manifest.exports ?? {}) as Record<string, unknown>)) {
    if (typeof value !== 'object' || value === null) continue; // ./package.json
    const conditions = value as Record<string, { default?: string } | string>;
    if (!(SOURCE_CONDITION in conditions)) throw new Error(`${ws.name}: export ${subpath} has no ${SOURCE_CONDITION} condition`);
    add('esm', (conditions.import as { default?: string } | undefined)?.default);
    add('cjs', (conditions.require as { default?: string } | undefined)?.default);
  }
  for (const launcher of Object.values((ws.manifest.bin ?? {}) as Record<string, string>)) {
    const text = readFileSync(join(root, launcher), 'utf8');
    const m = /import '\.\.\/dist\/(.+)\.mjs';/.exec(text);
    if (!m) throw new Error(`${ws.name}: bin ${launcher} does not import ../dist/<program>.mjs`);
    add('esm', `./dist/${m[1]}.mjs`);
  }
  return entries;
}

async function bundle(root: string, input: Record<string, string>, format: 'esm' | 'cjs'): Promise<void> {
  if (Object.keys(input).length === 0) return;
  const ext = format === 'esm' ? 'mjs' : 'cjs';
  const options: InputOptions = {
    input,
    cwd: root,
    platform: 'node',
    // Bare specifiers are dependencies (or Node built-ins): never bundled.
    external: (id) => !id.startsWith('.') && !id.startsWith('/') && !/^[A-Za-z]:/.test(id),
    transform: {
      target: TARGET,
      // CommonJS has no import.meta: the same facts from the CommonJS module scope. `import.meta.resolve`
      // becomes undefined, which is how load-sync.ts tells the formats apart.
      define: format === 'cjs'
        ? {
          'import.meta.url': 'require("node:url").pathToFileURL(__filename).href',
          'import.meta.dirname': '__dirname',
          'import.meta.filename': '__filename',
          'import.meta.resolve': 'undefined',
        }
        : {},
    },
    checks: { pluginTimings: false },
    logLevel: 'warn',
    onLog(level, log, handler) {
      // Anything rolldown warns about is a build error here: better now than in a user's process.
      if (level === 'warn') throw new Error(`rolldown (${relative(REPO, root)}, ${format}): ${log.message}`);
      handler(level, log);
    },
  };
  const output: OutputOptions = {
    dir: join(root, 'dist'),
    format,
    sourcemap: true,
    entryFileNames: `[name].${ext}`,
    chunkFileNames: `shared-[hash].${ext}`,
    ...(format === 'cjs' ? { exports: 'named' as const } : {}),
  };
  const build = await rolldown(options);
  try {
    await build.write(output);
  } finally {
    await build.close();
  }
}

/**
 * tsc --emitDeclarationOnly over the package's src/, resolving its sibling packages through their built
 * declarations (no source condition: dependencies are built first), then the same files again as a
 * CommonJS folder for the `require` condition.
 */
function declarations(ws: Workspace, root: string): void {
  const cacheDir = join(REPO, 'node_modules', '.cache', 'tokenledger-build');
  mkdirSync(cacheDir, { recursive: true });
  const config = join(cacheDir, `${basename(ws.dir)}.tsconfig.json`);
  writeFileSync(config, JSON.stringify({
    extends: join(REPO, 'tsconfig.base.json'),
    compilerOptions: {
      customConditions: [],
      noEmit: false,
      declaration: true,
      emitDeclarationOnly: true,
      declarationMap: true,
      rootDir: join(root, 'src'),
      outDir: join(root, 'dist', 'types'),
      tsBuildInfoFile: null,
    },
    include: [join(root, 'src')],
  }));
  try {
    execFileSync(join(REPO, 'node_modules', '.bin', 'tsc'), ['-p', config], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`${ws.name}: declarations failed:\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`);
  }
  const cjs = join(root, 'dist', 'types-cjs');
  cpSync(join(root, 'dist', 'types'), cjs, { recursive: true });
  writeFileSync(join(cjs, 'package.json'), '{ "type": "commonjs" }\n');
}

/** Every non-TypeScript file under src/, flattened into dist/ (a clash of names is an error). */
function copyAssets(src: string, dist: string): void {
  const seen = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!entry.name.endsWith('.ts')) {
        const other = seen.get(entry.name);
        if (other) throw new Error(`assets ${relative(REPO, other)} and ${relative(REPO, path)} would both be dist/${entry.name}`);
        seen.set(entry.name, path);
        mkdirSync(dist, { recursive: true });
        cpSync(path, join(dist, entry.name));
      }
    }
  };
  walk(src);
}

/** Workspaces ordered so each comes after the workspaces it depends on (declarations need theirs). */
function buildOrder(list: Workspace[]): Workspace[] {
  const byName = new Map(list.map((w) => [w.name, w]));
  const done = new Set<string>();
  const order: Workspace[] = [];
  const visit = (w: Workspace, path: string[]) => {
    if (done.has(w.name)) return;
    if (path.includes(w.name)) throw new Error(`dependency cycle: ${[...path, w.name].join(' → ')}`);
    for (const dep of Object.keys((w.manifest.dependencies ?? {}) as Record<string, string>)) {
      const d = byName.get(dep);
      if (d) visit(d, [...path, w.name]);
    }
    done.add(w.name);
    order.push(w);
  };
  for (const w of list) visit(w, []);
  return order;
}
