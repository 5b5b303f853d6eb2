import { propagation, trace } from '@opentelemetry/api';
import type { Attributes, Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import {
  ATTR_COST_USD,
  ATTR_FALLBACK,
  ATTR_RETRY_ATTEMPT,
  ATTR_RETRY_REASON,
  ATTR_ROUTE,
  ATTR_ROUTE_REASON,
  BAGGAGE_FEATURE,
  BAGGAGE_OUTCOME_KEY,
  BAGGAGE_TENANT,
  BAGGAGE_WORKFLOW,
} from '@tokenledger/semconv';
import { getRetry, getSpanState, setSpanState } from './state.ts';
import type { Route } from './state.ts';

const BAGGAGE_KEYS = [BAGGAGE_TENANT, BAGGAGE_FEATURE, BAGGAGE_WORKFLOW, BAGGAGE_OUTCOME_KEY];

/**
 * Stamps every span at start with what its parent context says: the attribution baggage (the keys are
 * spelled like the attributes), the route set on a local ancestor with setRoute(), and the retry of an
 * enclosing withRetry(). It also remembers each span's local root, for recordOutcome().
 */
export class AttributionSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    // One setAttributes() call: each set validates its value, so batching them is measurably cheaper.
    const attrs: Attributes = {};
    const bag = propagation.getBaggage(parentContext);
    if (bag !== undefined) {
      for (const key of BAGGAGE_KEYS) {
        const entry = bag.getEntry(key);
        if (entry !== undefined && entry.value !== '') attrs[key] = entry.value;
      }
    }
    const parentState = getSpanState(trace.getSpan(parentContext));
    const retry = getRetry(parentContext);
    const route = retry?.route ?? parentState?.route;
    if (route !== undefined) Object.assign(attrs, routeAttributes(route));
    if (retry !== undefined) {
      attrs[ATTR_RETRY_ATTEMPT] = retry.attempt;
      if (retry.reason !== undefined) attrs[ATTR_RETRY_REASON] = retry.reason;
      if (retry.fallback !== undefined) attrs[ATTR_FALLBACK] = retry.fallback;
      if (retry.budgetAttributes !== undefined) Object.assign(attrs, retry.budgetAttributes);
    }
    span.setAttributes(attrs);
    setSpanState(span, { localRoot: parentState?.localRoot ?? span, route, retryBudget: retry?.retryBudget ?? parentState?.retryBudget });
  }

  onEnd(span: ReadableSpan): void {
    // What the logical request has spent, for its retry budget in dollars.
    const budget = getSpanState(span as unknown as Span)?.retryBudget;
    if (budget === undefined) return;
    const cost = span.attributes[ATTR_COST_USD];
    if (typeof cost === 'number' && Number.isFinite(cost) && cost > 0) budget.spentUsd += cost;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export function routeAttributes(route: Route): Attributes {
  return route.reason === undefined
    ? { [ATTR_ROUTE]: route.route }
    : { [ATTR_ROUTE]: route.route, [ATTR_ROUTE_REASON]: route.reason };
}
