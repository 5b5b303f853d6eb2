// The reference meaning of an OTLP/JSON traces request, for the tests: JSON.parse the body, then read the spans'
// fields and kept attributes from the objects. The collector never does this to a request (it costs memory by the
// body's shape: ~1 GB for 20 MiB of nested arrays); its two decoders, the byte scanner and the general decoder, are
// held equal to it on thousands of bodies (receiver-json-scan.test.ts).
import type { AttributeValue, SpanRecord } from '../src/model/span-record.ts';
import { keepResourceKey, keepSpanKey } from '../src/receiver/attribute-filter.ts';
import { attributeValue, DecodeError, hexId, nanosToMs, statusCode } from '../src/receiver/otlp-json-values.ts';
import { scopeBase } from '../src/receiver/scope.ts';
import { type DecodedTraces, invalidSpanReason } from '../src/receiver/span-validation.ts';

type Attrs = Record<string, AttributeValue>;
interface JsonKeyValue { key?: unknown; value?: Record<string, unknown> }

/** The meaning of an OTLP/JSON traces request: JSON.parse, then the spans' fields and kept attributes. */
export function parseTracesJson(body: Buffer): DecodedTraces<SpanRecord> {
  let doc: unknown;
  try {
    doc = JSON.parse(body.length === 0 ? '{}' : body.toString('utf8'));
  } catch (err) {
    throw new DecodeError(`invalid JSON: ${(err as Error).message}`);
  }
  if (!isObject(doc)) throw new DecodeError('the request must be a JSON object');
  const out: DecodedTraces<SpanRecord> = { spans: [], rejected: 0 };
  for (const rs of list(doc.resourceSpans ?? doc.resource_spans, 'resourceSpans')) {
    const resource: Attrs = {};
    const res = isObject(rs) ? rs.resource : undefined;
    if (isObject(res)) attributes(res.attributes, resource, keepResourceKey);
    for (const ss of list(isObject(rs) ? rs.scopeSpans ?? rs.scope_spans : undefined, 'scopeSpans')) {
      const scope = isObject(ss) && isObject(ss.scope) ? ss.scope : {};
      const base = scopeBase(resource, typeof scope.name === 'string' ? scope.name : '', typeof scope.version === 'string' ? scope.version : '');
      for (const s of list(isObject(ss) ? ss.spans : undefined, 'spans')) {
        if (!isObject(s)) throw new DecodeError('a span must be an object');
        const traceId = hexId(s.traceId ?? s.trace_id, 'traceId');
        const spanId = hexId(s.spanId ?? s.span_id, 'spanId');
        const parentSpanId = hexId(s.parentSpanId ?? s.parent_span_id, 'parentSpanId');
        const invalid = invalidSpanReason(traceId, spanId, parentSpanId);
        if (invalid) {
          out.rejected++;
          out.firstError ??= invalid;
          continue;
        }
        const attrs: Attrs = { ...base };
        attributes(s.attributes, attrs, keepSpanKey);
        out.spans.push({
          traceId, spanId, parentSpanId,
          name: typeof s.name === 'string' ? s.name : '',
          startMs: nanosToMs(s.startTimeUnixNano ?? s.start_time_unix_nano),
          endMs: nanosToMs(s.endTimeUnixNano ?? s.end_time_unix_nano),
          statusCode: isObject(s.status) ? statusCode(s.status.code) : 0,
          attributes: attrs,
        });
      }
    }
  }
  return out;
}

function attributes(kvs: unknown, into: Attrs, keep: (k: string) => boolean): void {
  for (const kv of list(kvs, 'attributes') as JsonKeyValue[]) {
    if (!isObject(kv) || typeof kv.key !== 'string' || !keep(kv.key) || !isObject(kv.value)) continue;
    const v = kv.value;
    const value = attributeValue(v.stringValue, v.boolValue, v.intValue, v.doubleValue);
    if (value !== undefined) into[kv.key] = value;
  }
}

function list(v: unknown, field: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new DecodeError(`${field} must be an array`);
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
