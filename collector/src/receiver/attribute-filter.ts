// Which attributes survive decoding: only what the roll-up reads. Everything else is skipped unread,
// which is where decode speed comes from (most spans carry many attributes the roll-up never needs).

const SPAN_PREFIXES = ['gen_ai.', 'tokenledger.', 'llm.', 'openinference.', 'error.type'];
const RESOURCE_PREFIXES = ['service.name', 'host.', 'cloud.', 'k8s.pod.name'];

// First bytes of the prefixes, so most keys are rejected before they are decoded to a string.
const spanFirst = new Set(SPAN_PREFIXES.map((p) => p.charCodeAt(0)));
const resourceFirst = new Set(RESOURCE_PREFIXES.map((p) => p.charCodeAt(0)));

export function mayKeepSpanKey(firstByte: number): boolean {
  return spanFirst.has(firstByte);
}

export function keepSpanKey(key: string): boolean {
  for (const p of SPAN_PREFIXES) if (key.startsWith(p)) return true;
  return false;
}

export function mayKeepResourceKey(firstByte: number): boolean {
  return resourceFirst.has(firstByte);
}

export function keepResourceKey(key: string): boolean {
  for (const p of RESOURCE_PREFIXES) if (key.startsWith(p)) return true;
  return false;
}
