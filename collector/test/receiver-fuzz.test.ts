// Fuzzing: random and mutated protobuf, JSON and gzip bodies never crash the receiver, never get a 5xx,
// and leak no in-flight budget. Seeded, so a failure replays.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeJson, encodeProtobuf, hexId, modelSpans } from '../../bench/otlp-bodies.ts';
import { decodeTracesJson, decodeTracesProtobuf } from '../src/receiver/index.ts';
import { json, post, prng, proto, start } from './receiver-helpers.ts';

const CASES = 3000;

/** Replaces a random node of a parsed JSON document by a value of a random other type. */
function mutateJson(doc: unknown, rand: () => number): unknown {
  const odd = [null, 0, -1, 1e308, 'x', 'ABCDEF', '', true, [], {}, [1, 'a'], { stringValue: 5 }, '123456789012345678901234567890'];
  const pick = () => odd[Math.floor(rand() * odd.length)];
  const walk = (v: unknown, depth: number): unknown => {
    if (rand() < 0.08 * depth) return pick();
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, depth + 1)]));
    return v;
  };
  return walk(doc, 0);
}

function body(i: number, rand: () => number, valid: { pb: Buffer; js: Buffer; doc: unknown }): [Buffer, Record<string, string>] {
  const isJson = i % 2 === 1;
  const headers = isJson ? json : proto;
  let b: Buffer;
  switch (i % 5) {
    case 0: // random bytes
      b = Buffer.from(Array.from({ length: Math.floor(rand() * 400) }, () => Math.floor(rand() * 256)));
      break;
    case 1: // structurally mutated JSON (typed wrongly, not just corrupt)
      return [Buffer.from(JSON.stringify(mutateJson(valid.doc, rand))), json];
    default: // byte flips and truncation of a valid body
      b = Buffer.from(isJson ? valid.js : valid.pb);
      for (let m = 0; m < 1 + rand() * 8; m++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      if (rand() < 0.3) b = b.subarray(0, Math.floor(rand() * b.length));
  }
  if (rand() < 0.15) {
    // gzip, sometimes with its own bytes flipped
    b = gzipSync(b);
    if (rand() < 0.5) b[Math.floor(rand() * b.length)] ^= 1 + Math.floor(rand() * 255);
    return [b, { ...headers, 'content-encoding': 'gzip' }];
  }
  return [b, headers];
}

describe('attribute keys', () => {
  it('keeps exactly the roll-up keys among thousands of distinct ones (past the key cache bound)', () => {
    const attributes: Record<string, number> = {};
    for (let i = 0; i < 6000; i++) {
      attributes[`gen_ai.k${i}`] = i; // in a namespace read, but named by nobody: not kept
      attributes[`tokenledger.k${i}`] = i;
      attributes[`gen_ai${i}`] = i; // same first byte, not the namespace
      attributes[`other.k${i}`] = i;
    }
    attributes['gen_ai.usage.input_tokens'] = 7;
    attributes['llm.token_count.prompt'] = 8;
    const spans = [{ traceId: hexId(16), spanId: hexId(8), name: 'x', startMs: 1, endMs: 2, attributes }];
    for (let round = 0; round < 2; round++) {
      const [s] = decodeTracesProtobuf(encodeProtobuf(spans, { 'service.name': 'a', 'service.namespace': 'b', 'k8s.pod.name': 'p' })).spans;
      // The two named keys, two resource keys and the scope's name (`bench`).
      expect(Object.keys(s.attributes).sort()).toEqual(['gen_ai.usage.input_tokens', 'k8s.pod.name', 'llm.token_count.prompt', 'otel.scope.name', 'service.name']);
      expect(s.attributes['otel.scope.name']).toBe('bench');
      expect(s.attributes['gen_ai.usage.input_tokens']).toBe(7);
      expect(s.attributes).toMatchObject({ 'service.name': 'a', 'k8s.pod.name': 'p' });
      expect(s.attributes['service.namespace']).toBeUndefined();
    }
  });
});

describe('fuzzing', () => {
  it(`decoders either return spans or throw, for ${CASES} random and mutated bodies each`, () => {
    const rand = prng(7);
    const spans = modelSpans(6);
    const valid = { pb: encodeProtobuf(spans), js: encodeJson(spans), doc: JSON.parse(encodeJson(spans).toString()) };
    let thrown = 0;
    for (let i = 0; i < CASES * 2; i++) {
      const [b, headers] = body(i, rand, valid);
      if (headers['content-encoding']) continue;
      try {
        const out = headers['content-type'] === proto['content-type'] ? decodeTracesProtobuf(b) : decodeTracesJson(b);
        for (const s of out.spans) {
          expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
          expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
          expect([0, 1, 2]).toContain(s.statusCode);
        }
      } catch (err) {
        expect(err).toBeInstanceOf(Error);
        thrown++;
      }
    }
    expect(thrown).toBeGreaterThan(CASES / 2);
  });

  it(`the receiver answers ${CASES} random and mutated bodies with 200 or 400, never a crash or 5xx, and leaks no budget`, async () => {
    const spans = modelSpans(4);
    const valid = { pb: encodeProtobuf(spans), js: encodeJson(spans), doc: JSON.parse(encodeJson(spans).toString()) };
    // The in-flight budget equals one body: a leak of a single byte would turn the last request into a 429.
    const limit = 64 << 10;
    const { sink, url } = await start({ maxBodyBytes: limit, maxInFlightBytes: limit });
    const rand = prng(42);
    const statuses = new Map<number, number>();
    for (let i = 0; i < CASES; i++) {
      const [b, headers] = body(i, rand, valid);
      const a = await post(`${url}/v1/traces`, b, headers);
      statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 200: expect.any(Number), 400: expect.any(Number) });
    // A body of exactly the limit (JSON padded with spaces) still fits the whole budget.
    const body30 = encodeJson(modelSpans(30));
    expect(body30.length).toBeLessThan(limit);
    const exact = Buffer.concat([body30, Buffer.alloc(limit - body30.length, ' ')]);
    const before = sink.spans.length;
    expect((await post(`${url}/v1/traces`, exact, json)).status).toBe(200);
    expect(sink.spans.length - before).toBe(30);
  });
});
