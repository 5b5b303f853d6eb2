// The OTLP/JSON decoder's value rules, directly: nanosecond times (digit strings of any length and
// numbers), hex ids in any case, and which attribute keys survive (span keys by namespace, resource keys by name).
import { describe, expect, it } from 'vitest';
import { DecodeError, decodeTracesJson } from '../src/receiver/index.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

function request(span: Record<string, unknown>, resource: Record<string, string> = {}): Buffer {
  const kvs = (attrs: Record<string, string>) => Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: v } }));
  return Buffer.from(JSON.stringify({
    resourceSpans: [{ resource: { attributes: kvs(resource) }, scopeSpans: [{ spans: [{ traceId: TRACE, spanId: SPAN, ...span }] }] }],
  }));
}

const decodeOne = (span: Record<string, unknown>, resource?: Record<string, string>) => decodeTracesJson(request(span, resource)).spans[0];

describe('OTLP/JSON times', () => {
  // The specification's meaning: milliseconds = whole part + sub-millisecond part, each exact.
  const expected = (digits: string) =>
    digits.length > 6 ? Number(digits.slice(0, -6)) + Number(digits.slice(-6)) / 1e6 : Number(digits) / 1e6;

  it('converts digit strings of every length, leading zeros included, to milliseconds', () => {
    const digits = '17000000001234567899876543'; // up to 26 digits: past 2^53 and past 15 digits of milliseconds
    for (let n = 1; n <= digits.length; n++) {
      const s = digits.slice(0, n);
      expect(decodeOne({ startTimeUnixNano: s }).startMs).toBe(expected(s));
    }
    expect(decodeOne({ startTimeUnixNano: '0001700000000123456789' }).startMs).toBe(expected('1700000000123456789'));
    // biome-ignore lint/correctness/noPrecisionLoss: the nanoseconds as sent; compared to 3 decimals
    expect(decodeOne({ startTimeUnixNano: '1700000000123456789' }).startMs).toBeCloseTo(1700000000123.456789, 3);
  });

  it('takes integer numbers (truncating fractions) and treats absent times as 0', () => {
    expect(decodeOne({ startTimeUnixNano: 1700000001000000000, endTimeUnixNano: 2500.9 })).toMatchObject({ startMs: 1700000001000, endMs: 0.0025 });
    expect(decodeOne({})).toMatchObject({ startMs: 0, endMs: 0 });
  });

  for (const bad of ['', '-1', '1.5', '12a', ' 12', '１２', -5, 1e21, true]) {
    it(`refuses the time ${JSON.stringify(bad)}`, () => {
      expect(() => decodeTracesJson(request({ endTimeUnixNano: bad }))).toThrow(DecodeError);
    });
  }
});

describe('OTLP/JSON ids', () => {
  it('stores ids lower-case whatever their case', () => {
    const upper = decodeOne({ traceId: TRACE.toUpperCase(), spanId: 'B7aD6b7169203331', parentSpanId: SPAN });
    expect(upper).toMatchObject({ traceId: TRACE, spanId: SPAN, parentSpanId: SPAN });
  });

  for (const bad of ['b7ad6b716920333', 'b7ad6b716920333g', 'b7ad6b71692033 1', 12]) {
    it(`refuses the span id ${JSON.stringify(bad)}`, () => {
      expect(() => decodeTracesJson(request({ spanId: bad }))).toThrow(DecodeError);
    });
  }

  it('rejects a span without ids alone, as a partial success', () => {
    const out = decodeTracesJson(request({ spanId: '' }));
    expect(out).toMatchObject({ spans: [], rejected: 1, firstError: expect.stringMatching(/span_id/) });
  });
});

describe('OTLP/JSON attribute keys', () => {
  it('keeps the names the collector reads only: named ones in its namespaces (the span\'s own resource-like keys are dropped, but for cloud.region: the region an AWS SDK call went to)', () => {
    const kv = (key: string) => ({ key, value: { stringValue: key } });
    const keys = ['gen_ai.request.model', 'gen_ai', 'genai.x', 'gen_ai.x', 'tokenledger.tenant', 'tokenledger.x', 'thread.id', 'llm.x', 'llm.model_name', 'openinference.y',
      'openinference.span.kind', 'error.type', 'error.types', 'service.name', ''];
    const s = decodeOne(
      { attributes: [...keys.map(kv), { key: 'cloud.region', value: { stringValue: 'us-west-2' } }, { key: 'cloud.account.id', value: { stringValue: 'from the span' } }] },
      { 'service.name': 'svc', 'cloud.region': 'eu-west-1', 'cloud.x': 'x', 'host.name': 'h', 'host.type': 't', 'k8s.pod.name': 'p', 'service.namespace': 'n' },
    );
    // The app runs in eu-west-1 (its resource); its Bedrock call went to us-west-2 (the span): the span's wins.
    expect(s.attributes).toEqual({
      'service.name': 'svc', 'cloud.region': 'us-west-2', 'host.name': 'h', 'k8s.pod.name': 'p',
      'gen_ai.request.model': 'gen_ai.request.model', 'tokenledger.tenant': 'tokenledger.tenant', 'llm.model_name': 'llm.model_name',
      'openinference.span.kind': 'openinference.span.kind', 'error.type': 'error.type',
    });
  });
});
