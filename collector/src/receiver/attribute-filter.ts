// Which attributes survive decoding: only what the collector reads — the names packages/semconv defines under
// the namespaces it reads (`gen_ai.`, `tokenledger.`, `llm.`, `openinference.`; `cloud.` of a resource), and a few
// exact names. A key nothing reads is skipped unread: decode speed, and no sender can make the store keep (or its
// attribute-key dictionary grow by) keys of its own invention.
import * as sc from '@tokenledger/semconv';
import { PRODUCER_ATTRIBUTE_KEYS } from '../producers/index.ts';

/** Every name the semantic conventions package defines. */
const NAMED = (Object.values(sc) as unknown[]).filter((v): v is string => typeof v === 'string');
const under = (prefixes: readonly string[]) => NAMED.filter((n) => prefixes.some((p) => n.startsWith(p)));

// The scope names are kept as span attributes too: a span converted from a format without scopes carries them.
// cloud.region: the region an AWS SDK call went to (quota pressure is per model and region).
// Who, below the tenant: user and session ids, on spans or on the resource (a per-user process).
const IDENTITY = [sc.ATTR_USER_ID, sc.ATTR_ENDUSER_ID, sc.ATTR_SESSION_ID];
const SPAN = new Set<string>([
  sc.ATTR_ERROR_TYPE, sc.ATTR_CLOUD_REGION, sc.ATTR_OTEL_SCOPE_NAME, sc.ATTR_OTEL_SCOPE_VERSION, ...PRODUCER_ATTRIBUTE_KEYS, ...IDENTITY,
  ...under(sc.KEPT_SPAN_ATTRIBUTE_PREFIXES),
]);
const RESOURCE = new Set<string>([
  sc.RESOURCE_SERVICE_NAME, sc.RESOURCE_HOST_ID, sc.RESOURCE_HOST_NAME, sc.RESOURCE_K8S_POD_NAME, ...sc.RESOURCE_ATTRIBUTION_KEYS, ...IDENTITY,
  ...under([sc.RESOURCE_CLOUD_PREFIX]),
]);

/**
 * The kept names by first byte and length (all are ASCII and shorter than 256, so a key that can match has its
 * first character as first byte and its length in bytes): a key of a shape no kept name has is dropped before it
 * is hashed or decoded — most are.
 */
function shapes(keys: ReadonlySet<string>): Uint8Array {
  const a = new Uint8Array(256 * 256);
  for (const k of keys) a[(k.charCodeAt(0) << 8) | k.length] = 1;
  return a;
}
const SPAN_SHAPES = shapes(SPAN);
const RESOURCE_SHAPES = shapes(RESOURCE);

/** Whether a span attribute key is kept. */
export function keepSpanKey(key: string): boolean {
  return SPAN.has(key);
}

/** Whether a resource attribute key is kept (merged under the span's own attributes). */
export function keepResourceKey(key: string): boolean {
  return RESOURCE.has(key);
}

/** Whether a span attribute key of `length` bytes starting with `firstByte` may be kept. */
export function mayKeepSpanKey(firstByte: number, length: number): boolean {
  return length < 256 && SPAN_SHAPES[(firstByte << 8) | length] === 1;
}

export function mayKeepResourceKey(firstByte: number, length: number): boolean {
  return length < 256 && RESOURCE_SHAPES[(firstByte << 8) | length] === 1;
}
