import { defaultTextMapGetter, defaultTextMapSetter, propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { JaegerPropagator } from '../src/propagation/jaeger.ts';

const propagator = new JaegerPropagator();
const extract = (headers: Record<string, string>) => propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);

describe('JaegerPropagator', () => {
  it('extracts 64-bit ids (left-padded), url-encoded headers and the debug flag as sampled', () => {
    const sc = trace.getSpanContext(extract({ 'uber-trace-id': 'abc%3A1f%3A0%3A2' }));
    expect(sc).toEqual({
      traceId: '00000000000000000000000000000abc',
      spanId: '000000000000001f',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
  });

  it('keeps an unsampled trace unsampled', () => {
    const sc = trace.getSpanContext(extract({ 'uber-trace-id': '4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:0' }));
    expect(sc?.traceFlags).toBe(TraceFlags.NONE);
    expect(sc?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it.each(['', 'abc:1f:0', 'xyz:1f:0:1', '0:1f:0:1', 'abc:0:0:1', `${'a'.repeat(33)}:1f:0:1`, 'abc:1f:0:zz'])(
    'ignores the malformed header %j',
    (header) => {
      expect(trace.getSpanContext(extract({ 'uber-trace-id': header }))).toBeUndefined();
    },
  );

  it('extracts uberctx- and jaeger-baggage items into W3C baggage', () => {
    const ctx = extract({ 'uberctx-tokenledger.tenant': 'a%20b', 'jaeger-baggage': 'k1=v1, k2=v%2C2' });
    const bag = propagation.getBaggage(ctx);
    expect(bag?.getEntry('tokenledger.tenant')?.value).toBe('a b');
    expect(bag?.getEntry('k1')?.value).toBe('v1');
    expect(bag?.getEntry('k2')?.value).toBe('v,2');
  });

  it('injects the span context with parent 0 and baggage url-encoded', () => {
    let ctx = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
    });
    ctx = propagation.setBaggage(ctx, propagation.createBaggage({ tenant: { value: 'a b' } }));
    const carrier: Record<string, string> = {};
    propagator.inject(ctx, carrier, defaultTextMapSetter);
    expect(carrier).toEqual({
      'uber-trace-id': '4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1',
      'uberctx-tenant': 'a%20b',
    });
  });

  it('round-trips through itself', () => {
    const headers: Record<string, string> = {};
    const sc = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.NONE };
    propagator.inject(trace.setSpanContext(ROOT_CONTEXT, sc), headers, defaultTextMapSetter);
    expect(trace.getSpanContext(extract(headers))).toEqual({ ...sc, isRemote: true });
  });
});
