// The OTLP/HTTP receiver against the OTLP specification's server rules (reference/reliability.md).
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { gzipSync, createGzip } from 'node:zlib';
import { SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { resourceFromAttributes } from '@opentelemetry/resources';
import protobuf from 'protobufjs/minimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeJson, encodeProtobuf, hexId, modelSpans, type BodySpan } from '../../bench/otlp-bodies.ts';
import { Backpressure, type SpanRecord, type SpanSink } from '../src/model/span-record.ts';
import { startOtlpReceiver, type OtlpReceiver, type OtlpReceiverOptions } from '../src/receiver/index.ts';

class MemorySink implements SpanSink {
  spans: SpanRecord[] = [];
  fail?: Error;
  async accept(spans: SpanRecord[]): Promise<void> {
    if (this.fail) throw this.fail;
    this.spans.push(...spans);
  }
}

let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function start(o: Partial<OtlpReceiverOptions> = {}): Promise<{ sink: MemorySink; url: string }> {
  const sink = (o.sink as MemorySink | undefined) ?? new MemorySink();
  receiver = await startOtlpReceiver({ host: '127.0.0.1', port: 0, maxBodyBytes: 1 << 20, ...o, sink });
  return { sink, url: `http://127.0.0.1:${receiver.address.port}` };
}

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

function post(url: string, body: Buffer | Readable, headers: Record<string, string> = {}, method = 'POST'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

const json = { 'content-type': 'application/json' };
const proto = { 'content-type': 'application/x-protobuf' };

const span = (over: Partial<BodySpan> = {}): BodySpan => ({
  traceId: hexId(16), spanId: hexId(8), name: 'chat', startMs: 1_700_000_000_123.5, endMs: 1_700_000_001_000,
  attributes: { 'gen_ai.usage.input_tokens': 10 }, ...over,
});

describe('OTLP receiver with the real exporters', () => {
  for (const [name, Exporter] of [['http/json', JsonExporter], ['http/protobuf', ProtoExporter]] as const) {
    it(`decodes what ${name} sends, keeping only roll-up attributes`, async () => {
      const { sink, url } = await start();
      const provider = new TracerProvider({
        resource: resourceFromAttributes({ 'service.name': 'shop', 'host.id': 'i-123', 'deployment.environment': 'prod' }),
        spanProcessors: [new SimpleSpanProcessor({ exporter: new Exporter({ url: `${url}/v1/traces` }) })],
      });
      const tracer = provider.getTracer('t');
      const root = tracer.startSpan('root', { attributes: { 'tokenledger.tenant': 'acme', 'http.method': 'GET' } });
      root.setStatus({ code: SpanStatusCode.ERROR });
      root.end();
      tracer.startSpan('chat', {
        attributes: { 'gen_ai.usage.input_tokens': 1200, 'tokenledger.cost.usd': 0.0125, 'tokenledger.outcome.success': false, 'error.type': 'ThrottlingException', 'db.statement': 'x' },
      }).end();
      await provider.forceFlush();
      await provider.shutdown();
      expect(sink.spans).toHaveLength(2);
      const [r, c] = sink.spans;
      expect(r.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(r.parentSpanId).toBe('');
      expect(r.statusCode).toBe(2);
      expect(r.endMs).toBeGreaterThanOrEqual(r.startMs);
      expect(r.startMs).toBeGreaterThan(Date.now() - 60_000);
      expect(r.attributes).toEqual({ 'tokenledger.tenant': 'acme', 'service.name': 'shop', 'host.id': 'i-123' });
      expect(c.attributes).toEqual({
        'gen_ai.usage.input_tokens': 1200, 'tokenledger.cost.usd': 0.0125, 'tokenledger.outcome.success': false,
        'error.type': 'ThrottlingException', 'service.name': 'shop', 'host.id': 'i-123',
      });
    });
  }

  it('hands /v1/metrics from the real protobuf metrics exporter to the metrics sink as OTLP/JSON objects', async () => {
    const requests: Record<string, unknown>[] = [];
    const { url } = await start({ metricsSink: (r) => requests.push(r) });
    const reader = new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${url}/v1/metrics` }), exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'host.id': 'i-9' }), readers: [reader] });
    provider.getMeter('m').createObservableGauge('neuroncore_utilization_ratio').addCallback((o) => o.observe(0.75, { neuroncore: '0' }));
    await provider.forceFlush();
    await provider.shutdown();
    const doc = JSON.stringify(requests);
    expect(doc).toContain('"name":"neuroncore_utilization_ratio"');
    expect(doc).toContain('"asDouble":0.75');
    expect(doc).toContain('"key":"neuroncore","value":{"stringValue":"0"}');
    expect(doc).toMatch(/"timeUnixNano":"\d{19}"/);
  });
});

describe('OTLP/JSON rules', () => {
  it('accepts mixed-case hex ids, int64 as strings and numbers, integer enums and unknown fields', async () => {
    const { sink, url } = await start();
    const body = JSON.stringify({
      resourceSpans: [{ unknownField: 1, resource: { attributes: [] }, scopeSpans: [{ scope: { name: 's', futureField: true }, spans: [
        { traceId: 'ABCDEF0123456789abcdef0123456789', spanId: 'AbCdEf0123456789', name: 'x', kind: 3, startTimeUnixNano: '1700000000123456789',
          endTimeUnixNano: 1700000001000000000, status: { code: 2 }, somethingNew: { a: 1 },
          attributes: [{ key: 'gen_ai.usage.input_tokens', value: { intValue: '9007199254740' } }, { key: 'gen_ai.usage.output_tokens', value: { intValue: 42 } }] },
      ] }] }],
    });
    const a = await post(`${url}/v1/traces`, Buffer.from(body), json);
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toBe('application/json');
    expect(sink.spans[0]).toMatchObject({
      traceId: 'abcdef0123456789abcdef0123456789', spanId: 'abcdef0123456789', statusCode: 2,
      attributes: { 'gen_ai.usage.input_tokens': 9007199254740, 'gen_ai.usage.output_tokens': 42 },
    });
    expect(sink.spans[0].startMs).toBeCloseTo(1700000000123.456789, 3);
  });

  it('answers 400 with a google.rpc.Status for ids that are not hex', async () => {
    const { sink, url } = await start();
    const body = encodeJson([span()]).toString().replace(/"traceId":"[0-9a-f]+"/, '"traceId":"zz0123456789abcdef0123456789abcd"');
    const a = await post(`${url}/v1/traces`, Buffer.from(body), json);
    expect(a.status).toBe(400);
    expect(JSON.parse(a.body.toString())).toMatchObject({ code: 3, message: expect.stringContaining('traceId') });
    expect(sink.spans).toHaveLength(0);
  });

  it('answers 200 to an empty request', async () => {
    const { url } = await start();
    expect((await post(`${url}/v1/traces`, Buffer.from('{}'), json)).status).toBe(200);
    expect((await post(`${url}/v1/traces`, Buffer.alloc(0), proto)).status).toBe(200);
  });
});

describe('status codes', () => {
  it('415 for other content types, 405 for other methods, 404 for other paths', async () => {
    const { url } = await start();
    expect((await post(`${url}/v1/traces`, Buffer.from('x'), { 'content-type': 'text/plain' })).status).toBe(415);
    const get = await post(`${url}/v1/traces`, Buffer.alloc(0), json, 'GET');
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect((await post(`${url}/v1/logs`, Buffer.from('{}'), json)).status).toBe(404);
  });

  for (const [name, encode, headers] of [['JSON', encodeJson, json], ['protobuf', encodeProtobuf, proto]] as const) {
    it(`keeps the good spans of a ${name} request and reports the 3 invalid ones as partial success`, async () => {
      const { sink, url } = await start();
      const spans = Array.from({ length: 100 }, () => span());
      spans[10].traceId = '00000000000000000000000000000000';
      spans[50].spanId = '0011';
      spans[99].parentSpanId = 'abcd';
      const a = await post(`${url}/v1/traces`, encode(spans), headers);
      expect(a.status).toBe(200);
      expect(sink.spans).toHaveLength(97);
      if (name === 'JSON') {
        expect(JSON.parse(a.body.toString()).partialSuccess).toMatchObject({ rejectedSpans: '3', errorMessage: expect.stringContaining('3 invalid') });
      } else {
        const r = protobuf.Reader.create(a.body);
        expect(r.uint32()).toBe((1 << 3) | 2);
        r.uint32();
        expect(r.uint32()).toBe((1 << 3) | 0);
        expect(Number(r.int64())).toBe(3);
      }
    });
  }

  it('takes a body of exactly the limit and refuses one byte more with 413, raw and gzipped', async () => {
    const limit = 4096;
    const { sink, url } = await start({ maxBodyBytes: limit });
    const base = encodeJson([span()]);
    const exact = Buffer.concat([base, Buffer.alloc(limit - base.length, ' ')]);
    const over = Buffer.concat([exact, Buffer.from(' ')]);
    expect((await post(`${url}/v1/traces`, exact, json)).status).toBe(200);
    expect((await post(`${url}/v1/traces`, over, json)).status).toBe(413);
    expect((await post(`${url}/v1/traces`, gzipSync(exact), { ...json, 'content-encoding': 'gzip' })).status).toBe(200);
    expect((await post(`${url}/v1/traces`, gzipSync(over), { ...json, 'content-encoding': 'gzip' })).status).toBe(413);
    expect(sink.spans).toHaveLength(2);
  });

  it('stops inflating a gzip bomb at the limit', async () => {
    const { url } = await start({ maxBodyBytes: 1 << 20 });
    const zeros = Buffer.alloc(1 << 20);
    const bomb = Readable.from((function* () {
      for (let i = 0; i < 512; i++) yield zeros; // 512 MiB inflated, about 0.5 MiB on the wire
    })()).pipe(createGzip());
    global.gc?.();
    const before = process.memoryUsage();
    const a = await post(`${url}/v1/traces`, bomb, { ...json, 'content-encoding': 'gzip' }).catch((err: Error) => ({ status: 0, err }));
    const after = process.memoryUsage();
    // The socket is closed after the answer; the client may see either the 413 or the reset.
    expect([413, 0]).toContain(a.status);
    expect(after.arrayBuffers + after.heapUsed - before.arrayBuffers - before.heapUsed).toBeLessThan(64 << 20);
  });

  it('answers 400 for a corrupt gzip body', async () => {
    const { url } = await start();
    expect((await post(`${url}/v1/traces`, Buffer.from('not gzip at all'), { ...json, 'content-encoding': 'gzip' })).status).toBe(400);
  });

  it('refuses an unauthenticated upload with 401 before reading its body', async () => {
    const { sink, url } = await start({ authToken: 's3cret', maxBodyBytes: 200 << 20 });
    let sent = 0;
    const chunk = Buffer.alloc(1 << 20, 'a');
    const upload = new Readable({
      read() {
        if (sent >= 100 << 20) return this.push(null);
        sent += chunk.length;
        this.push(chunk);
      },
    });
    const a = await post(`${url}/v1/traces`, upload, { ...json, 'content-length': String(100 << 20) });
    expect(a.status).toBe(401);
    expect(a.headers['www-authenticate']).toBe('Bearer');
    expect(sent).toBeLessThan(100 << 20);
    const ok = await post(`${url}/v1/traces`, encodeJson([span()]), { ...json, authorization: 'Bearer s3cret' });
    expect(ok.status).toBe(200);
    expect(sink.spans).toHaveLength(1);
  });

  it('answers 503 with Retry-After when the store pushes back, never 500', async () => {
    const sink = new MemorySink();
    const { url } = await start({ sink });
    sink.fail = new Backpressure('open spans at their bound', 7);
    const a = await post(`${url}/v1/traces`, encodeProtobuf([span()]), proto);
    expect(a.status).toBe(503);
    expect(a.headers['retry-after']).toBe('7');
    sink.fail = new Error('disk I/O error');
    const b = await post(`${url}/v1/traces`, encodeJson([span()]), json);
    expect(b.status).toBe(503);
    expect(Number(b.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('fuzzing', () => {
  // A seeded generator, so a failure replays.
  function prng(seed: number): () => number {
    return () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
  }

  it('answers random and mutated bodies with 200 or 400, never a crash or 5xx', async () => {
    const { url } = await start();
    const rand = prng(42);
    const valid = [encodeProtobuf(modelSpans(4)), encodeJson(modelSpans(4))];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 600; i++) {
      const isJson = i % 2 === 1;
      let body: Buffer;
      if (i % 3 === 0) body = Buffer.from(Array.from({ length: Math.floor(rand() * 300) }, () => Math.floor(rand() * 256)));
      else {
        body = Buffer.from(valid[isJson ? 1 : 0]);
        for (let m = 0; m < 1 + rand() * 8; m++) body[Math.floor(rand() * body.length)] = Math.floor(rand() * 256);
        if (rand() < 0.3) body = body.subarray(0, Math.floor(rand() * body.length));
      }
      const a = await post(`${url}/v1/traces`, body, isJson ? json : proto);
      statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    }
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([400]));
    expect([...statuses.keys()].every((s) => s === 200 || s === 400)).toBe(true);
    // Still serving normally afterwards.
    expect((await post(`${url}/v1/traces`, valid[0], proto)).status).toBe(200);
  });
});
