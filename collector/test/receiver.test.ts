// The OTLP/HTTP receiver with the real OpenTelemetry exporters, and the OTLP/JSON rules of the specification.
import { context, SpanStatusCode, trace, ValueType } from '@opentelemetry/api';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import { encodeJson, encodeProtobuf } from '../../bench/otlp-bodies.ts';
import { decodeTracesProtobuf } from '../src/receiver/index.ts';
import { json, post, proto, span, start } from './receiver-helpers.ts';

const exporters = [
  ['http/json', (url: string) => new JsonExporter({ url })],
  ['http/protobuf', (url: string) => new ProtoExporter({ url })],
  ['http/protobuf gzip', (url: string) => new ProtoExporter({ url, compression: 'gzip' as never })],
  ['http/json gzip', (url: string) => new JsonExporter({ url, compression: 'gzip' as never })],
] as const;

describe('OTLP receiver with the real exporters', () => {
  for (const [name, exporter] of exporters) {
    it(`decodes what ${name} sends into SpanRecords, keeping only roll-up attributes`, async () => {
      const { sink, url } = await start();
      const provider = new TracerProvider({
        resource: resourceFromAttributes({ 'service.name': 'shop', 'service.namespace': 'x', 'host.id': 'i-123', 'host.arch': 'amd64', 'cloud.region': 'eu-west-1', 'deployment.environment': 'prod' }),
        spanProcessors: [name.includes('gzip') ? new BatchSpanProcessor({ exporter: exporter(`${url}/v1/traces`) }) : new SimpleSpanProcessor({ exporter: exporter(`${url}/v1/traces`) })],
      });
      const tracer = provider.getTracer('t', '2.1.0');
      const root = tracer.startSpan('root', { startTime: 1_700_000_000_123, attributes: { 'tokenledger.tenant': 'acme', 'http.method': 'GET' } });
      root.setStatus({ code: SpanStatusCode.ERROR });
      const ctx = trace.setSpan(context.active(), root);
      const child = tracer.startSpan('chat', {
        startTime: 1_700_000_000_200,
        attributes: {
          'gen_ai.usage.input_tokens': 1200, 'tokenledger.cost.usd': 0.0125, 'tokenledger.outcome.success': false,
          'error.type': 'ThrottlingException', 'llm.token_count.prompt': 7, 'db.statement': 'x', 'http.route': '/chat',
        },
      }, ctx);
      child.setStatus({ code: SpanStatusCode.OK });
      child.addEvent('retry', { 'gen_ai.ignored': 1 });
      child.end(1_700_000_000_950.25);
      root.end(1_700_000_001_000);
      await provider.forceFlush();
      await provider.shutdown();
      expect(sink.spans).toHaveLength(2);
      const c = sink.spans.find((s) => s.name === 'chat')!;
      const r = sink.spans.find((s) => s.name === 'root')!;
      expect(r.traceId).toBe(root.spanContext().traceId);
      expect(r.spanId).toBe(root.spanContext().spanId);
      expect(r.parentSpanId).toBe('');
      expect(c.traceId).toBe(r.traceId);
      expect(c.parentSpanId).toBe(r.spanId);
      expect(r.statusCode).toBe(2);
      expect(c.statusCode).toBe(1);
      expect(r.startMs).toBeCloseTo(1_700_000_000_123, 3);
      expect(r.endMs).toBeCloseTo(1_700_000_001_000, 3);
      expect(c.endMs).toBeCloseTo(1_700_000_000_950.25, 3);
      // The instrumentation scope (tracer `t`, version 2.1.0) is merged in like the resource.
      const scope = { 'otel.scope.name': 't', 'otel.scope.version': '2.1.0' };
      expect(r.attributes).toEqual({ 'tokenledger.tenant': 'acme', 'service.name': 'shop', 'host.id': 'i-123', 'cloud.region': 'eu-west-1', ...scope });
      // Int, double and bool keep their types; resource attributes are merged in, other span attributes dropped.
      expect(c.attributes).toEqual({
        'gen_ai.usage.input_tokens': 1200, 'tokenledger.cost.usd': 0.0125, 'tokenledger.outcome.success': false,
        'error.type': 'ThrottlingException', 'llm.token_count.prompt': 7, 'cloud.region': 'eu-west-1', 'service.name': 'shop', 'host.id': 'i-123', ...scope,
      });
    });
  }
});

describe('/v1/metrics', () => {
  it('hands gauges and histograms from the real protobuf metrics exporter to the metrics sink as OTLP/JSON objects', async () => {
    const requests: Record<string, unknown>[] = [];
    const { url } = await start({ metricsSink: (r) => requests.push(r) });
    const reader = new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${url}/v1/metrics` }), exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'host.id': 'i-9' }), readers: [reader] });
    const meter = provider.getMeter('m');
    meter.createObservableGauge('neuroncore_utilization_ratio').addCallback((o) => o.observe(0.75, { neuroncore: '0' }));
    meter.createUpDownCounter('queue_depth', { valueType: ValueType.INT }).add(-3);
    const h = meter.createHistogram('latency_s', { advice: { explicitBucketBoundaries: [0.1, 1] } });
    for (const v of [0.05, 0.5, 0.7, 2]) h.record(v, { route: 'rag' });
    await provider.forceFlush();
    await provider.shutdown();
    const doc = JSON.stringify(requests);
    expect(doc).toContain('"key":"host.id","value":{"stringValue":"i-9"}');
    expect(doc).toContain('"name":"neuroncore_utilization_ratio"');
    expect(doc).toContain('"asDouble":0.75');
    expect(doc).toContain('"key":"neuroncore","value":{"stringValue":"0"}');
    expect(doc).toMatch(/"timeUnixNano":"\d{19}"/);
    expect(doc).toContain('"asInt":"-3"');
    const metrics = (requests[0] as { resourceMetrics: { scopeMetrics: { metrics: { name: string; histogram?: { dataPoints: unknown[] } }[] }[] }[] })
      .resourceMetrics[0].scopeMetrics[0].metrics;
    expect(metrics.find((m) => m.name === 'latency_s')?.histogram?.dataPoints).toEqual([{
      startTimeUnixNano: expect.stringMatching(/^\d{19}$/), timeUnixNano: expect.stringMatching(/^\d{19}$/), count: '4', sum: 3.25,
      bucketCounts: ['1', '2', '1'], explicitBounds: [0.1, 1], min: 0.05, max: 2, attributes: [{ key: 'route', value: { stringValue: 'rag' } }],
    }]);
  });

  it('acknowledges metrics with no sink', async () => {
    const { url } = await start();
    expect((await post(`${url}/v1/metrics`, Buffer.from('{"resourceMetrics":[]}'), json)).status).toBe(200);
  });

  it('hands OTLP/JSON metrics requests over as parsed, and refuses undecodable ones with 400', async () => {
    const requests: Record<string, unknown>[] = [];
    const { url } = await start({ metricsSink: (r) => requests.push(r) });
    const doc = { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'g', gauge: { dataPoints: [{ asInt: '5', timeUnixNano: '1' }] } }] }] }] };
    expect((await post(`${url}/v1/metrics`, Buffer.from(JSON.stringify(doc)), json)).status).toBe(200);
    expect(requests).toEqual([doc]);
    const bad = await post(`${url}/v1/metrics`, Buffer.from('{"resourceMetrics":'), json);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body.toString()).code).toBe(3);
    expect((await post(`${url}/v1/metrics`, Buffer.from([0x0a, 0x05, 0x01]), proto)).status).toBe(400);
    expect(requests).toHaveLength(1);
  });
});

describe('OTLP/JSON rules', () => {
  it('accepts mixed-case hex ids, int64 as strings and numbers, integer enums and unknown fields', async () => {
    const { sink, url } = await start();
    const body = JSON.stringify({
      resourceSpans: [{ unknownField: 1, resource: { attributes: [] }, scopeSpans: [{ scope: { name: 's', futureField: true }, spans: [
        { traceId: 'ABCDEF0123456789abcdef0123456789', spanId: 'AbCdEf0123456789', parentSpanId: 'FEDCBA9876543210', name: 'x', kind: 3,
          startTimeUnixNano: '1700000000123456789', endTimeUnixNano: 1700000001000000000, status: { code: 2, message: 'm' }, somethingNew: { a: 1 },
          attributes: [
            { key: 'gen_ai.usage.input_tokens', value: { intValue: '9007199254740' } }, { key: 'gen_ai.usage.output_tokens', value: { intValue: 42 } },
            { key: 'tokenledger.cost.usd', value: { doubleValue: 0.5 } }, { key: 'tokenledger.outcome.success', value: { boolValue: true } },
            { key: 'gen_ai.response.finish_reasons', value: { arrayValue: { values: [{ stringValue: 'stop' }] } } },
            { key: 'tokenledger.tenant', value: { stringValue: 'acme' }, futureKeyField: 0 },
          ] },
      ] }] }],
    });
    const a = await post(`${url}/v1/traces`, Buffer.from(body), json);
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toBe('application/json');
    expect(JSON.parse(a.body.toString())).toEqual({});
    const named = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...JSON.parse(encodeJson([span()]).toString()).resourceSpans[0].scopeSpans[0].spans[0], status: { code: 'STATUS_CODE_ERROR' } }] }] }] });
    expect((await post(`${url}/v1/traces`, Buffer.from(named), json)).status).toBe(200);
    expect(sink.spans.pop()?.statusCode).toBe(2);
    expect(sink.spans).toEqual([{
      traceId: 'abcdef0123456789abcdef0123456789', spanId: 'abcdef0123456789', parentSpanId: 'fedcba9876543210', name: 'x', statusCode: 2,
      // biome-ignore lint/correctness/noPrecisionLoss: the nanoseconds as sent; compared to 3 decimals
      startMs: expect.closeTo(1700000000123.456789, 3), endMs: 1700000001000,
      attributes: { 'gen_ai.usage.input_tokens': 9007199254740, 'gen_ai.usage.output_tokens': 42, 'tokenledger.cost.usd': 0.5, 'tokenledger.outcome.success': true, 'tokenledger.tenant': 'acme',
        'otel.scope.name': 's' },
    }]);
  });

  for (const [what, replace] of [
    ['a trace id that is not hex', (b: string) => b.replace(/"traceId":"[0-9a-f]+"/, '"traceId":"zz0123456789abcdef0123456789abcd"')],
    ['a base64 span id', (b: string) => b.replace(/"spanId":"[0-9a-f]+"/, '"spanId":"AAECAwQFBgc="')],
    ['a time that is not an integer', (b: string) => b.replace(/"startTimeUnixNano":"\d+"/, '"startTimeUnixNano":"soon"')],
    ['spans that are not an array', (b: string) => b.replace(/"spans":\[.*\]\}\]\}\]/, '"spans":7}]}]')],
  ] as const) {
    it(`answers 400 with a google.rpc.Status for ${what}`, async () => {
      const { sink, url } = await start();
      const body = replace(encodeJson([span()]).toString());
      const a = await post(`${url}/v1/traces`, Buffer.from(body), json);
      expect(a.status).toBe(400);
      expect(JSON.parse(a.body.toString())).toMatchObject({ code: 3, message: expect.stringMatching(/\w/) });
      expect(sink.spans).toHaveLength(0);
    });
  }

  it('answers 200 to an empty request, JSON or protobuf', async () => {
    const { url } = await start();
    expect((await post(`${url}/v1/traces`, Buffer.from('{}'), json)).status).toBe(200);
    expect((await post(`${url}/v1/traces`, Buffer.alloc(0), json)).status).toBe(200);
    const p = await post(`${url}/v1/traces`, Buffer.alloc(0), proto);
    expect(p.status).toBe(200);
    expect(p.headers['content-type']).toBe('application/x-protobuf');
  });
});

describe('protobuf string values', () => {
  it('decodes repeated, non-ASCII, long and empty values exactly, whatever came before in the request', () => {
    const values = ['aws.bedrock', 'tenant-ü', 'x'.repeat(64), `${'y'.repeat(64)}z`, '', 'aws.bedrock', 'tenant-ü', 'résumé ✓ 😀', 'aws.bedrocK'];
    const spans = values.map((v, i) => ({
      traceId: 'ab'.repeat(16), spanId: (i + 1).toString(16).padStart(16, '0'), name: v, startMs: 1000, endMs: 1001,
      attributes: { 'tokenledger.tenant': v, 'gen_ai.request.model': `m-${i % 2}` },
    }));
    for (let round = 0; round < 2; round++) {
      const decoded = decodeTracesProtobuf(encodeProtobuf(spans)).spans;
      expect(decoded.map((s) => s.attributes['tokenledger.tenant'])).toEqual(values);
      expect(decoded.map((s) => s.name)).toEqual(values);
      expect(decoded.map((s) => s.attributes['gen_ai.request.model'])).toEqual(values.map((_, i) => `m-${i % 2}`));
    }
  });
});
