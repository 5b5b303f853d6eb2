// The fast path of OTLP/JSON traces: reads the span fields and kept attributes straight from the body's
// bytes and skips everything else (checked, not built), where JSON.parse would first build every object
// and string of the request. It takes the shape exporters send; at anything else (proto field names,
// a list member repeated, a resource after its spans, nulls, escaped names) it throws, and
// decodeTracesJson decodes the body with JSON.parse instead: both agree on every body this returns for.
import type { AttributeValue, SpanRecord } from '../model/span-record.ts';
import { keepResourceKey, keepSpanKey, mayKeepResourceKey, mayKeepSpanKey } from './attribute-filter.ts';
import { CLOSE_ARRAY, CLOSE_OBJECT, JsonCursor, NotTaken, OPEN_ARRAY, OPEN_OBJECT, QUOTE } from './json-cursor.ts';
import { KeyCache } from './key-cache.ts';
import { StringCache } from './string-cache.ts';
import { attributeValue, hexId, nanosToMs, statusCode } from './otlp-json-values.ts';
import { type DecodedTraces, invalidSpanReason } from './span-validation.ts';
import { addScope, scopeBase } from './scope.ts';

type Attrs = Record<string, AttributeValue>;
type MayKeep = (firstByte: number, length: number) => boolean;
type Out = DecodedTraces<SpanRecord>;

const bytes = (s: string): Buffer => Buffer.from(s);
const RESOURCE_SPANS = bytes('resourceSpans');
const RESOURCE = bytes('resource');
const SCOPE_SPANS = bytes('scopeSpans');
const SPANS = bytes('spans');
const SCOPE = bytes('scope');
const VERSION = bytes('version');
const ATTRIBUTES = bytes('attributes');
const TRACE_ID = bytes('traceId');
const SPAN_ID = bytes('spanId');
const PARENT_SPAN_ID = bytes('parentSpanId');
const NAME = bytes('name');
const START = bytes('startTimeUnixNano');
const END = bytes('endTimeUnixNano');
const STATUS = bytes('status');
const CODE = bytes('code');
const KEY = bytes('key');
const VALUE = bytes('value');
const STRING_VALUE = bytes('stringValue');
const BOOL_VALUE = bytes('boolValue');
const INT_VALUE = bytes('intValue');
const DOUBLE_VALUE = bytes('doubleValue');
// A KeyValue as exporters write it (JSON.stringify: no whitespace, key first, one value member).
const KV_KEY = bytes('{"key":');
const KV_VALUE = bytes(',"value":{"');
const KV_STRING = bytes('stringValue":');
const KV_INT = bytes('intValue":');
const KV_DOUBLE = bytes('doubleValue":');
const KV_BOOL = bytes('boolValue":');
const KV_END = bytes('}}');
// Proto field names, which JSON decoders accept too: left to the general decoder.
const TOP_ALIASES = [bytes('resource_spans')];
const RESOURCE_SPANS_ALIASES = [bytes('scope_spans')];
const SPAN_ALIASES = ['trace_id', 'span_id', 'parent_span_id', 'start_time_unix_nano', 'end_time_unix_nano'].map(bytes);

const spanKeys = new KeyCache(keepSpanKey);
const resourceKeys = new KeyCache(keepResourceKey);
const strings = new StringCache();

/** Decodes a request in the exporters' shape; throws (NotTaken, DecodeError) at anything else. */
export function scanTracesJson(body: Buffer): Out {
  const c = new JsonCursor(body);
  const out: Out = { spans: [], rejected: 0 };
  let seen = false;
  if (c.open(OPEN_OBJECT)) {
    do {
      c.name();
      if (!c.nameIs(RESOURCE_SPANS)) other(c, TOP_ALIASES);
      else {
        seen = once(seen);
        if (c.open(OPEN_ARRAY)) {
          do resourceSpans(c, out);
          while (c.more(CLOSE_ARRAY));
        }
      }
    } while (c.more(CLOSE_OBJECT));
  }
  c.end();
  return out;
}

function resourceSpans(c: JsonCursor, out: Out): void {
  let resource: Attrs = {};
  let scopes = false;
  if (!c.open(OPEN_OBJECT)) return;
  do {
    c.name();
    if (c.nameIs(RESOURCE)) {
      // Spans are decoded as they come: a resource after them would have to be merged into them.
      if (scopes) throw new NotTaken('resource after scopeSpans');
      resource = resourceAttributes(c);
    } else if (c.nameIs(SCOPE_SPANS)) {
      scopes = once(scopes);
      if (c.open(OPEN_ARRAY)) {
        do scopeSpans(c, resource, out);
        while (c.more(CLOSE_ARRAY));
      }
    } else other(c, RESOURCE_SPANS_ALIASES);
  } while (c.more(CLOSE_OBJECT));
}

function resourceAttributes(c: JsonCursor): Attrs {
  const attrs: Attrs = {};
  let seen = false;
  if (!c.open(OPEN_OBJECT)) return attrs;
  do {
    c.name();
    if (!c.nameIs(ATTRIBUTES)) c.skip();
    else {
      seen = once(seen);
      attributes(c, attrs, mayKeepResourceKey, resourceKeys);
    }
  } while (c.more(CLOSE_OBJECT));
  return attrs;
}

function scopeSpans(c: JsonCursor, resource: Attrs, out: Out): void {
  let seen = false;
  let scoped = false;
  let base = resource;
  const first = out.spans.length;
  if (!c.open(OPEN_OBJECT)) return;
  do {
    c.name();
    if (c.nameIs(SPANS)) {
      seen = once(seen);
      if (c.open(OPEN_ARRAY)) {
        do span(c, base, out);
        while (c.more(CLOSE_ARRAY));
      }
    } else if (c.nameIs(SCOPE)) {
      scoped = once(scoped);
      base = instrumentationScope(c, resource);
      // Written after its spans (exporters write it first): they get it now, unless they have their own.
      for (let i = first; i < out.spans.length; i++) addScope(out.spans[i]!.attributes, base);
    } else c.skip();
  } while (c.more(CLOSE_OBJECT));
}

/** InstrumentationScope `{name, version, …}`: the name and version; the rest is skipped. */
function instrumentationScope(c: JsonCursor, resource: Attrs): Attrs {
  let name = '';
  let version = '';
  if (c.open(OPEN_OBJECT)) {
    do {
      c.name();
      if (c.nameIs(NAME)) name = c.string(strings);
      else if (c.nameIs(VERSION)) version = c.string(strings);
      else c.skip();
    } while (c.more(CLOSE_OBJECT));
  }
  return scopeBase(resource, name, version);
}

function span(c: JsonCursor, resource: Attrs, out: Out): void {
  let traceId = '';
  let spanId = '';
  let parentSpanId = '';
  let name = '';
  let startMs = 0;
  let endMs = 0;
  let st: 0 | 1 | 2 = 0;
  let attrs: Attrs | undefined;
  if (c.open(OPEN_OBJECT)) {
    do {
      c.name();
      if (c.nameIs(TRACE_ID)) traceId = hexId(c.ascii(), 'traceId');
      else if (c.nameIs(SPAN_ID)) spanId = hexId(c.ascii(), 'spanId');
      else if (c.nameIs(PARENT_SPAN_ID)) parentSpanId = hexId(c.ascii(), 'parentSpanId');
      else if (c.nameIs(NAME)) name = c.string(strings);
      else if (c.nameIs(START)) startMs = nanosToMs(numberOrString(c));
      else if (c.nameIs(END)) endMs = nanosToMs(numberOrString(c));
      else if (c.nameIs(STATUS)) st = status(c);
      else if (c.nameIs(ATTRIBUTES)) {
        attrs = { ...resource }; // anew if repeated: the last one counts, as with JSON.parse
        attributes(c, attrs, mayKeepSpanKey, spanKeys);
      } else other(c, SPAN_ALIASES);
    } while (c.more(CLOSE_OBJECT));
  }
  const invalid = invalidSpanReason(traceId, spanId, parentSpanId);
  if (invalid) {
    out.rejected++;
    out.firstError ??= invalid;
    return;
  }
  out.spans.push({ traceId, spanId, parentSpanId, name, startMs, endMs, statusCode: st, attributes: attrs ?? { ...resource } });
}

function status(c: JsonCursor): 0 | 1 | 2 {
  let code: string | number | undefined;
  if (c.open(OPEN_OBJECT)) {
    do {
      c.name();
      if (c.nameIs(CODE)) code = numberOrString(c);
      else c.skip();
    } while (c.more(CLOSE_OBJECT));
  }
  return statusCode(code);
}

function attributes(c: JsonCursor, into: Attrs, mayKeep: MayKeep, keys: KeyCache): void {
  if (!c.open(OPEN_ARRAY)) return;
  do keyValue(c, into, mayKeep, keys);
  while (c.more(CLOSE_ARRAY));
}

function keyValue(c: JsonCursor, into: Attrs, mayKeep: MayKeep, keys: KeyCache): void {
  if (exporterKeyValue(c, into, mayKeep, keys)) return;
  if (!c.open(OPEN_OBJECT)) return;
  let key: string | undefined;
  let read = 0; // 1 once the key is read, 2 once the value is
  do {
    c.name();
    if (c.nameIs(KEY)) {
      if (read !== 0) throw new NotTaken('key repeated');
      read = 1;
      const start = c.rawString();
      const end = c.p - 1;
      // Most keys are dropped on their first byte and length (no escapes: their bytes), before they are looked up.
      if (end > start && mayKeep(c.b[start]!, end - start)) key = keys.lookup(c.b, start, end);
    } else if (c.nameIs(VALUE)) {
      if (read !== 1) throw new NotTaken('value before key, or repeated');
      read = 2;
      if (key === undefined) c.skip();
      else {
        const value = anyValue(c);
        if (value !== undefined) into[key] = value;
      }
    } else c.skip();
  } while (c.more(CLOSE_OBJECT));
}

/**
 * A KeyValue in the exact bytes exporters write, `{"key":"…","value":{"<kind>":…}}`, read by comparing
 * whole runs of bytes instead of member by member. Reads the same members in the same order as
 * keyValue and anyValue, so it throws where they would; at any other shape it consumes nothing, stores
 * nothing and returns false.
 */
function exporterKeyValue(c: JsonCursor, into: Attrs, mayKeep: MayKeep, keys: KeyCache): boolean {
  const at = c.p;
  if (!c.at(KV_KEY)) return false;
  const start = c.rawString();
  const end = c.p - 1;
  const kind = c.at(KV_VALUE) ? valueKind(c) : undefined;
  if (kind === undefined) {
    c.p = at;
    return false;
  }
  const key = end > start && mayKeep(c.b[start]!, end - start) ? keys.lookup(c.b, start, end) : undefined;
  let value: AttributeValue | undefined;
  if (key === undefined) c.skip();
  else if (kind === KV_STRING) value = attributeValue(c.string(strings), undefined, undefined, undefined);
  else if (kind === KV_INT) value = attributeValue(undefined, undefined, numberOrString(c), undefined);
  else if (kind === KV_DOUBLE) value = attributeValue(undefined, undefined, undefined, numberOrString(c));
  else value = attributeValue(undefined, c.boolean(), undefined, undefined);
  if (!c.at(KV_END)) {
    c.p = at;
    return false;
  }
  if (value !== undefined) into[key!] = value;
  return true;
}

/** Consumes the name of a scalar AnyValue member and its colon (its first byte picks the one to compare). */
function valueKind(c: JsonCursor): Uint8Array | undefined {
  const first = c.b[c.p];
  const kind = first === 0x73 ? KV_STRING : first === 0x69 ? KV_INT : first === 0x64 ? KV_DOUBLE : first === 0x62 ? KV_BOOL : undefined;
  return kind && c.at(kind) ? kind : undefined;
}

function anyValue(c: JsonCursor): AttributeValue | undefined {
  let s: string | undefined;
  let b: boolean | undefined;
  let i: string | number | undefined;
  let d: string | number | undefined;
  if (c.open(OPEN_OBJECT)) {
    do {
      c.name();
      if (c.nameIs(STRING_VALUE)) s = c.string(strings);
      else if (c.nameIs(INT_VALUE)) i = numberOrString(c);
      else if (c.nameIs(DOUBLE_VALUE)) d = numberOrString(c);
      else if (c.nameIs(BOOL_VALUE)) b = c.boolean();
      else c.skip(); // arrays, kvlists and bytes are not read by the roll-up
    } while (c.more(CLOSE_OBJECT));
  }
  return attributeValue(s, b, i, d);
}

/** int64, double and enum values: proto3 JSON writes them as numbers or as strings. */
function numberOrString(c: JsonCursor): string | number {
  return c.next() === QUOTE ? c.string() : c.number();
}

/** Skips a member the decoder does not read, unless it is a proto name for one it reads. */
function other(c: JsonCursor, aliases: readonly Uint8Array[]): void {
  for (const a of aliases) if (c.nameIs(a)) throw new NotTaken('proto field name');
  c.skip();
}

/** Marks a container member seen: JSON.parse keeps the last of repeated members, the scan would merge them. */
function once(seen: boolean): true {
  if (seen) throw new NotTaken('member repeated');
  return true;
}
