// Which attributes survive decoding: only what the roll-up reads. Everything else is skipped unread,
// which is where decode speed comes from (most spans carry many attributes the roll-up never needs).
import {
  ATTR_CLOUD_REGION, ATTR_ERROR_TYPE, ATTR_OTEL_SCOPE_NAME, ATTR_OTEL_SCOPE_VERSION, KEPT_SPAN_ATTRIBUTE_PREFIXES, RESOURCE_ATTRIBUTION_KEYS,
  RESOURCE_CLOUD_PREFIX, RESOURCE_HOST_ID, RESOURCE_HOST_NAME, RESOURCE_K8S_POD_NAME, RESOURCE_SERVICE_NAME,
} from '@tokenledger/semconv';
import { PRODUCER_ATTRIBUTE_KEYS } from '../producers/index.ts';

interface Rules {
  keys: readonly string[];
  prefixes: readonly string[];
}

// The kept names by their first character: a key is compared only with the few that can match, and
// most keys are dropped on their first character (the protobuf decoder checks it before decoding them).
function byFirstChar(keys: readonly string[], prefixes: readonly string[]): (Rules | undefined)[] {
  const rules: (Rules | undefined)[] = [];
  for (const first of new Set([...keys, ...prefixes].map((n) => n.charCodeAt(0)))) {
    const starts = (n: string) => n.charCodeAt(0) === first;
    rules[first] = { keys: keys.filter(starts), prefixes: prefixes.filter(starts) };
  }
  return rules;
}

// The scope names are kept as span attributes too: a span converted from a format without scopes carries them.
// cloud.region: the region an AWS SDK call went to (quota pressure is per model and region).
const SPAN = byFirstChar([ATTR_ERROR_TYPE, ATTR_CLOUD_REGION, ATTR_OTEL_SCOPE_NAME, ATTR_OTEL_SCOPE_VERSION, ...PRODUCER_ATTRIBUTE_KEYS], KEPT_SPAN_ATTRIBUTE_PREFIXES);
const RESOURCE = byFirstChar([RESOURCE_SERVICE_NAME, RESOURCE_HOST_ID, RESOURCE_HOST_NAME, RESOURCE_K8S_POD_NAME, ...RESOURCE_ATTRIBUTION_KEYS], [RESOURCE_CLOUD_PREFIX]);

function keeps(rules: (Rules | undefined)[], key: string): boolean {
  const r = rules[key.charCodeAt(0)];
  if (r === undefined) return false;
  // Arrays of one or two names: comparing beats hashing a key that is a new string in every request.
  for (const p of r.prefixes) if (key.startsWith(p)) return true;
  for (const k of r.keys) if (key === k) return true;
  return false;
}

/** Whether a span attribute key is kept. */
export function keepSpanKey(key: string): boolean {
  return keeps(SPAN, key);
}

/** Whether a resource attribute key is kept (merged under the span's own attributes). */
export function keepResourceKey(key: string): boolean {
  return keeps(RESOURCE, key);
}

// Kept names are ASCII, so a key's first byte is its first character whenever it can match.
export function mayKeepSpanKey(firstByte: number): boolean {
  return SPAN[firstByte] !== undefined;
}

export function mayKeepResourceKey(firstByte: number): boolean {
  return RESOURCE[firstByte] !== undefined;
}
