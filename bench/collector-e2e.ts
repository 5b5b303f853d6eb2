// End-to-end collector throughput (receive → durable → roll-up) and memory per buffered span.
// Usage: node bench/collector-e2e.ts [requests=200]
// The collector runs as a child process (the real bin, durability on: synchronous=FULL); spans/s per
// core = spans ÷ the child's CPU seconds (user + system, from /proc). Bodies: 512 model-call spans × 20
// attributes, 8 spans per trace (bench/otlp-bodies.ts); JSON.parse of the same bodies is the baseline.
import '../scripts/sources-only.ts';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeJson, encodeProtobuf, modelSpans } from './otlp-bodies.ts';

const SPANS_PER_REQUEST = 512;
const SPANS_PER_TRACE = 8;
const CONCURRENCY = 8;
const GOAL_SPANS_PER_CORE = 50_000;
const GOAL_BYTES_PER_SPAN = 2048;
const requests = Number(process.argv[2] ?? 200);
const repo = join(import.meta.dirname, '..');
const CLK_TCK = 100;

interface Child {
  proc: ChildProcess;
  otlp: string;
  http: string;
}

async function startCollector(dataDir: string, idleMs: number): Promise<Child> {
  const proc = spawn(join(repo, 'node_modules/.bin/tokenledger-collector'), [], {
    env: { ...process.env, PATH: `${join(repo, 'node_modules/.bin')}:${process.env.PATH}`, TOKENLEDGER_DATA_DIR: dataDir,
      TOKENLEDGER_OTLP_ADDR: '127.0.0.1:0', TOKENLEDGER_HTTP_ADDR: '127.0.0.1:0', TOKENLEDGER_TRACE_IDLE_MS: String(idleMs),
      TOKENLEDGER_TRACE_MAX_AGE_MS: '600000', TOKENLEDGER_MAX_OPEN_SPANS: '5000000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const line = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening .*/.exec(out);
      if (m) resolve(m[0]);
    });
    proc.on('exit', (code) => reject(new Error(`collector exited with ${code}`)));
  });
  return { proc, otlp: /otlp=(\S+)/.exec(line)![1]!, http: /http=(\S+)/.exec(line)![1]! };
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime
}

function rssBytes(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

async function gauge(http: string, name: string): Promise<number> {
  const text = await (await fetch(`${http}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)![1]);
}

async function send(otlp: string, bodies: Uint8Array<ArrayBuffer>[], contentType: string): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      for (;;) {
        const res = await fetch(`${otlp}/v1/traces`, { method: 'POST', headers: { 'content-type': contentType }, body });
        await res.arrayBuffer();
        if (res.status === 200) break;
        if (res.status !== 429 && res.status !== 503) throw new Error(`collector answered ${res.status}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function endToEnd(label: string, bodies: Uint8Array<ArrayBuffer>[], contentType: string) {
  const dir = mkdtempSync(join(tmpdir(), 'tokenledger-bench-'));
  const c = await startCollector(dir, 200);
  try {
    await send(c.otlp, bodies.slice(0, 2), contentType); // warm-up
    while ((await gauge(c.http, 'tokenledger_collector_traces_open')) > 0) await new Promise((r) => setTimeout(r, 20));
    const commits0 = await gauge(c.http, 'tokenledger_collector_commit_batches_total');
    const cpu0 = cpuSeconds(c.proc.pid!);
    const t0 = performance.now();
    await send(c.otlp, bodies.slice(2), contentType);
    const acked = performance.now();
    while ((await gauge(c.http, 'tokenledger_collector_traces_open')) > 0) await new Promise((r) => setTimeout(r, 20));
    const cpu = cpuSeconds(c.proc.pid!) - cpu0;
    const spans = (bodies.length - 2) * SPANS_PER_REQUEST;
    const commits = (await gauge(c.http, 'tokenledger_collector_commit_batches_total')) - commits0;
    return { label, spans, ackSeconds: (acked - t0) / 1000, cpu, perCore: spans / cpu, spansPerCommit: spans / commits };
  } finally {
    c.proc.kill('SIGTERM');
    await new Promise((r) => c.proc.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Resident memory per buffered (acknowledged, not yet rolled up) span: the slope of the child's RSS
 * between a first and the last third of the requests, so start-up and garbage not yet collected
 * weigh little.
 */
async function memoryPerSpan(bodies: Uint8Array<ArrayBuffer>[], contentType: string) {
  const dir = mkdtempSync(join(tmpdir(), 'tokenledger-bench-'));
  const c = await startCollector(dir, 600_000);
  try {
    const third = Math.floor(bodies.length / 3);
    await send(c.otlp, bodies.slice(0, third), contentType);
    const before = rssBytes(c.proc.pid!);
    await send(c.otlp, bodies.slice(third), contentType);
    const open = await gauge(c.http, 'tokenledger_collector_spans_open');
    return { open, bytesPerSpan: (rssBytes(c.proc.pid!) - before) / ((bodies.length - third) * SPANS_PER_REQUEST) };
  } finally {
    c.proc.kill('SIGKILL');
    await new Promise((r) => c.proc.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

const spanSets = Array.from({ length: requests + 2 }, () => modelSpans(SPANS_PER_REQUEST, SPANS_PER_REQUEST / SPANS_PER_TRACE));
const proto = spanSets.map((s) => new Uint8Array(encodeProtobuf(s)));
const json = spanSets.map((s) => new Uint8Array(encodeJson(s)));
const decoder = new TextDecoder();
const p0 = performance.now();
for (const b of json) JSON.parse(decoder.decode(b));
const parseSeconds = (performance.now() - p0) / 1000;

const rows = [await endToEnd('protobuf', proto, 'application/x-protobuf'), await endToEnd('JSON', json, 'application/json')];
const mem = await memoryPerSpan(proto, 'application/x-protobuf');

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`\ncollector end to end: ${requests} requests × ${SPANS_PER_REQUEST} spans × 20 attributes, ${SPANS_PER_TRACE} spans per trace, ${CONCURRENCY} concurrent, synchronous=FULL`);
console.log('| path | spans | ack wall s | collector CPU s | spans per commit | spans/s per core | goal |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.label} receive → durable → roll-up | ${fmt(r.spans)} | ${r.ackSeconds.toFixed(2)} | ${r.cpu.toFixed(2)} | ${fmt(r.spansPerCommit)} | ${fmt(r.perCore)} | ≥ ${fmt(GOAL_SPANS_PER_CORE)} ${r.perCore >= GOAL_SPANS_PER_CORE ? 'met' : 'MISSED'} |`);
}
console.log(`| baseline: JSON.parse of the same JSON bodies (this process) | ${fmt(requests * SPANS_PER_REQUEST)} | | ${parseSeconds.toFixed(2)} | | ${fmt((requests * SPANS_PER_REQUEST) / parseSeconds)} | |`);
console.log(`\nresident memory per buffered span: ${fmt(mem.bytesPerSpan)} B (${fmt(mem.open)} spans open; goal ≤ ${GOAL_BYTES_PER_SPAN} B ${mem.bytesPerSpan <= GOAL_BYTES_PER_SPAN ? 'met' : 'MISSED'})`);
