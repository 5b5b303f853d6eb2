// What every producer app sets up the way a user without the TokenLedger preload would: an OpenTelemetry
// TracerProvider with the resource from OTEL_RESOURCE_ATTRIBUTES (attribution per service), the contrib
// BaggageSpanProcessor (attribution per request, from W3C baggage), and the real OTLP exporter to the
// collector (TL_OTLP). Each case of an app is one trace: a root span under baggage naming the case as
// `tokenledger.workflow`, so the test finds each case's roll-up.
import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { ALLOW_ALL_BAGGAGE_KEYS, BaggageSpanProcessor } from '@opentelemetry/baggage-span-processor';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CBaggagePropagator, W3CTraceContextPropagator, CompositePropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResources, envDetector } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

export const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

export interface AppTracing {
  tracer: Tracer;
  /** Runs one case as its own trace, attributed by baggage to workflow `name`. */
  run<T>(name: string, fn: () => Promise<T>): Promise<T | undefined>;
  /** Exports what is left and stops (the collector has acknowledged every span when this resolves). */
  done(): Promise<void>;
}

export function setUpTracing(): AppTracing {
  const url = `${env('TL_OTLP')}/v1/traces`;
  const exporter = process.env.TL_OTLP_PROTOCOL === 'http/json' ? new JsonExporter({ url }) : new ProtoExporter({ url });
  const provider = new TracerProvider({
    resource: detectResources({ detectors: [envDetector] }),
    spanProcessors: [new BaggageSpanProcessor(ALLOW_ALL_BAGGAGE_KEYS), new BatchSpanProcessor({ exporter })],
  });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  return tracingOf(provider, trace.getTracer('producer-app'));
}

/**
 * `rootAttribution`: the case's root span carries the workflow itself (an app whose provider has no
 * BaggageSpanProcessor to stamp it from baggage).
 */
export function tracingOf(provider: { forceFlush(): Promise<void>; shutdown(): Promise<void> } | undefined, tracer: Tracer, rootAttribution = false): AppTracing {
  return {
    tracer,
    async run(name, fn) {
      const baggage = propagation.createBaggage({ 'tokenledger.workflow': { value: name } });
      return context.with(propagation.setBaggage(context.active(), baggage), () =>
        tracer.startActiveSpan(`case ${name}`, { attributes: rootAttribution ? { 'tokenledger.workflow': name } : {} }, async (root) => {
          try {
            return await fn();
          } catch (err) {
            // A case may fail on purpose (a refused model); the app carries on, as apps do.
            console.log(`case ${name}: ${(err as Error).name}: ${(err as Error).message}`);
            return undefined;
          } finally {
            root.end();
          }
        }));
    },
    async done() {
      await provider?.forceFlush();
      await provider?.shutdown();
    },
  };
}

/** Reads a stream to its end (what an app does with a streamed answer). */
export async function drain(stream: AsyncIterable<unknown> | undefined): Promise<number> {
  let n = 0;
  if (stream) for await (const _ of stream) n++;
  return n;
}
