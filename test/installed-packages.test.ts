// TokenLedger as a user gets it: every publishable package built, packed and installed from its tarball
// into an app folder outside this repository, then used from a CommonJS app (--require) and an ESM app
// (--import) under the newest Node 22 and Node 24 from npm, exporting to the collector started from its
// installed bin. Also what a release checks: publint, arethetypeswrong, `npm publish --dry-run`.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutcomeRow } from '@tokenledger/collector';
import { startBedrockEndpoint, type BedrockEndpoint } from '@tokenledger/local-endpoints';
import { buildAndPack, installApp, nodeBinaryPackage, outsideRepo, publishable, REPO, run, userEnv, workspaces } from './support/packed.ts';

// Claude 3.5 Haiku on Bedrock, on demand: $0.80 input and $4.00 output per million tokens (AWS Bedrock
// pricing page; the catalog's entry). A model id without a profile prefix: no regional premium applies.
const MODEL_ID = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const INPUT_USD_PER_TOKEN = 0.8e-6;
const OUTPUT_USD_PER_TOKEN = 4e-6;

const NODE_MAJORS = ['22', '24'] as const;
const FIXTURES = join(REPO, 'test', 'fixtures', 'consumer');
const bin = (name: string) => join(REPO, 'node_modules', '.bin', name);

let work: string;
let tarballs: Map<string, string>;
let app: string;

beforeAll(async () => {
  work = await outsideRepo('tokenledger-consumer-');
  const packs = join(work, 'packs');
  await mkdir(packs);
  tarballs = await buildAndPack(packs);
  app = join(work, 'app');
  const repoManifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  await installApp(app, {
    ...Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`])),
    '@aws-sdk/client-bedrock-runtime': repoManifest.devDependencies['@aws-sdk/client-bedrock-runtime'].replace(/^\^/, ''),
    '@opentelemetry/api': '^1.10.0',
    '@types/node': repoManifest.devDependencies['@types/node'],
    ...Object.fromEntries(NODE_MAJORS.map((m) => [`node${m}`, `npm:${nodeBinaryPackage()}@^${m}`])),
  });
  // The apps are the preload tests' Bedrock apps; the TypeScript files check the installed declarations.
  for (const f of ['app.cjs', 'app.mjs']) await copyFile(join(REPO, 'test', 'fixtures', 'preload', `bedrock-${f}`), join(app, f));
  for (const f of ['types.cts', 'types.mts', 'tsconfig.json']) await copyFile(join(FIXTURES, f), join(app, f));
}, 600_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packed packages', () => {
  it('are every non-private workspace, and the test-only ones are private', () => {
    const names = publishable().map((w) => w.name).sort();
    expect(names).toEqual([...tarballs.keys()].sort());
    for (const name of ['@tokenledger/node', '@tokenledger/semconv', '@tokenledger/pricing', '@tokenledger/retrieval', '@tokenledger/accelerators', '@tokenledger/collector']) {
      expect(names).toContain(name);
    }
    const privates = workspaces().filter((w) => w.private).map((w) => w.name).sort();
    expect(privates).toEqual(['@tokenledger/demo', '@tokenledger/local-endpoints']);
  });

  it('ship JavaScript, declarations and maps, and no tests, fixtures or benches', async () => {
    for (const [name, file] of tarballs) {
      const list = await run('tar', ['tzf', file], { cwd: work, env: process.env });
      const files = list.stdout.trim().split('\n');
      expect(files, name).toContain('package/dist/index.mjs');
      expect(files, name).toContain('package/dist/index.cjs');
      expect(files, name).toContain('package/dist/types/index.d.ts');
      expect(files, name).toContain('package/dist/types-cjs/index.d.ts');
      expect(files, name).toContain('package/dist/types-cjs/package.json');
      expect(files, name).toContain('package/dist/types/index.d.ts.map');
      expect(files.filter((f) => f.endsWith('.mjs.map')), name).not.toEqual([]);
      expect(files.filter((f) => f.endsWith('.cjs.map')), name).not.toEqual([]);
      expect(files.filter((f) => /\/(test|tests|fixtures|bench)\/|\.test\.ts$/.test(f)), name).toEqual([]);
    }
  });

  it('pass publint (strict) and arethetypeswrong with no problem', async () => {
    for (const [name, file] of tarballs) {
      const lint = await run(bin('publint'), ['run', '--strict', file], { cwd: work, env: process.env });
      expect(lint.code, `${name}: ${lint.stdout}${lint.stderr}`).toBe(0);
      expect(lint.stdout, name).toMatch(/All good!/);
      const types = await run(bin('attw'), [file, '--format', 'json'], { cwd: work, env: process.env });
      const report = JSON.parse(types.stdout) as { analysis: { problems: unknown[] } };
      expect(report.analysis.problems, name).toEqual([]);
      expect(types.code, name).toBe(0);
    }
  });

  it('give types to CommonJS and ESM TypeScript projects', async () => {
    const tsc = await run(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: app, env: userEnv() });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
  });

  it('carry what a release needs: license, repository, homepage, public access, a changelog; changesets reads the config', async () => {
    for (const w of publishable()) {
      expect(w.manifest, w.name).toMatchObject({
        license: 'Apache-2.0',
        repository: { type: 'git', directory: w.dir },
        homepage: expect.stringMatching(/^https:\/\//),
        publishConfig: { access: 'public' },
        engines: { node: '>=22.15.0' },
      });
      expect(readFileSync(join(REPO, w.dir, 'CHANGELOG.md'), 'utf8'), w.name).toMatch(new RegExp(`^# ${w.name}\n`));
    }
    const status = await run(bin('changeset'), ['status'], { cwd: REPO, env: process.env });
    expect(status.code, status.stderr + status.stdout).toBe(0);
  });

  it('go through `npm publish --dry-run`', async () => {
    for (const w of publishable()) {
      const dry = await run('npm', ['publish', '--dry-run', '--json', '-w', w.dir], { cwd: REPO, env: process.env });
      expect(dry.code, `${w.name}: ${dry.stderr}`).toBe(0);
      expect(dry.stdout, w.name).toContain(`"name": "${w.name}"`);
    }
  });
});

describe.each(NODE_MAJORS)('a user app on Node %s', (major) => {
  const nodeDir = () => join(app, 'node_modules', `node${major}`, 'bin');
  let bedrock: BedrockEndpoint;
  let collector: { child: ChildProcess; otlp: string; http: string; stderr: () => string };

  beforeAll(async () => {
    bedrock = await startBedrockEndpoint({ port: 0 });
    collector = await startInstalledCollector(nodeDir(), join(work, `data-${major}`));
  });
  afterAll(async () => {
    collector?.child.kill('SIGTERM');
    await bedrock?.close();
  });

  it('runs the installed Node of that major', async () => {
    const v = await run(join(nodeDir(), 'node'), ['--version'], { cwd: app, env: userEnv() });
    expect(v.stdout).toMatch(new RegExp(`^v${major}\\.`));
  });

  it('prices a CommonJS app under --require, an ESM app under --import and an ESM app under --require, rolled up by the installed collector', async () => {
    const usage: Record<string, { inputTokens: number; outputTokens: number }> = {};
    // The third run mixes formats: the preload's CommonJS build, the app's `import` of our ESM build; its
    // setRoute() and withRetry() must still reach the preload (retry attempt 1: all its cost is retry cost).
    const runs = [['--require', 'app.cjs', `cjs-${major}`, '0'], ['--import', 'app.mjs', `esm-${major}`, '0'], ['--require', 'app.mjs', `mixed-${major}`, '1']] as const;
    for (const [flag, file, tenant, attempt] of runs) {
      const env = userEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlp,
        OTEL_SERVICE_NAME: 'consumer-app',
        BEDROCK_URL: bedrock.url,
        MODEL_ID,
        TENANT: tenant,
        ATTEMPT: attempt,
      }, nodeDir());
      const result = await run('node', [flag, '@tokenledger/node/register', file], { cwd: app, env, timeoutMs: 60_000 });
      expect(result.stderr, `${file}`).toBe('');
      expect(result.code).toBe(0);
      usage[tenant] = JSON.parse(/usage=(.*)/.exec(result.stdout)![1]) as { inputTokens: number; outputTokens: number };
    }

    // The report of the installed `tokenledger` bin, once the three traces are finalised.
    const report = (groupBy: string) =>
      waitFor(async () => {
        const r = await run(join(app, 'node_modules', '.bin', 'tokenledger'), ['report', '--json', '--group-by', groupBy, '--url', collector.http], {
          cwd: app,
          env: userEnv({}, nodeDir()),
        });
        expect(r.code, r.stderr).toBe(0);
        const doc = JSON.parse(r.stdout) as { rows: OutcomeRow[] };
        return doc.rows.length === runs.length ? doc.rows : undefined;
      });
    const byOutcome = await report('tenant,workflow,outcome');
    const byRoute = await report('tenant,route');
    for (const [tenant, u] of Object.entries(usage)) {
      const cost = u.inputTokens * INPUT_USD_PER_TOKEN + u.outputTokens * OUTPUT_USD_PER_TOKEN;
      const row = byOutcome.find((r) => r.group.tenant === tenant)!;
      expect(row, tenant).toBeDefined();
      expect(row.group).toEqual({ tenant, workflow: 'triage', outcome: 'ticket_classified' });
      expect(row.outcomes).toBe(1);
      expect(row.successes).toBe(1);
      expect(row.tokens).toMatchObject({ input: u.inputTokens, output: u.outputTokens });
      expect(row.costUsd).toBeCloseTo(cost, 12);
      expect(row.retryCostUsd).toBeCloseTo(tenant.startsWith('mixed') ? cost : 0, 12);
      expect(byRoute.find((r) => r.group.tenant === tenant)?.group.route, tenant).toBe('classification');
    }

    const metrics = await (await fetch(new URL('/metrics', collector.http))).text();
    for (const [tenant, u] of Object.entries(usage)) {
      const series = metrics.split('\n').filter((l) => l.startsWith('tokenledger_cost_usd_total{') && l.includes(`tenant="${tenant}"`));
      const total = series.reduce((sum, l) => sum + Number(l.split(' ')[1]), 0);
      expect(total, tenant).toBeCloseTo(u.inputTokens * INPUT_USD_PER_TOKEN + u.outputTokens * OUTPUT_USD_PER_TOKEN, 12);
      expect(metrics).toMatch(new RegExp(`tokenledger_outcomes_total\\{[^}]*tenant="${tenant}"[^}]*outcome="ticket_classified"[^}]*success="true"[^}]*\\} 1`));
    }
  });
});

/** `tokenledger-collector` from the app's node_modules/.bin under the given Node, on free loopback ports. */
async function startInstalledCollector(nodeDir: string, dataDir: string) {
  const child = spawn(join(app, 'node_modules', '.bin', 'tokenledger-collector'), [], {
    cwd: app,
    env: userEnv({
      TOKENLEDGER_OTLP_ADDR: '127.0.0.1:0',
      TOKENLEDGER_HTTP_ADDR: '127.0.0.1:0',
      TOKENLEDGER_DATA_DIR: dataDir,
      TOKENLEDGER_TRACE_IDLE_MS: '200',
    }, nodeDir),
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const line = await new Promise<RegExpExecArray>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      stdout += d;
      const m = /listening otlp=(\S+) http=(\S+)/.exec(stdout);
      if (m) resolve(m);
    });
    child.on('exit', (code) => reject(new Error(`tokenledger-collector exited with ${code}: ${stderr}`)));
  });
  return { child, otlp: line[1], http: line[2], stderr: () => stderr };
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out waiting for the roll-up');
    await new Promise((r) => setTimeout(r, 200));
  }
}
