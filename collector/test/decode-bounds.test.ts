// Decoding bounds (reliability scenario 17): deeply nested JSON or protobuf, bodies the fast JSON path does not
// take, metrics requests of millions of values, spans of 100,000 attributes and a million distinct attribute keys.
// No request body is materialised by JSON.parse (what cost ~1 GB for 20 MiB of nested arrays); a metrics request
// that would build too many values is refused (413); keys nobody reads are not kept, and the attribute-key
// dictionary of a store holds only keys its spans name — also one written before these bounds, after a restart.
// The memory figures are measured by bench/hostile-input.ts.
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import protobuf from 'protobufjs/minimal.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeJson, encodeProtobuf } from '../../bench/otlp-bodies.ts';
import { Collector } from '../src/collector.ts';
import { MAX_METRIC_VALUES } from '../src/receiver/decode-limits.ts';
import { decodeTracesJson } from '../src/receiver/traces-json.ts';
import { decodeTracesProtobuf } from '../src/receiver/traces-protobuf.ts';
import { FakeClock, root, span as spanOf, tempDir, testConfig, traceId } from './helpers.ts';
import { json, post, proto, span, start } from './receiver-helpers.ts';

afterEach(() => vi.restoreAllMocks());

const MiB = 1 << 20;
const nested = (bytes: number) => Buffer.concat([Buffer.alloc(bytes / 2, '['), Buffer.alloc(bytes / 2, ']')]);

describe('decoding bounds', () => {
  it('refuses 20 MiB of nested arrays with 400 on both JSON paths, without JSON.parse', async () => {
    const { url } = await start({ maxBodyBytes: 20 * MiB });
    const parse = vi.spyOn(JSON, 'parse');
    for (const path of ['/v1/traces', '/v1/metrics']) {
      const a = await post(`${url}${path}`, nested(20 * MiB), json);
      expect(a.status).toBe(400);
      expect(JSON.parse(a.body.toString()).message).toContain('nested deeper than 128');
    }
    expect(parse.mock.calls.filter(([text]) => String(text).length > 1000)).toEqual([]);
  });

  it('decodes bodies the fast path declines (proto field names, a resource after its spans) from their bytes, never JSON.parse', async () => {
    const parse = vi.spyOn(JSON, 'parse');
    const body = encodeJson([span({ attributes: { 'gen_ai.usage.input_tokens': 10 } })], { 'tokenledger.tenant': 'acme' });
    const doc = JSON.parse(body.toString());
    const rs = doc.resourceSpans[0];
    const reshaped = Buffer.from(JSON.stringify({ resource_spans: [{ scope_spans: rs.scopeSpans, resource: rs.resource }], junk: Array.from({ length: 10_000 }, () => []) }));
    parse.mockClear();
    const out = decodeTracesJson(reshaped);
    expect(out.spans).toHaveLength(1);
    expect(out.spans[0]!.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 10, 'tokenledger.tenant': 'acme' });
    expect(parse).not.toHaveBeenCalled();
  });

  it('refuses a metrics request that would build more than the bounded number of values (413), protobuf and JSON', async () => {
    const { url } = await start({ maxBodyBytes: 20 * MiB });
    // resourceMetrics { scopeMetrics { metrics { gauge { dataPoints {} × 2M } } } }: 4 MiB on the wire.
    const w = protobuf.Writer.create();
    w.uint32((1 << 3) | 2).fork().uint32((2 << 3) | 2).fork().uint32((2 << 3) | 2).fork().uint32((5 << 3) | 2).fork();
    for (let i = 0; i < 2_000_000; i++) w.uint32((1 << 3) | 2).uint32(0);
    w.ldelim().ldelim().ldelim().ldelim();
    expect((await post(`${url}/v1/metrics`, Buffer.from(w.finish()), proto)).status).toBe(413);
    const points = `[${Array.from({ length: MAX_METRIC_VALUES }, () => '{}').join(',')}]`;
    const many = `{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","gauge":{"dataPoints":${points}}}]}]}]}`;
    expect((await post(`${url}/v1/metrics`, Buffer.from(many), json)).status).toBe(413);
    // An ordinary request is taken.
    expect((await post(`${url}/v1/metrics`, Buffer.from('{"resourceMetrics":[]}'), json)).status).toBe(200);
  });

  it('refuses deeply nested protobuf groups with 400', async () => {
    const { url } = await start({ maxBodyBytes: 20 * MiB });
    // Field 9 of an unknown message, wire type 3 (start group), a million times: a skipper that recurses has no bottom.
    const groups = Buffer.alloc(MiB, (9 << 3) | 3);
    for (const path of ['/v1/traces', '/v1/metrics']) expect((await post(`${url}${path}`, groups, proto)).status).toBe(400);
  });

  it('keeps none of 100,000 attributes nobody reads, in either encoding', () => {
    const attributes: Record<string, number> = { 'gen_ai.usage.input_tokens': 5 };
    for (let i = 0; i < 100_000; i++) attributes[`${['gen_ai', 'tokenledger', 'llm'][i % 3]}.junk_${i}`] = i;
    const s = span({ attributes });
    const general = Buffer.from(encodeJson([s]).toString().replace('"traceId"', '"trace_id"'));
    for (const decoded of [decodeTracesProtobuf(encodeProtobuf([s])), decodeTracesJson(encodeJson([s])), decodeTracesJson(general)]) {
      expect(Object.keys(decoded.spans[0]!.attributes).sort()).toEqual(['gen_ai.usage.input_tokens', 'otel.scope.name', 'service.name']);
    }
  });
});

describe('the attribute-key dictionary', () => {
  it('holds only the keys stored spans name: 100,000 stale keys of an old store are pruned after a restart, and never loaded', async () => {
    const dataDir = tempDir();
    const clock = new FakeClock();
    const config = testConfig({ TOKENLEDGER_DATA_DIR: dataDir, TOKENLEDGER_TRACE_IDLE_MS: '1000' });
    const first = new Collector({ config, clock });
    await first.recover();
    const A = traceId(1);
    await first.sink.accept([root(A, { 'tokenledger.tenant': 'acme', 'tokenledger.outcome': 'done' }), spanOf(A, { 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 1000 })]);
    await first.close();
    // What a store written before the bounds holds: keys of a hostile sender, in the millions there.
    const db = new DatabaseSync(join(dataDir, 'collector.db'));
    db.exec('BEGIN');
    const row = db.prepare('INSERT INTO attribute_keys (key) VALUES (?)');
    for (let i = 0; i < 100_000; i++) row.run(`tokenledger.junk_${i}`);
    db.exec('COMMIT');
    db.close();

    const second = new Collector({ config, clock });
    await second.recover();
    expect(second.buffer.open.get(A)!.spans).toBe(2); // the stored spans are read with their keys
    expect(await second.buffer.keysPruned).toBe(100_000);
    const keys = (second.db.prepare('SELECT key FROM attribute_keys ORDER BY key').all() as { key: string }[]).map((r) => r.key);
    expect(keys).toEqual(['gen_ai.request.model', 'gen_ai.usage.input_tokens', 'tokenledger.outcome', 'tokenledger.tenant']);
    clock.advance(1000);
    second.finaliser.tick();
    expect(second.metrics.registry.family('tokenledger_outcomes_total')!.total()).toBe(1);
    await second.close();
  });
});
