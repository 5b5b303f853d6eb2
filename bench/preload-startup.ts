// Start-up cost of the preload as users install it: the packages built, packed and installed into an app
// outside the repository, then `node --require @tokenledger/node/register -e …` against the upstream
// equivalent (NodeSDK + OTLP/protobuf trace exporter + AwsInstrumentation) and a bare `node`, interleaved
// in one run. Wall time is the parent's spawn-to-exit; CPU (user + system) and RSS (maxRSS) are the child's
// own at exit — CPU time is the steadier figure when other work shares the machine.
// Goal (issue 12): ≤ 1.15× the upstream's wall time and ≤ +10 MB RSS, every instrumentation enabled.
//
//   node bench/preload-startup.ts [rounds=15]
import { spawn } from 'node:child_process';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildAndPack, installApp, outsideRepo, REPO, userEnv } from '../test/support/packed.ts';

const rounds = Number(process.argv[2] ?? 15);
const PROBE = "const u = process.resourceUsage(); process.stdout.write(u.maxRSS + ' ' + (u.userCPUTime + u.systemCPUTime))";

const work = await outsideRepo('tokenledger-startup-');
try {
  const packs = join(work, 'packs');
  await mkdir(packs);
  const tarballs = await buildAndPack(packs);
  const app = join(work, 'app');
  // The upstream equivalent's packages come with ours (sdk-node, the OTLP exporter, the aws-sdk
  // instrumentation), at the versions a user gets, as in a user's app.
  await installApp(app, Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`])));
  for (const f of ['upstream-register.cjs', 'upstream-register.mjs']) await copyFile(join(REPO, 'bench', 'fixtures', f), join(app, f));

  const cases: Record<string, string[]> = {
    'bare node': [],
    'upstream NodeSDK + OTLP + AwsInstrumentation': ['--require', './upstream-register.cjs'],
    'tokenledger --require': ['--require', '@tokenledger/node/register'],
    'upstream --import (same, with the ESM loader hook)': ['--import', './upstream-register.mjs'],
    'tokenledger --import': ['--import', '@tokenledger/node/register'],
  };
  const samples = new Map<string, { ms: number[]; rss: number[]; cpu: number[] }>(Object.keys(cases).map((k) => [k, { ms: [], rss: [], cpu: [] }]));
  const env = userEnv({ OTEL_SERVICE_NAME: 'startup-bench' });
  for (let i = 0; i < rounds + 1; i++) {
    for (const [name, flags] of Object.entries(cases)) {
      const { ms, rss, cpu } = await once(app, [...flags, '-e', PROBE], env);
      if (i === 0) continue; // warm-up round: file-system caches
      samples.get(name)!.ms.push(ms);
      samples.get(name)!.rss.push(rss);
      samples.get(name)!.cpu.push(cpu);
    }
  }

  // Each case against the upstream of its own loading mode: --import pays for the loader hook's thread.
  const baseline = (name: string) => samples.get(name.includes('--import') ? 'upstream --import (same, with the ESM loader hook)' : 'upstream NodeSDK + OTLP + AwsInstrumentation')!;
  const rows = [...samples].map(([name, s]) => {
    const ms = median(s.ms);
    const cpu = median(s.cpu) / 1000;
    const rss = median(s.rss) / 1024;
    const base = baseline(name);
    return [
      name, ms.toFixed(0), (ms / median(base.ms)).toFixed(2), cpu.toFixed(0), (cpu / (median(base.cpu) / 1000)).toFixed(2), rss.toFixed(1),
      (rss - median(base.rss) / 1024).toFixed(1),
    ];
  });
  console.log(`node ${process.version}, ${rounds} interleaved rounds (after one warm-up)\n`);
  table(['case', 'wall p50 ms', '× its upstream', 'CPU p50 ms', '× its upstream', 'RSS p50 MB', 'Δ RSS MB'], rows);
  console.log('\ngoal: tokenledger ≤ 1.15× upstream wall time and ≤ +10 MB RSS');
} finally {
  await rm(work, { recursive: true, force: true });
}

function once(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; rss: number; cpu: number }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd, env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const m = /^(\d+) (\d+)$/.exec(out);
      if (code !== 0 || !m) reject(new Error(`node ${args.join(' ')} exited ${code}: ${err}`));
      else resolve({ ms, rss: Number(m[1]), cpu: Number(m[2]) });
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function table(head: string[], rows: string[][]): void {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${w.map((n, i) => (i === 0 ? '-'.repeat(n + 2) : `${'-'.repeat(n + 1)}:`)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}
