// What hostile input costs the collector (docs/collector.md, reliability scenarios 3, 17 and 18; issue 18's figures
// as "was"). Usage: node bench/hostile-input.ts [scenario…]
// Each scenario runs in a fresh process; "extra peak" is the growth of its resident set's high-water mark (VmHWM,
// reset through /proc/self/clear_refs) over the resident set before the request, so it includes every transient
// copy, the garbage collector's slack and zlib's buffers — what the machine must have.
import '../scripts/sources-only.ts';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { gzipSync } from 'node:zlib';
import protobuf from 'protobufjs/minimal.js';
import { encodeJson, encodeProtobuf, hexId } from './otlp-bodies.ts';

const MiB = 1 << 20;
const LIMIT = 20 * MiB; // the default TOKENLEDGER_MAX_BODY_BYTES

interface Result {
  answer: string;
  extraMiB: number;
  ms: number;
  note?: string;
}

interface Scenario {
  what: string;
  was: string;
  run(): Promise<Result>;
}

const status = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

/** Runs `work` and measures the peak growth of the resident set while it runs. */
async function peak<T>(work: () => Promise<T>): Promise<{ value: T; extraMiB: number; ms: number }> {
  gc();
  gc();
  writeFileSync('/proc/self/clear_refs', '5');
  const base = status('VmRSS');
  const t = performance.now();
  const value = await work();
  const ms = performance.now() - t;
  return { value, extraMiB: (status('VmHWM') - base) / MiB, ms };
}

function post(url: string, body: Buffer, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers: { 'content-length': String(body.length), ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.statusCode)));
    });
    req.on('error', (err) => resolve((err as NodeJS.ErrnoException).code ?? 'error'));
    req.end(body);
  });
}

const json = { 'content-type': 'application/json' };
const proto = { 'content-type': 'application/x-protobuf' };

/** One request to a receiver with the default limits, whose sink takes the spans and drops them (after `warm` alike). */
async function oneRequest(path: string, body: () => Buffer, headers: Record<string, string>, warm = 0): Promise<Result> {
  const { startOtlpReceiver } = await import('../collector/src/receiver/index.ts');
  const r = await startOtlpReceiver({ host: '127.0.0.1', port: 0, maxBodyBytes: LIMIT, sink: { accept: async () => {} }, metricsSink: () => {} });
  const b = body();
  const url = `http://127.0.0.1:${r.address.port}${path}`;
  for (let i = 0; i < warm; i++) await post(url, b, headers);
  const { value, extraMiB, ms } = await peak(() => post(url, b, headers));
  await r.close();
  return { answer: value, extraMiB, ms, note: `${(b.length / MiB).toFixed(1)} MiB body` };
}

const bomb = () => Buffer.concat(Array.from({ length: 32 }, () => gzipSync(Buffer.alloc(16 * MiB), { level: 9 })));
const gzip = { ...json, 'content-encoding': 'gzip' };
const nested = () => Buffer.concat([Buffer.alloc(LIMIT / 2, '['), Buffer.alloc(LIMIT / 2, ']')]);

function manyPoints(): Buffer {
  const w = protobuf.Writer.create();
  w.uint32((1 << 3) | 2).fork().uint32((2 << 3) | 2).fork().uint32((2 << 3) | 2).fork().uint32((5 << 3) | 2).fork();
  for (let i = 0; i < 9_000_000; i++) w.uint32((1 << 3) | 2).uint32(0);
  w.ldelim().ldelim().ldelim().ldelim();
  return Buffer.from(w.finish());
}

function junkAttributes(): Buffer {
  const attributes: Record<string, number> = {};
  for (let i = 0; i < 800_000; i++) attributes[`gen_ai.k${i}`] = i;
  return encodeProtobuf([{ traceId: hexId(16), spanId: hexId(8), name: 'x', startMs: 1, endMs: 2, attributes }]);
}

function tinySpans(encode: typeof encodeJson, n: number): Buffer {
  const spans = [];
  for (let i = 1; i <= n; i++) spans.push({ traceId: i.toString(16).padStart(32, '0'), spanId: i.toString(16).padStart(16, '0'), name: '', startMs: 0, endMs: 0, attributes: {} });
  return encode(spans);
}

/** 20 MiB of `[]` behind a proto field name: a body the fast JSON path declines. */
const tinyArrays = () => Buffer.from(`{"resource_spans":[],"x":[${'[],'.repeat(Math.floor((LIMIT - 40) / 3))}[]]}`);

async function eightAtOnce(): Promise<Result> {
  const { Collector } = await import('../collector/src/collector.ts');
  const { configFromEnv } = await import('../collector/src/config/env.ts');
  const { startOtlpReceiver } = await import('../collector/src/receiver/index.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'tokenledger-bench-'));
  const c = new Collector({ config: configFromEnv({ TOKENLEDGER_DATA_DIR: dataDir, TOKENLEDGER_HTTP_ADDR: '127.0.0.1:0', TOKENLEDGER_OTLP_ADDR: '127.0.0.1:0' }) });
  const { http, otlp } = await c.listen(startOtlpReceiver);
  const body = nested();
  let worst = 0;
  let polling = true;
  const poll = (async () => {
    while (polling) {
      const t = performance.now();
      await fetch(`http://127.0.0.1:${http.port}/healthz`).then((r) => r.arrayBuffer());
      worst = Math.max(worst, performance.now() - t);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const { value, extraMiB, ms } = await peak(() => Promise.all(Array.from({ length: 8 }, () => post(`http://127.0.0.1:${(otlp as { port: number }).port}/v1/traces`, body, json))));
  polling = false;
  await poll;
  await c.close();
  rmSync(dataDir, { recursive: true, force: true });
  return { answer: [...new Set(value)].join(','), extraMiB, ms, note: `slowest /healthz meanwhile ${worst.toFixed(0)} ms` };
}

/** Four near-limit uploads from one peer stall; another client exports meanwhile; how long until they are cut. */
async function stalledUploads(): Promise<Result> {
  const { startOtlpReceiver } = await import('../collector/src/receiver/index.ts');
  const r = await startOtlpReceiver({ host: '127.0.0.1', port: 0, maxBodyBytes: LIMIT, sink: { accept: async () => {} } });
  const t0 = performance.now();
  const cut = Array.from({ length: 4 }, () => new Promise<number>((resolve) => {
    const s = connect({ port: r.address.port, host: '127.0.0.1', localAddress: '127.0.0.2' }, () => {
      s.write(`POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${LIMIT}\r\n\r\n`);
      s.write(Buffer.alloc(LIMIT - 1, ' '));
    });
    s.on('data', () => {});
    s.on('error', () => {});
    s.on('close', () => resolve(performance.now() - t0));
  }));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const body = encodeJson([{ traceId: hexId(16), spanId: hexId(8), name: 'x', startMs: 1, endMs: 2, attributes: { 'gen_ai.usage.input_tokens': 1 } }]);
  const statuses = new Map<string, number>();
  let slowest = 0;
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    const st = await post(`http://127.0.0.1:${r.address.port}/v1/traces`, body, json);
    slowest = Math.max(slowest, performance.now() - t);
    statuses.set(st, (statuses.get(st) ?? 0) + 1);
  }
  const cutAfter = Math.max(...(await Promise.all(cut)));
  await r.close();
  return { answer: [...statuses].map(([k, n]) => `${n}× ${k}`).join(', '), extraMiB: 0, ms: slowest, note: `time: the slowest export; the stalled uploads cut (408) after ${(cutAfter / 1000).toFixed(1)} s` };
}

/** The program with four clients exporting over kept-alive connections; SIGTERM; how long until it exits, and how. */
async function sigterm(): Promise<Result> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tokenledger-bench-'));
  const child = spawn(process.execPath, [join(import.meta.dirname, '../collector/src/cli/collector-main.ts')], {
    env: { ...process.env, TOKENLEDGER_DATA_DIR: dataDir, TOKENLEDGER_OTLP_ADDR: '127.0.0.1:0', TOKENLEDGER_HTTP_ADDR: '127.0.0.1:0', TOKENLEDGER_TRACE_IDLE_MS: '60000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const otlp = await new Promise<string>((resolve) => child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /otlp=(\S+)/.exec(out);
    if (m) resolve(m[1]!);
  }));
  let n = 0;
  let after200 = 0;
  let stopping = false;
  const clients = Array.from({ length: 4 }, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (;;) {
      const i = n++;
      const sentAfter = stopping;
      const body = encodeJson([{ traceId: (i + 1).toString(16).padStart(32, '0'), spanId: (i + 1).toString(16).padStart(16, '0'), name: 'x', startMs: 1, endMs: 2, attributes: {} }]);
      const st = await new Promise<number>((resolve) => {
        const req = request(`${otlp}/v1/traces`, { method: 'POST', agent, headers: json }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode!));
        });
        req.on('error', () => resolve(0));
        req.end(body);
      });
      if (sentAfter && st === 200) after200++;
      if (st === 0) break;
    }
    agent.destroy();
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const t = performance.now();
  child.kill('SIGTERM');
  child.stdout!.on('data', () => {
    stopping ||= out.includes('stopping (SIGTERM)');
  });
  const code = await exited;
  const ms = performance.now() - t;
  await Promise.all(clients);
  rmSync(dataDir, { recursive: true, force: true });
  return { answer: `exit ${code}`, extraMiB: 0, ms, note: `time: SIGTERM to exit; ${after200} of the exports sent after "stopping" answered 200` };
}

const STALE_KEYS = 1_000_000;

/** A store holding a million stale attribute keys (as a hostile sender left it before the bounds), then a start. */
async function staleKeys(): Promise<Result> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tokenledger-bench-'));
  const prepare = spawnSync(process.execPath, [import.meta.filename, 'stale-keys-prepare', dataDir], { stdio: 'inherit' });
  if (prepare.status !== 0) throw new Error('preparing the store failed');
  const r = spawnSync(process.execPath, ['--expose-gc', import.meta.filename, 'stale-keys-start', dataDir], { encoding: 'utf8' });
  rmSync(dataDir, { recursive: true, force: true });
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Result;
}

async function staleKeysPrepare(dataDir: string): Promise<void> {
  const { Collector } = await import('../collector/src/collector.ts');
  const { configFromEnv } = await import('../collector/src/config/env.ts');
  const c = new Collector({ config: configFromEnv({ TOKENLEDGER_DATA_DIR: dataDir }) });
  await c.close();
  const db = new DatabaseSync(join(dataDir, 'collector.db'));
  db.exec('BEGIN');
  const row = db.prepare('INSERT INTO attribute_keys (key) VALUES (?)');
  for (let i = 0; i < STALE_KEYS; i++) row.run(`tokenledger.junk.${i}.${'x'.repeat(40)}`);
  db.exec('COMMIT');
  db.close();
}

async function staleKeysStart(dataDir: string): Promise<Result> {
  gc();
  const base = status('VmRSS');
  const t = performance.now();
  const { Collector } = await import('../collector/src/collector.ts');
  const { configFromEnv } = await import('../collector/src/config/env.ts');
  const c = new Collector({ config: configFromEnv({ TOKENLEDGER_DATA_DIR: dataDir }) });
  await c.recover();
  const ready = performance.now() - t;
  gc();
  const rss = status('VmRSS');
  const pruned = await c.buffer.keysPruned;
  const pruning = performance.now() - t - ready;
  await c.close();
  return { answer: 'ready', extraMiB: (rss - base) / MiB, ms: ready, note: `${pruned} stale keys pruned in the background in ${(pruning / 1000).toFixed(1)} s` };
}

async function budgetRefresh(): Promise<Result> {
  const { Collector } = await import('../collector/src/collector.ts');
  const { configFromEnv } = await import('../collector/src/config/env.ts');
  const { Budgets } = await import('../collector/src/budgets/index.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'tokenledger-bench-'));
  let now = Date.parse('2026-10-15T00:00:00Z');
  const c = new Collector({ config: configFromEnv({ TOKENLEDGER_DATA_DIR: dataDir, TOKENLEDGER_TRACE_IDLE_MS: '1000' }), clock: { now: () => now } });
  await c.recover();
  const tenants = 50_000;
  for (let i = 0; i < tenants; i += 10_000) {
    const spans = [];
    for (let k = i; k < i + 10_000; k++) {
      const traceId = (k + 1).toString(16).padStart(32, '0');
      spans.push({ traceId, spanId: (2 * k + 1).toString(16).padStart(16, '0'), parentSpanId: '', name: 'r', startMs: 0, endMs: 0, statusCode: 0 as const,
        attributes: { 'tokenledger.tenant': `tenant-${k}`, 'tokenledger.outcome': 'done', 'tokenledger.cost.usd': 0.01, 'gen_ai.request.model': 'gpt-4o-mini' } });
    }
    await c.sink.accept(spans);
  }
  now += 1001;
  c.finaliser.drain();
  const b = c.component(Budgets)!;
  const { extraMiB, ms } = await peak(async () => b.refresh());
  const series = c.metrics.registry.family('tokenledger_forecast_month_usd')!.series.size;
  await c.close();
  rmSync(dataDir, { recursive: true, force: true });
  return { answer: `${series} series`, extraMiB, ms, note: `${tenants} tenants with spend this month` };
}

const SCENARIOS: Record<string, Scenario> = {
  'nested-json-traces': { what: '20 MiB of nested JSON arrays, /v1/traces', was: '+918 MiB, 2.4 s', run: () => oneRequest('/v1/traces', nested, json) },
  'nested-json-metrics': { what: '20 MiB of nested JSON arrays, /v1/metrics', was: '~+1 GB (JSON.parse)', run: () => oneRequest('/v1/metrics', nested, json) },
  'eight-nested': { what: 'eight of those at once, /v1/traces', was: '+1 GB, /healthz stalled 4.6 s', run: eightAtOnce },
  'general-json': { what: '20 MiB JSON the fast path declines: [] × 7M', was: '+550 MiB (JSON.parse)', run: () => oneRequest('/v1/traces', tinyArrays, json) },
  'nested-protobuf': { what: '20 MiB of nested protobuf groups', was: '—', run: () => oneRequest('/v1/traces', () => Buffer.alloc(LIMIT, (9 << 3) | 3), proto) },
  'metrics-points': { what: '9M empty data points, /v1/metrics protobuf', was: '+717 MiB', run: () => oneRequest('/v1/metrics', manyPoints, proto) },
  'junk-attributes': { what: 'one span of 800,000 unread gen_ai.* attributes', was: '~+100 MiB (kept)', run: () => oneRequest('/v1/traces', junkAttributes, proto) },
  'tiny-spans-protobuf': { what: '20 MiB of minimal spans (protobuf, 400k)', was: '(the cost of real spans)', run: () => oneRequest('/v1/traces', () => tinySpans(encodeProtobuf, 400_000), proto) },
  'tiny-spans-json': { what: '20 MiB of minimal spans (JSON, 100k)', was: '(the cost of real spans)', run: () => oneRequest('/v1/traces', () => tinySpans(encodeJson, 100_000), json) },
  'gzip-bomb': { what: 'gzip bomb: 512 MiB of zeros in 32 members, the first', was: '~+21 MiB', run: () => oneRequest('/v1/traces', bomb, gzip) },
  'gzip-bomb-again': { what: 'the same bomb after three others', was: '', run: () => oneRequest('/v1/traces', bomb, gzip, 3) },
  'stalled-uploads': { what: '4 stalled 20 MiB uploads (one peer) + 20 exports', was: '429 for 60 s', run: stalledUploads },
  sigterm: { what: 'SIGTERM, 4 clients exporting (keep-alive)', was: 'forced exit at 25 s', run: sigterm },
  'stale-keys': { what: `start on a store with ${STALE_KEYS / 1e6}M stale attribute keys`, was: '630 MiB, 2.4 s start', run: staleKeys },
  'budget-refresh': { what: 'budget/forecast refresh, 50,000 tenants', was: '(every tenant every 15 s)', run: budgetRefresh },
};

const [mode, arg] = process.argv.slice(2);
if (mode === 'stale-keys-prepare') await staleKeysPrepare(arg!);
else if (mode === 'stale-keys-start') console.log(JSON.stringify(await staleKeysStart(arg!)));
else if (mode && mode in SCENARIOS && process.env.HOSTILE_CHILD) console.log(JSON.stringify(await SCENARIOS[mode]!.run()));
else {
  const names = process.argv.slice(2).filter((n) => n in SCENARIOS);
  const rows: string[][] = [['scenario', 'answer', 'extra peak RSS', 'time', 'was (issue 18)', 'note']];
  for (const name of names.length ? names : Object.keys(SCENARIOS)) {
    const s = SCENARIOS[name]!;
    const r = spawnSync(process.execPath, ['--expose-gc', import.meta.filename, name], { encoding: 'utf8', env: { ...process.env, HOSTILE_CHILD: '1' }, maxBuffer: 16 * MiB });
    const line = r.stdout.trim().split('\n').pop();
    if (r.status !== 0 || !line) {
      rows.push([s.what, `failed (${r.status ?? r.signal})`, '', '', s.was, r.stderr.trim().split('\n').pop() ?? '']);
      continue;
    }
    const x = JSON.parse(line) as Result;
    rows.push([s.what, x.answer, x.extraMiB ? `+${x.extraMiB.toFixed(1)} MiB` : '', `${x.ms.toFixed(0)} ms`, s.was, x.note ?? '']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const [i, r] of rows.entries()) {
    console.log(`| ${r.map((c, k) => c.padEnd(widths[k]!)).join(' | ')} |`);
    if (i === 0) console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  }
}
