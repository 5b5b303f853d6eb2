// The instrumentation scope of a ScopeSpans, merged under the attributes of its spans (as the resource's
// are): the producer table reads a span by who made it. Empty names are left out.
import { ATTR_OTEL_SCOPE_NAME, ATTR_OTEL_SCOPE_VERSION } from '@tokenledger/semconv';
import type { AttributeValue } from '../model/span-record.ts';

type Attrs = Record<string, AttributeValue>;

/** The attributes every span of a scope starts from: the resource's, then the scope's name and version. */
export function scopeBase(resource: Attrs, name: string, version: string): Attrs {
  if (name === '') return resource;
  const base: Attrs = { ...resource, [ATTR_OTEL_SCOPE_NAME]: name };
  if (version !== '') base[ATTR_OTEL_SCOPE_VERSION] = version;
  return base;
}

/** For a span read before its scope (an encoder writing fields out of order): the scope, unless the span has its own. */
export function addScope(attributes: Attrs, base: Attrs): void {
  for (const key of [ATTR_OTEL_SCOPE_NAME, ATTR_OTEL_SCOPE_VERSION]) {
    if (attributes[key] === undefined && base[key] !== undefined) attributes[key] = base[key]!;
  }
}
