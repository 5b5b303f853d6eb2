// A full disk (reliability scenario 16): the real bin on a 24 MiB tmpfs that a filler file fills to the last byte.
// The collector stays up (health, metrics), answers 503 + Retry-After to new spans, reports not ready, keeps
// retrying, and resumes by itself once space frees, rolling up every trace it acknowledged exactly once — also
// across a kill -9 and a restart while the disk is still full. Needs root (mount); bounded loops on loopback.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { traceId } from './helpers.ts';
import { otlpJson, type TestSpan } from './otlp-json.ts';
import { type Running, scrapeTotal, startCollector, stopAll, until } from './process-helpers.ts';

const root = process.getuid?.() === 0;
const mount = mkdtempSync(join(tmpdir(), 'tokenledger-full-disk-'));
let mounted = false;
afterAll(() => {
  stopAll();
  if (mounted) execFileSync('umount', ['-l', mount]);
  rmSync(mount, { recursive: true, force: true });
});

// One trace: a root with an outcome and one gpt-4o-mini call of 1000 in / 100 out = 0.00021 USD.
function trace(i: number): TestSpan[] {
  const id = traceId(0x200000 + i);
  const rootId = (i * 2 + 1).toString(16).padStart(16, '0');
  return [
    { traceId: id, spanId: rootId, attributes: { 'tokenledger.tenant': 'acme', 'tokenledger.outcome': 'done' }, statusCode: 1 },
    { traceId: id, spanId: (i * 2 + 2).toString(16).padStart(16, '0'), parentSpanId: rootId, attributes: {
      'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100,
      // Padding, so a few requests take the space the disk has left.
      'tokenledger.route.reason': 'r'.repeat(200) } },
  ];
}

/** Sends traces [from, from + n) in one request; the status and Retry-After. */
async function send(c: Running, from: number, n: number): Promise<{ status: number; retryAfter: string | null }> {
  const spans = Array.from({ length: n }, (_, k) => trace(from + k)).flat();
  const res = await fetch(`${c.otlp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpJson(spans) });
  await res.arrayBuffer();
  return { status: res.status, retryAfter: res.headers.get('retry-after') };
}

/** Writes zeros into `path` until the file system refuses more. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(64 << 10);
  try {
    for (let size = block.length; size >= 1; size = Math.floor(size / 2)) {
      for (;;) {
        try {
          writeSync(fd, block, 0, size);
        } catch {
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(!root)('full disk', () => {
  it('stays up, refuses new spans with 503 and not ready, resumes by itself when space frees, and loses nothing acknowledged', async () => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mount]);
    mounted = true;
    const dataDir = join(mount, 'data');
    mkdirSync(dataDir);
    const env = { TOKENLEDGER_DATA_DIR: dataDir, TOKENLEDGER_TRACE_IDLE_MS: '200' };
    let c = await startCollector(env);
    let acknowledged = 0;
    let next = 0;
    for (let i = 0; i < 5; i++, next += 20) {
      expect((await send(c, next, 20)).status).toBe(200);
      acknowledged += 20;
    }

    const filler = join(mount, 'filler');
    fill(filler);
    // Requests go on until the store cannot take one: then 503 with Retry-After, never 500, never a lost ack.
    let refused: { status: number; retryAfter: string | null } | undefined;
    for (let i = 0; i < 400 && !refused; i++, next += 20) {
      const r = await send(c, next, 20);
      if (r.status === 200) acknowledged += 20;
      else refused = r;
    }
    expect(refused?.status).toBe(503);
    expect(Number(refused?.retryAfter)).toBeGreaterThanOrEqual(1);
    // The finaliser's writes fail too: the process stays up, not ready, still serving health and metrics.
    await until('not ready', async () => (await fetch(`${c.http}/readyz`)).status === 503, c.child);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 500)); // finaliser retries on the full disk
      expect((await fetch(`${c.http}/readyz`)).status).toBe(503);
    }
    expect(c.child.exitCode).toBe(null);
    expect((await fetch(`${c.http}/healthz`)).status).toBe(200);
    expect((await fetch(`${c.http}/metrics`)).status).toBe(200);
    expect(await scrapeTotal(c.http, 'tokenledger_collector_store_writable')).toBe(0);
    expect(await scrapeTotal(c.http, 'tokenledger_collector_store_write_failures_total')).toBeGreaterThan(0);
    expect((await send(c, next, 1)).status).toBe(503);

    // kill -9 and a restart while the disk is still full: it comes up, serves health, is not ready.
    c.child.kill('SIGKILL');
    await c.exited;
    c = await startCollector(env);
    expect((await fetch(`${c.http}/healthz`)).status).toBe(200);
    await until('not ready after the restart', async () => (await fetch(`${c.http}/readyz`)).status === 503, c.child);
    expect(c.child.exitCode).toBe(null);

    // Space frees: ready again by itself, takes spans again, and every acknowledged trace is rolled up once.
    rmSync(filler);
    await until('ready again', async () => (await fetch(`${c.http}/readyz`)).status === 200, c.child);
    expect((await send(c, next, 20)).status).toBe(200);
    acknowledged += 20;
    await until('every acknowledged trace rolled up', async () => (await scrapeTotal(c.http, 'tokenledger_collector_traces_open')) === 0, c.child);
    expect(await scrapeTotal(c.http, 'tokenledger_outcomes_total')).toBe(acknowledged);
    expect(await scrapeTotal(c.http, 'tokenledger_cost_usd_total')).toBeCloseTo(acknowledged * 0.00021, 9);
    c.child.kill('SIGTERM');
    expect((await c.exited).code).toBe(0);
  });
});
