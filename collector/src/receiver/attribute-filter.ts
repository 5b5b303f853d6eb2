// Which attributes survive decoding: only what the roll-up reads. Everything else is skipped unread,
// which is where decode speed comes from (most spans carry many attributes the roll-up never needs).
import {
  ATTR_ERROR_TYPE, KEPT_SPAN_ATTRIBUTE_PREFIXES, RESOURCE_CLOUD_PREFIX, RESOURCE_HOST_ID, RESOURCE_HOST_NAME,
  RESOURCE_K8S_POD_NAME, RESOURCE_SERVICE_NAME,
} from '@tokenledger/semconv';

const SPAN_PREFIXES: readonly string[] = KEPT_SPAN_ATTRIBUTE_PREFIXES;
const SPAN_KEYS = new Set([ATTR_ERROR_TYPE]);
const RESOURCE_PREFIXES = [RESOURCE_CLOUD_PREFIX];
const RESOURCE_KEYS = new Set([RESOURCE_SERVICE_NAME, RESOURCE_HOST_ID, RESOURCE_HOST_NAME, RESOURCE_K8S_POD_NAME]);

/** Whether a span attribute key is kept. */
export function keepSpanKey(key: string): boolean {
  return SPAN_KEYS.has(key) || SPAN_PREFIXES.some((p) => key.startsWith(p));
}

/** Whether a resource attribute key is kept (merged under the span's own attributes). */
export function keepResourceKey(key: string): boolean {
  return RESOURCE_KEYS.has(key) || RESOURCE_PREFIXES.some((p) => key.startsWith(p));
}

// First bytes of every kept key: the protobuf decoder rejects most keys before decoding them to a string.
const firstBytes = (names: Iterable<string>): Set<number> => new Set([...names].map((n) => n.charCodeAt(0)));
const spanFirst = firstBytes([...SPAN_PREFIXES, ...SPAN_KEYS]);
const resourceFirst = firstBytes([...RESOURCE_PREFIXES, ...RESOURCE_KEYS]);

export function mayKeepSpanKey(firstByte: number): boolean {
  return spanFirst.has(firstByte);
}

export function mayKeepResourceKey(firstByte: number): boolean {
  return resourceFirst.has(firstByte);
}
