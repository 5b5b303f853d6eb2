// OTLP/JSON request bodies for tests (the wire format of the OTLP specification).
export interface TestSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name?: string;
  statusCode?: number;
  attributes: Record<string, string | number | boolean>;
}

export function otlpJson(spans: TestSpan[]): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'test' } }] },
      scopeSpans: [{
        scope: { name: 'test' },
        spans: spans.map((s) => ({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? '',
          name: s.name ?? 'span',
          kind: 1,
          startTimeUnixNano: String(now),
          endTimeUnixNano: String(now + 1_000_000n),
          attributes: Object.entries(s.attributes).map(([key, v]) => ({
            key,
            value: typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v },
          })),
          status: { code: s.statusCode ?? 0 },
        })),
      }],
    }],
  });
}
