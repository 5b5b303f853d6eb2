// Shared by the receiver tests: an in-memory sink, a receiver on an ephemeral port, a raw HTTP client.
import { request } from 'node:http';
import type { Readable } from 'node:stream';
import { afterEach } from 'vitest';
import { hexId, type BodySpan } from '../../bench/otlp-bodies.ts';
import type { SpanRecord, SpanSink } from '../src/model/span-record.ts';
import { startOtlpReceiver, type OtlpReceiver, type OtlpReceiverOptions } from '../src/receiver/index.ts';

export class MemorySink implements SpanSink {
  spans: SpanRecord[] = [];
  fail?: Error;
  /** While set, accept() waits for it (a store that is slow to commit). */
  gate?: Promise<void>;
  async accept(spans: SpanRecord[]): Promise<void> {
    if (this.fail) throw this.fail;
    await this.gate;
    this.spans.push(...spans);
  }
}

let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

export async function start(o: Partial<OtlpReceiverOptions> = {}): Promise<{ sink: MemorySink; url: string; receiver: OtlpReceiver }> {
  const sink = (o.sink as MemorySink | undefined) ?? new MemorySink();
  const r = (receiver = await startOtlpReceiver({ host: '127.0.0.1', port: 0, maxBodyBytes: 1 << 20, ...o, sink }));
  return { sink, url: `http://127.0.0.1:${r.address.port}`, receiver: r };
}

export interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; continued: boolean }

/** One request; `continued` tells whether the server sent `100 Continue`. */
export function post(url: string, body: Buffer | Readable, headers: Record<string, string> = {}, method = 'POST'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), continued }));
    });
    req.on('error', reject);
    const send = () => (Buffer.isBuffer(body) ? req.end(body) : body.pipe(req));
    if (/100-continue/i.test(headers.expect ?? '')) {
      req.on('continue', () => {
        continued = true;
        send();
      });
      req.flushHeaders();
    } else send();
  });
}

export const json = { 'content-type': 'application/json' };
export const proto = { 'content-type': 'application/x-protobuf' };

export const span = (over: Partial<BodySpan> = {}): BodySpan => ({
  traceId: hexId(16), spanId: hexId(8), name: 'chat', startMs: 1_700_000_000_123.5, endMs: 1_700_000_001_000,
  attributes: { 'gen_ai.usage.input_tokens': 10 }, ...over,
});

/** A seeded generator (LCG), so a failing fuzz case replays. */
export function prng(seed: number): () => number {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}
