import { propagation, trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import {
  ATTR_FALLBACK,
  ATTR_RETRY_ATTEMPT,
  ATTR_RETRY_REASON,
  ATTR_ROUTE,
  ATTR_ROUTE_REASON,
  BAGGAGE_FEATURE,
  BAGGAGE_TENANT,
  BAGGAGE_WORKFLOW,
} from '@tokenledger/semconv';
import { getRetry, getSpanState, setSpanState } from './state.ts';
import type { Route } from './state.ts';

const BAGGAGE_KEYS = [BAGGAGE_TENANT, BAGGAGE_FEATURE, BAGGAGE_WORKFLOW];

/**
 * Stamps every span at start with what its parent context says: the attribution baggage (the keys are
 * spelled like the attributes), the route set on a local ancestor with setRoute(), and the retry of an
 * enclosing withRetry(). It also remembers each span's local root, for recordOutcome().
 */
export class AttributionSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const bag = propagation.getBaggage(parentContext);
    if (bag !== undefined) {
      for (const key of BAGGAGE_KEYS) {
        const entry = bag.getEntry(key);
        if (entry !== undefined && entry.value !== '') span.setAttribute(key, entry.value);
      }
    }
    const parentState = getSpanState(trace.getSpan(parentContext));
    const route = parentState?.route;
    if (route !== undefined) stampRoute(span, route);
    const retry = getRetry(parentContext);
    if (retry !== undefined) {
      span.setAttribute(ATTR_RETRY_ATTEMPT, retry.attempt);
      if (retry.reason !== undefined) span.setAttribute(ATTR_RETRY_REASON, retry.reason);
      if (retry.fallback !== undefined) span.setAttribute(ATTR_FALLBACK, retry.fallback);
    }
    setSpanState(span, { localRoot: parentState?.localRoot ?? span, route });
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export function stampRoute(span: { setAttribute(key: string, value: string): unknown }, route: Route): void {
  span.setAttribute(ATTR_ROUTE, route.route);
  if (route.reason !== undefined) span.setAttribute(ATTR_ROUTE_REASON, route.reason);
}
