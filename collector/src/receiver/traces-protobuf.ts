// Selective decoder of ExportTraceServiceRequest (opentelemetry-proto trace/v1, common/v1, resource/v1):
// reads only the fields of SpanRecord and the kept attributes, skips the rest by wire type.
import protobuf from 'protobufjs/minimal.js';
import type { AttributeValue, SpanRecord } from '../model/span-record.ts';
import { keepResourceKey, keepSpanKey, mayKeepResourceKey, mayKeepSpanKey } from './attribute-filter.ts';
import { KeyCache } from './key-cache.ts';
import { StringCache } from './string-cache.ts';
import { addScope, scopeBase } from './scope.ts';
import { type DecodedTraces, invalidSpanReason } from './span-validation.ts';

type Reader = protobuf.Reader;
type Attrs = Record<string, AttributeValue>;

const spanKeys = new KeyCache(keepSpanKey);
const resourceKeys = new KeyCache(keepResourceKey);
const strings = new StringCache();

export function decodeTracesProtobuf(body: Buffer): DecodedTraces<SpanRecord> {
  const r = protobuf.Reader.create(body);
  const out: DecodedTraces<SpanRecord> = { spans: [], rejected: 0 };
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 2)) resourceSpans(r, r.uint32() + r.pos, out);
    else r.skipType(tag & 7);
  }
  if (r.pos !== r.len) throw new RangeError('malformed message: truncated');
  return out;
}

function resourceSpans(r: Reader, end: number, out: DecodedTraces<SpanRecord>): void {
  let resource: Attrs = {};
  // Spans are read after the resource even when it comes last on the wire: remember their ranges.
  const scopes: [number, number][] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 2)) resource = resourceAttributes(r, r.uint32() + r.pos);
    else if (tag === ((2 << 3) | 2)) {
      const len = r.uint32();
      scopes.push([r.pos, r.pos + len]);
      r.pos += len;
    } else r.skipType(tag & 7);
  }
  checkEnd(r, end);
  const after = r.pos;
  for (const [start, stop] of scopes) {
    r.pos = start;
    // The scope (field 1) comes first as encoders write it; spans before it get it once it is read.
    let base = resource;
    const first = out.spans.length;
    while (r.pos < stop) {
      const tag = r.uint32();
      if (tag === ((2 << 3) | 2)) span(r, r.uint32() + r.pos, base, out);
      else if (tag === ((1 << 3) | 2)) {
        base = instrumentationScope(r, r.uint32() + r.pos, resource);
        for (let i = first; i < out.spans.length; i++) addScope(out.spans[i]!.attributes, base);
      } else r.skipType(tag & 7);
    }
    checkEnd(r, stop);
  }
  r.pos = after;
}

/** InstrumentationScope: name (1), version (2); attributes and the rest are skipped. */
function instrumentationScope(r: Reader, end: number, resource: Attrs): Attrs {
  let name = '';
  let version = '';
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 2)) name = r.string();
    else if (tag === ((2 << 3) | 2)) version = r.string();
    else r.skipType(tag & 7);
  }
  checkEnd(r, end);
  return scopeBase(resource, name, version);
}

function resourceAttributes(r: Reader, end: number): Attrs {
  const attrs: Attrs = {};
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 2)) keyValue(r, r.uint32() + r.pos, attrs, mayKeepResourceKey, resourceKeys);
    else r.skipType(tag & 7);
  }
  checkEnd(r, end);
  return attrs;
}

function span(r: Reader, end: number, resource: Attrs, out: DecodedTraces<SpanRecord>): void {
  let traceId = '';
  let spanId = '';
  let parentSpanId = '';
  let name = '';
  let startMs = 0;
  let endMs = 0;
  let statusCode: 0 | 1 | 2 = 0;
  const attributes: Attrs = { ...resource };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | 2: traceId = hex(r); break;
      case (2 << 3) | 2: spanId = hex(r); break;
      case (4 << 3) | 2: parentSpanId = hex(r); break;
      case (5 << 3) | 2: name = stringValue(r); break;
      case (7 << 3) | 1: startMs = fixed64Ms(r); break;
      case (8 << 3) | 1: endMs = fixed64Ms(r); break;
      case (9 << 3) | 2: keyValue(r, r.uint32() + r.pos, attributes, mayKeepSpanKey, spanKeys); break;
      case (15 << 3) | 2: statusCode = status(r, r.uint32() + r.pos); break;
      default: r.skipType(tag & 7);
    }
  }
  checkEnd(r, end);
  const invalid = invalidSpanReason(traceId, spanId, parentSpanId);
  if (invalid) {
    out.rejected++;
    out.firstError ??= invalid;
    return;
  }
  out.spans.push({ traceId, spanId, parentSpanId, name, startMs, endMs, statusCode, attributes });
}

function status(r: Reader, end: number): 0 | 1 | 2 {
  let code = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((3 << 3) | 0)) code = r.int32();
    else r.skipType(tag & 7);
  }
  checkEnd(r, end);
  return code === 1 || code === 2 ? code : 0;
}

function keyValue(r: Reader, end: number, into: Attrs, mayKeep: (firstByte: number, length: number) => boolean, keys: KeyCache): void {
  let key: string | undefined;
  let value: AttributeValue | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 2)) {
      const len = r.uint32();
      const start = r.pos;
      r.pos += len;
      if (r.pos > r.len) throw new RangeError('index out of range');
      if (len > 0 && mayKeep(r.buf[start]!, len)) key = keys.lookup(r.buf, start, r.pos);
      if (key === undefined) {
        // Not kept: skip the rest of this KeyValue without reading the value.
        r.pos = end;
        break;
      }
    } else if (tag === ((2 << 3) | 2)) value = anyValue(r, r.uint32() + r.pos);
    else r.skipType(tag & 7);
  }
  checkEnd(r, end);
  if (key !== undefined && value !== undefined) into[key] = value;
}

function anyValue(r: Reader, end: number): AttributeValue | undefined {
  let v: AttributeValue | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | 2: v = stringValue(r); break;
      case (2 << 3) | 0: v = r.bool(); break;
      case (3 << 3) | 0: v = int64(r); break;
      case (4 << 3) | 1: v = r.double(); break;
      default: r.skipType(tag & 7); // arrays, kvlists and bytes are not read by the roll-up
    }
  }
  checkEnd(r, end);
  return v;
}

/**
 * A string field, but one string for the same bytes: names and values repeat in every span of a request (provider,
 * model, tenant, region), so they are neither decoded again nor new strings to hash and collect.
 */
function stringValue(r: Reader): string {
  const b = r.buf;
  if (!Buffer.isBuffer(b)) return r.string();
  const len = r.uint32();
  const start = r.pos;
  r.pos += len;
  if (r.pos > r.len) throw new RangeError('index out of range');
  return strings.get(b, start, r.pos);
}

function int64(r: Reader): number {
  const l = r.int64() as unknown as number | { toNumber(): number };
  return typeof l === 'number' ? l : l.toNumber();
}

function fixed64Ms(r: Reader): number {
  const lo = r.fixed32();
  const hi = r.fixed32();
  return (hi * 4294967296 + lo) / 1e6;
}

function hex(r: Reader): string {
  const len = r.uint32();
  const start = r.pos;
  r.pos += len;
  if (r.pos > r.len) throw new RangeError('index out of range');
  // A Buffer (what the receiver passes) slices to hex without allocating a view.
  const b = r.buf;
  return Buffer.isBuffer(b) ? b.toString('hex', start, r.pos) : Buffer.from(b.buffer, b.byteOffset + start, len).toString('hex');
}

function checkEnd(r: Reader, end: number): void {
  if (r.pos !== end) throw new RangeError(`malformed message: length mismatch at byte ${r.pos}`);
}
