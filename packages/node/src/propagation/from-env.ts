import { diag } from '@opentelemetry/api';
import type { TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, getStringListFromEnv, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { JaegerPropagator } from './jaeger.ts';

/** Propagators when OTEL_PROPAGATORS is unset: the SDK's default plus the legacy Jaeger format. */
export const DEFAULT_PROPAGATORS = ['tracecontext', 'baggage', 'jaeger'];

// The SDK's own OTEL_PROPAGATORS reader has a fixed list of names; this one adds `jaeger`.
const factories: Record<string, () => TextMapPropagator> = {
  tracecontext: () => new W3CTraceContextPropagator(),
  baggage: () => new W3CBaggagePropagator(),
  jaeger: () => new JaegerPropagator(),
  b3: () => new B3Propagator(),
  b3multi: () => new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }),
};

/** The global propagator per OTEL_PROPAGATORS (unknown names are warned about and skipped); null for `none`. */
export function createPropagatorFromEnv(): TextMapPropagator | null {
  const fromEnv = getStringListFromEnv('OTEL_PROPAGATORS');
  const names = [...new Set(fromEnv?.length ? fromEnv : DEFAULT_PROPAGATORS)];
  if (names.includes('none')) return null;
  const propagators: TextMapPropagator[] = [];
  for (const name of names) {
    const make = factories[name];
    if (make === undefined) diag.warn(`tokenledger: unknown propagator "${name}" in OTEL_PROPAGATORS, skipped`);
    else propagators.push(make());
  }
  return propagators.length === 0 ? null : new CompositePropagator({ propagators });
}
