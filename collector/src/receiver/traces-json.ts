// OTLP/JSON ExportTraceServiceRequest → SpanRecord[], with the specification's JSON rules: ids are hex
// (any case), int64 may be a string or a number, enums are integers, unknown fields are ignored.
import type { AttributeValue, SpanRecord } from '../model/span-record.ts';
import { keepResourceKey, keepSpanKey } from './attribute-filter.ts';
import { type DecodedTraces, invalidSpanReason } from './span-validation.ts';

/** Thrown for a body that is not an OTLP/JSON request at all (answered 400). */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

type Attrs = Record<string, AttributeValue>;
interface JsonKeyValue { key?: unknown; value?: Record<string, unknown> }

export function decodeTracesJson(body: Buffer): DecodedTraces<SpanRecord> {
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
        const attrs: Attrs = { ...resource };
        attributes(s.attributes, attrs, keepSpanKey);
        const st = isObject(s.status) ? statusCode(s.status.code) : 0;
        out.spans.push({
          traceId, spanId, parentSpanId,
          name: typeof s.name === 'string' ? s.name : '',
          startMs: nanosToMs(s.startTimeUnixNano ?? s.start_time_unix_nano),
          endMs: nanosToMs(s.endTimeUnixNano ?? s.end_time_unix_nano),
          statusCode: st === 1 || st === 2 ? st : 0,
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
    const value =
      typeof v.stringValue === 'string' ? v.stringValue
      : typeof v.boolValue === 'boolean' ? v.boolValue
      : v.intValue !== undefined ? Number(v.intValue)
      : v.doubleValue !== undefined ? Number(v.doubleValue)
      : undefined;
    if (value !== undefined && (typeof value !== 'number' || Number.isFinite(value))) into[kv.key] = value;
  }
}

// Enums are integers in OTLP/JSON; proto3 JSON parsers accept the names too.
const STATUS_NAMES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

function statusCode(v: unknown): number {
  return typeof v === 'string' ? (STATUS_NAMES[v] ?? Number(v)) : Number(v ?? 0);
}

function hexId(v: unknown, field: string): string {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v !== 'string' || v.length % 2 !== 0) throw new DecodeError(`${field} must be a hex string`);
  let upper = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 0x41 && c <= 0x46) upper = true; // A-F
    else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) throw new DecodeError(`${field} must be a hex string`);
  }
  // Most senders write lower case already: no new string for them.
  return upper ? v.toLowerCase() : v;
}

function nanosToMs(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string') return digitsToMs(v);
  if (typeof v === 'number') return digitsToMs(String(Math.trunc(v)));
  throw timeError();
}

// Nanoseconds exceed 2^53: split so milliseconds keep sub-millisecond precision. The digits are summed
// as they are checked (no regular expression, no slices), which is exact up to 15 digits of milliseconds.
function digitsToMs(s: string): number {
  if (s.length === 0) throw timeError();
  const split = s.length - 6;
  let ms = 0;
  let frac = 0;
  for (let i = 0; i < s.length; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) throw timeError();
    if (i < split) ms = ms * 10 + d;
    else frac = frac * 10 + d;
  }
  if (split > 15) ms = Number(s.slice(0, split));
  return ms + frac / 1e6;
}

function timeError(): DecodeError {
  return new DecodeError('time fields must be unsigned integers (string or number)');
}

function list(v: unknown, field: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new DecodeError(`${field} must be an array`);
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
