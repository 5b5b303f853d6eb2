// The aws-sdk instrumentation ends a span as soon as the response arrives, but a streamed call is not over
// until the app has read the stream (or stopped reading it): the span's end is held back until then.
import type { Span } from '@opentelemetry/api';
import { safely } from './genai.ts';

export interface StreamObserver<T> {
  /** Each event, before the app sees it. */
  event(event: T): void;
  /** The stream failed; the error still reaches the app unchanged. */
  error(err: unknown): void;
  /** The app read to the end or stopped early (not after an error): record what was seen. */
  end(): void;
}

/**
 * `body` as the app will read it, with `span` ended once reading is over. `what` names the call in diag
 * messages; an observer that throws is reported there and never reaches the app.
 */
export function holdSpanUntilRead<T>(span: Span, body: AsyncIterable<T>, what: string, observer: StreamObserver<T>): AsyncIterable<T> {
  const end = span.end.bind(span);
  span.end = () => {};
  return {
    async *[Symbol.asyncIterator]() {
      let failed = false;
      try {
        for await (const event of body) {
          safely(`${what} stream event`, () => observer.event(event));
          yield event;
        }
      } catch (err) {
        failed = true;
        safely(`${what} stream error`, () => observer.error(err));
        throw err;
      } finally {
        if (!failed) safely(`${what} stream end`, () => observer.end());
        end();
      }
    },
  };
}
