/** The part of an OTLP span the roll-up reads. Everything else is skipped at decode time. */
export type AttributeValue = string | number | boolean;

export interface SpanRecord {
  /** 32 lower-case hex characters. */
  traceId: string;
  /** 16 lower-case hex characters. */
  spanId: string;
  /** '' when the span is a root. */
  parentSpanId: string;
  name: string;
  /** Unix epoch milliseconds (fractional). */
  startMs: number;
  endMs: number;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: 0 | 1 | 2;
  /** Only the attributes the roll-up reads (span attributes, with resource ones merged under them). */
  attributes: Record<string, AttributeValue>;
}

/** Where the receiver hands decoded spans. Resolves once they are durable; rejects with Backpressure when full. */
export interface SpanSink {
  accept(spans: SpanRecord[]): Promise<void>;
}

/** Thrown by a SpanSink that cannot take more right now; the receiver answers 503 with Retry-After. */
export class Backpressure extends Error {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.name = 'Backpressure';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
