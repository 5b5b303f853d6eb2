// Model requests in flight in this process, per provider, model and server: an up-down counter (+1 when a
// model span starts, −1 when it ends), the "in-flight inference requests" signal a self-hosted fleet scales on.
import { type Attributes, diag, metrics, type MeterProvider, type UpDownCounter } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_GEN_AI_OPERATION_NAME, ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL, ATTR_SERVER_ADDRESS, INSTRUMENT_MODEL_REQUESTS_IN_FLIGHT } from '@tokenledger/semconv';

const COUNTED = [ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL, ATTR_SERVER_ADDRESS];

export class InFlightSpanProcessor implements SpanProcessor {
  /** What each counted span added, so its end takes away exactly that. */
  private readonly open = new WeakMap<Span | ReadableSpan, Attributes>();
  private counter?: { provider: MeterProvider; counter: UpDownCounter };
  private readonly meterProvider?: MeterProvider;

  /** `meterProvider`: default the global one, looked up at each start (the SDK sets it after building us). */
  constructor(meterProvider?: MeterProvider) {
    this.meterProvider = meterProvider;
  }

  onStart(span: Span): void {
    try {
      const a = span.attributes;
      if (a[ATTR_GEN_AI_OPERATION_NAME] === undefined) return;
      const attrs: Attributes = {};
      for (const k of COUNTED) if (typeof a[k] === 'string') attrs[k] = a[k];
      this.open.set(span, attrs);
      this.instrument().add(1, attrs);
    } catch (err) {
      diag.error('tokenledger: counting an in-flight request failed', err);
    }
  }

  onEnd(span: ReadableSpan): void {
    const attrs = this.open.get(span);
    if (attrs === undefined) return;
    this.open.delete(span);
    this.counter?.counter.add(-1, attrs);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  private instrument(): UpDownCounter {
    const provider = this.meterProvider ?? metrics.getMeterProvider();
    if (this.counter?.provider !== provider) {
      const counter = provider.getMeter('@tokenledger/node').createUpDownCounter(INSTRUMENT_MODEL_REQUESTS_IN_FLIGHT, {
        description: 'Model requests started and not yet ended in this process', unit: '{request}',
      });
      this.counter = { provider, counter };
    }
    return this.counter.counter;
  }
}
