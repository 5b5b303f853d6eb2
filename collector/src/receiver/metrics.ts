// /v1/metrics: decoded into the OTLP/JSON object shape (resourceMetrics → scopeMetrics → metrics with
// gauge, sum and histogram data points; int64 as strings) for the accelerator capacity roll-up.
// Exponential histograms, summaries and exemplars are skipped: nothing here reads them.
import protobuf from 'protobufjs/minimal.js';
import { MAX_METRIC_VALUES, TooComplex } from './decode-limits.ts';
import { checkJson } from './json-cursor.ts';
import { DecodeError } from './otlp-json-values.ts';

type Reader = protobuf.Reader;
type Json = Record<string, unknown>;

/** The request as JSON.parse gives it, once the cursor has checked it is JSON, not too deep, of a bounded number of values. */
export function decodeMetricsJson(body: Buffer): Json {
  const text = body.length === 0 ? Buffer.from('{}') : body;
  const values = checkJson(text);
  if (values > MAX_METRIC_VALUES) throw tooComplex(values);
  const doc: unknown = JSON.parse(text.toString('utf8'));
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new DecodeError('the request must be a JSON object');
  return doc as Json;
}

export function decodeMetricsProtobuf(body: Buffer): Json {
  const r = protobuf.Reader.create(body);
  built = 0;
  const resourceMetrics: Json[] = [];
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 2)) resourceMetrics.push(message(r, { 1: ['resource', resource], 2: ['scopeMetrics', scopeMetrics, true] }));
    else r.skipType(tag & 7);
  }
  if (r.pos !== r.len) throw new RangeError('malformed message: truncated');
  return { resourceMetrics };
}

type Field = [name: string, read: (r: Reader) => unknown, repeated?: boolean];

/** Values built for the request being decoded (decoding is synchronous: one request at a time). */
let built = 0;

function tooComplex(n: number): TooComplex {
  return new TooComplex(`the request holds more than ${MAX_METRIC_VALUES} values${n > MAX_METRIC_VALUES ? ` (${n})` : ''}`);
}

/** Counts one more value built; past the bound the request is refused. */
function count(): void {
  if (++built > MAX_METRIC_VALUES) throw tooComplex(built);
}

/** Reads one length-delimited message, keeping the listed fields and skipping the others. */
function message(r: Reader, fields: Record<number, Field>, wire = new Map<number, number>()): Json {
  const end = r.uint32() + r.pos;
  count();
  const out: Json = {};
  while (r.pos < end) {
    const tag = r.uint32();
    const f = fields[tag >>> 3];
    const expected = wire.get(tag >>> 3) ?? 2;
    if (!f || (tag & 7) !== expected) {
      r.skipType(tag & 7);
      continue;
    }
    const [name, read, repeated] = f;
    count();
    const v = read(r);
    if (repeated) ((out[name] ??= []) as unknown[]).push(v);
    else out[name] = v;
  }
  if (r.pos !== end) throw new RangeError('malformed message: length mismatch');
  return out;
}

const keyValue = (r: Reader): Json => message(r, { 1: ['key', (x) => x.string()], 2: ['value', anyValue] });
const attributes: Field = ['attributes', keyValue, true];
const resource = (r: Reader): Json => message(r, { 1: attributes });
const scopeMetrics = (r: Reader): Json => message(r, { 2: ['metrics', metric, true] });
const metric = (r: Reader): Json =>
  message(r, {
    1: ['name', (x) => x.string()], 3: ['unit', (x) => x.string()],
    5: ['gauge', (x) => points(x, dataPoint)], 7: ['sum', (x) => points(x, dataPoint)], 9: ['histogram', (x) => points(x, histogramPoint)],
  });

/** Gauge, Sum or Histogram: its data points, temporality and monotonicity. */
function points(r: Reader, point: (r: Reader) => Json): Json {
  return message(
    r,
    { 1: ['dataPoints', point, true], 2: ['aggregationTemporality', (x) => x.int32()], 3: ['isMonotonic', (x) => x.bool()] },
    new Map([[2, 0], [3, 0]]),
  );
}

function dataPoint(r: Reader): Json {
  return message(
    r,
    { 7: attributes, 2: ['startTimeUnixNano', fixed64String], 3: ['timeUnixNano', fixed64String], 4: ['asDouble', (x) => x.double()], 6: ['asInt', sfixed64String] },
    new Map([[2, 1], [3, 1], [4, 1], [6, 1]]),
  );
}

function histogramPoint(r: Reader): Json {
  return message(
    r,
    {
      9: attributes, 2: ['startTimeUnixNano', fixed64String], 3: ['timeUnixNano', fixed64String], 4: ['count', fixed64String],
      5: ['sum', (x) => x.double()], 6: ['bucketCounts', (x) => packed(x, fixed64String)], 7: ['explicitBounds', (x) => packed(x, (y) => y.double())],
      11: ['min', (x) => x.double()], 12: ['max', (x) => x.double()],
    },
    new Map([[2, 1], [3, 1], [4, 1], [5, 1], [11, 1], [12, 1]]),
  );
}

/** A packed repeated scalar field (proto3's encoding for repeated numbers). */
function packed<T>(r: Reader, read: (r: Reader) => T): T[] {
  const end = r.uint32() + r.pos;
  const out: T[] = [];
  while (r.pos < end) {
    count();
    out.push(read(r));
  }
  if (r.pos !== end) throw new RangeError('malformed packed field: length mismatch');
  return out;
}

function anyValue(r: Reader): Json {
  return message(
    r,
    { 1: ['stringValue', (x) => x.string()], 2: ['boolValue', (x) => x.bool()], 3: ['intValue', (x) => String(x.int64())], 4: ['doubleValue', (x) => x.double()] },
    new Map([[2, 0], [3, 0], [4, 1]]),
  );
}

function fixed64String(r: Reader): string {
  const lo = BigInt(r.fixed32());
  const hi = BigInt(r.fixed32());
  return String((hi << 32n) | lo);
}

function sfixed64String(r: Reader): string {
  return String(BigInt.asIntN(64, BigInt(fixed64String(r))));
}
