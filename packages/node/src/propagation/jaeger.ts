// Propagation in the format of the legacy Jaeger clients (jaeger-client-node, -java, -go…), so services
// not yet moved to OpenTelemetry join the same traces. Written here because the upstream
// @opentelemetry/propagator-jaeger has no 3.x release: its 2.x peer range excludes @opentelemetry/api 1.10.
import { diag, isSpanContextValid, propagation, trace, TraceFlags } from '@opentelemetry/api';
import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';

/** `{trace-id}:{span-id}:{parent-span-id}:{flags}`, ids in hex (leading zeros may be dropped). */
export const UBER_TRACE_ID_HEADER = 'uber-trace-id';
/** One baggage item per header: `uberctx-{key}: {url-encoded value}`. */
export const UBER_BAGGAGE_PREFIX = 'uberctx-';
/** Ad-hoc baggage from outside a trace: `jaeger-baggage: k1=v1, k2=v2`. */
export const JAEGER_BAGGAGE_HEADER = 'jaeger-baggage';

const FLAG_SAMPLED = 0x1;
const FLAG_DEBUG = 0x2;
const HEX = /^[0-9a-f]+$/i;

export class JaegerPropagator implements TextMapPropagator {
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    if (isTracingSuppressed(ctx)) return;
    const sc = trace.getSpanContext(ctx);
    if (sc !== undefined && isSpanContextValid(sc)) {
      const flags = (sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? FLAG_SAMPLED : 0;
      // Parent id 0: deprecated in the Jaeger format, and unknown to us anyway.
      setter.set(carrier, UBER_TRACE_ID_HEADER, `${sc.traceId}:${sc.spanId}:0:${flags.toString(16)}`);
    }
    const bag = propagation.getBaggage(ctx);
    for (const [key, entry] of bag?.getAllEntries() ?? []) {
      setter.set(carrier, UBER_BAGGAGE_PREFIX + key, encodeURIComponent(entry.value));
    }
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    let out = ctx;
    const header = first(getter.get(carrier, UBER_TRACE_ID_HEADER));
    if (header !== undefined) {
      const sc = parseUberTraceId(decode(header));
      if (sc !== undefined) out = trace.setSpanContext(out, sc);
      else diag.debug(`tokenledger: ignoring malformed ${UBER_TRACE_ID_HEADER} header`);
    }
    const items: [string, string][] = [];
    for (const key of getter.keys(carrier)) {
      const lower = key.toLowerCase();
      if (lower.startsWith(UBER_BAGGAGE_PREFIX) && lower.length > UBER_BAGGAGE_PREFIX.length) {
        const value = first(getter.get(carrier, key));
        if (value !== undefined) items.push([lower.slice(UBER_BAGGAGE_PREFIX.length), decode(value)]);
      }
    }
    const adHoc = first(getter.get(carrier, JAEGER_BAGGAGE_HEADER));
    for (const pair of adHoc?.split(',') ?? []) {
      const eq = pair.indexOf('=');
      if (eq > 0) items.push([pair.slice(0, eq).trim(), decode(pair.slice(eq + 1).trim())]);
    }
    if (items.length > 0) {
      let bag = propagation.getBaggage(out) ?? propagation.createBaggage();
      for (const [key, value] of items) bag = bag.setEntry(key, { value });
      out = propagation.setBaggage(out, bag);
    }
    return out;
  }

  fields(): string[] {
    return [UBER_TRACE_ID_HEADER];
  }
}

function parseUberTraceId(value: string) {
  const parts = value.split(':');
  if (parts.length !== 4) return undefined;
  const [traceId, spanId, , flagsHex] = parts;
  if (!HEX.test(traceId) || traceId.length > 32 || !HEX.test(spanId) || spanId.length > 16) return undefined;
  const flags = Number.parseInt(flagsHex, 16);
  if (Number.isNaN(flags)) return undefined;
  const sc = {
    traceId: traceId.toLowerCase().padStart(32, '0'),
    spanId: spanId.toLowerCase().padStart(16, '0'),
    // Debug implies sampled in Jaeger.
    traceFlags: flags & (FLAG_SAMPLED | FLAG_DEBUG) ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  };
  return isSpanContextValid(sc) ? sc : undefined;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
