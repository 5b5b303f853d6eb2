// The general OTLP/JSON traces decoder, for the bodies the byte scanner does not take: members in any order,
// proto field names (`trace_id`), repeated members (the last counts), nulls, escaped names, values of the wrong
// type. It gives each body the meaning JSON.parse decoding would (collector/test/otlp-json-reference.ts is that
// decoder, and the tests hold them equal), but reads it from the bytes: an object is walked once to find where
// its members are, then the members that matter are read from there. Nothing else is built, so what a request
// costs follows the spans it holds, not the shape of its body (JSON.parse of 20 MiB of nested arrays takes ~1 GB).
import type { AttributeValue, SpanRecord } from '../model/span-record.ts';
import { keepResourceKey, keepSpanKey } from './attribute-filter.ts';
import { CLOSE_ARRAY, CLOSE_OBJECT, checkJson, JsonCursor, OPEN_ARRAY, OPEN_OBJECT, QUOTE } from './json-cursor.ts';
import { attributeValue, DecodeError, hexId, nanosToMs, statusCode } from './otlp-json-values.ts';
import { scopeBase } from './scope.ts';
import { type DecodedTraces, invalidSpanReason } from './span-validation.ts';

type Attrs = Record<string, AttributeValue>;
type Out = DecodedTraces<SpanRecord>;
/** Where each wanted member's value starts (the last one, when a member is repeated). */
type Members = Map<string, number>;

/** An object or array where a scalar was expected: no scalar rule takes it. */
const CONTAINER: unknown = Object.freeze({});
const NULL = 0x6e;

const set = (...names: string[]) => new Set(names);
const TOP = set('resourceSpans', 'resource_spans');
const RESOURCE_SPANS = set('resource', 'scopeSpans', 'scope_spans');
const ATTRIBUTES = set('attributes');
const SCOPE_SPANS = set('scope', 'spans');
const SCOPE = set('name', 'version');
const SPAN = set(
  'traceId', 'trace_id', 'spanId', 'span_id', 'parentSpanId', 'parent_span_id', 'name', 'startTimeUnixNano', 'start_time_unix_nano',
  'endTimeUnixNano', 'end_time_unix_nano', 'status', 'attributes',
);
const STATUS = set('code');
const KEY_VALUE = set('key', 'value');
const ANY_VALUE = set('stringValue', 'boolValue', 'intValue', 'doubleValue');

export function generalTracesJson(body: Buffer): Out {
  const text = body.length === 0 ? Buffer.from('{}') : body;
  // The whole document is JSON (and not too deep) before any of it is read.
  checkJson(text);
  const c = new JsonCursor(text);
  const top = members(c, 0, TOP);
  if (!top) throw new DecodeError('the request must be a JSON object');
  const out: Out = { spans: [], rejected: 0 };
  each(c, pick(c, top, 'resourceSpans', 'resource_spans'), 'resourceSpans', (at) => resourceSpans(c, at, out));
  return out;
}

function resourceSpans(c: JsonCursor, at: number, out: Out): void {
  const m = members(c, at, RESOURCE_SPANS);
  if (!m) return;
  const resource: Attrs = {};
  const res = members(c, m.get('resource'), ATTRIBUTES);
  if (res) attributes(c, res.get('attributes'), resource, keepResourceKey);
  each(c, pick(c, m, 'scopeSpans', 'scope_spans'), 'scopeSpans', (ss) => scopeSpans(c, ss, resource, out));
}

function scopeSpans(c: JsonCursor, at: number, resource: Attrs, out: Out): void {
  const m = members(c, at, SCOPE_SPANS);
  if (!m) return;
  const scope = members(c, m.get('scope'), SCOPE);
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const base = scopeBase(resource, text(scalar(c, scope?.get('name'))), text(scalar(c, scope?.get('version'))));
  each(c, m.get('spans'), 'spans', (s) => span(c, s, base, out));
}

function span(c: JsonCursor, at: number, base: Attrs, out: Out): void {
  const m = members(c, at, SPAN);
  if (!m) throw new DecodeError('a span must be an object');
  const value = (camel: string, snake: string) => scalar(c, pick(c, m, camel, snake));
  const traceId = hexId(value('traceId', 'trace_id'), 'traceId');
  const spanId = hexId(value('spanId', 'span_id'), 'spanId');
  const parentSpanId = hexId(value('parentSpanId', 'parent_span_id'), 'parentSpanId');
  const invalid = invalidSpanReason(traceId, spanId, parentSpanId);
  if (invalid) {
    out.rejected++;
    out.firstError ??= invalid;
    return;
  }
  const name = scalar(c, m.get('name'));
  const startMs = nanosToMs(value('startTimeUnixNano', 'start_time_unix_nano'));
  const endMs = nanosToMs(value('endTimeUnixNano', 'end_time_unix_nano'));
  const status = members(c, m.get('status'), STATUS);
  const attrs: Attrs = { ...base };
  attributes(c, m.get('attributes'), attrs, keepSpanKey);
  out.spans.push({
    traceId, spanId, parentSpanId, name: typeof name === 'string' ? name : '', startMs, endMs,
    statusCode: status ? statusCode(scalar(c, status.get('code'))) : 0, attributes: attrs,
  });
}

function attributes(c: JsonCursor, at: number | undefined, into: Attrs, keep: (key: string) => boolean): void {
  each(c, at, 'attributes', (kvAt) => {
    const kv = members(c, kvAt, KEY_VALUE);
    const key = kv && scalar(c, kv.get('key'));
    if (typeof key !== 'string' || !keep(key)) return;
    const v = members(c, kv!.get('value'), ANY_VALUE);
    if (!v) return;
    const value = attributeValue(scalar(c, v.get('stringValue')), scalar(c, v.get('boolValue')), scalar(c, v.get('intValue')), scalar(c, v.get('doubleValue')));
    if (value !== undefined) into[key] = value;
  });
}

/** The wanted members of the object at `at`, or undefined when no object is there (or nothing is). */
function members(c: JsonCursor, at: number | undefined, wanted: ReadonlySet<string>): Members | undefined {
  if (at === undefined) return undefined;
  c.p = at;
  if (c.next() !== OPEN_OBJECT) return undefined;
  const m: Members = new Map();
  if (c.open(OPEN_OBJECT)) {
    do {
      const name = c.memberName();
      c.next();
      if (wanted.has(name)) m.set(name, c.p);
      c.skip();
    } while (c.more(CLOSE_OBJECT));
  }
  return m;
}

/** `o.camel ?? o.snake`: the proto3 JSON name unless it is absent or null. */
function pick(c: JsonCursor, m: Members, camel: string, snake: string): number | undefined {
  const at = m.get(camel);
  if (at === undefined) return m.get(snake);
  c.p = at;
  return c.next() === NULL ? m.get(snake) : at;
}

/** Calls `fn` with where each element of the array at `at` starts; absent or null is no element; else it must be an array. */
function each(c: JsonCursor, at: number | undefined, field: string, fn: (at: number) => void): void {
  if (at === undefined) return;
  c.p = at;
  const b = c.next();
  if (b === NULL) return;
  if (b !== OPEN_ARRAY) throw new DecodeError(`${field} must be an array`);
  if (!c.open(OPEN_ARRAY)) return;
  do {
    c.next();
    const element = c.p;
    fn(element);
    c.p = element;
    c.skip();
  } while (c.more(CLOSE_ARRAY));
}

/** The scalar at `at` (a string, number, boolean or null), CONTAINER for an object or array, undefined for none. */
function scalar(c: JsonCursor, at: number | undefined): unknown {
  if (at === undefined) return undefined;
  c.p = at;
  const b = c.next();
  if (b === QUOTE) return c.string();
  if (b === OPEN_OBJECT || b === OPEN_ARRAY) return CONTAINER;
  if (b === NULL) return null;
  if (b === 0x74 || b === 0x66) return c.boolean();
  return c.number();
}
