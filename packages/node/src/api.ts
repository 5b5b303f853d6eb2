import { context, diag, propagation, trace } from '@opentelemetry/api';
import { ATTR_OUTCOME, ATTR_OUTCOME_SUCCESS, BAGGAGE_FEATURE, BAGGAGE_TENANT, BAGGAGE_WORKFLOW } from '@tokenledger/semconv';
import { routeAttributes } from './attribution-processor.ts';
import { RETRY_KEY, getSpanState } from './state.ts';
import type { Attribution, RetryInfo } from './types.ts';

// Every function here calls the API only: with the SDK disabled or absent they run `fn` and do nothing
// else. Our own failures go to diag; exceptions thrown by `fn` are the caller's and pass through.

/**
 * Runs `fn` with tenant/feature/workflow set as W3C baggage (merged over the current baggage), so every
 * span started inside carries them as attributes and outgoing requests propagate them downstream. The
 * active span, if any, gets them too, so a server span that started before attribution was known has it.
 */
export function withAttribution<T>(attribution: Attribution, fn: () => T): T {
  let ctx = context.active();
  try {
    let bag = propagation.getActiveBaggage() ?? propagation.createBaggage();
    const span = trace.getActiveSpan();
    for (const [key, value] of entries(attribution)) {
      bag = bag.setEntry(key, { value });
      span?.setAttribute(key, value);
    }
    ctx = propagation.setBaggage(ctx, bag);
  } catch (err) {
    diag.error('tokenledger: withAttribution failed', err);
  }
  return context.with(ctx, fn);
}

function entries(a: Attribution): [string, string][] {
  const out: [string, string][] = [];
  if (a.tenant) out.push([BAGGAGE_TENANT, a.tenant]);
  if (a.feature) out.push([BAGGAGE_FEATURE, a.feature]);
  if (a.workflow) out.push([BAGGAGE_WORKFLOW, a.workflow]);
  return out;
}

/**
 * Records the route the caller chose (and why) on the active span; spans started under it afterwards
 * (the model calls of that route) carry it too.
 */
export function setRoute(route: string, reason?: string): void {
  try {
    const span = trace.getActiveSpan();
    if (span === undefined) return;
    const value = reason === undefined ? { route } : { route, reason };
    span.setAttributes(routeAttributes(value));
    const state = getSpanState(span);
    if (state !== undefined) state.route = value;
  } catch (err) {
    diag.error('tokenledger: setRoute failed', err);
  }
}

/**
 * Records the business outcome of this trace's work (e.g. `ticket_resolved`) on the local root span: the
 * first span of the trace in this process, where the collector looks for it. Without `success`, the
 * collector counts a success when the root span's status is not ERROR.
 */
export function recordOutcome(name: string, success?: boolean): void {
  try {
    const span = trace.getActiveSpan();
    if (span === undefined) return;
    const root = getSpanState(span)?.localRoot ?? span;
    root.setAttribute(ATTR_OUTCOME, name);
    if (success !== undefined) root.setAttribute(ATTR_OUTCOME_SUCCESS, success);
  } catch (err) {
    diag.error('tokenledger: recordOutcome failed', err);
  }
}

/**
 * Runs `fn` as an application-level retry (`attempt` > 0) or fallback of a logical request: the model
 * spans started inside carry the retry attempt, reason and fallback flag, so their cost counts as waste.
 */
export function withRetry<T>(retry: RetryInfo, fn: () => T): T {
  let ctx = context.active();
  try {
    ctx = ctx.setValue(RETRY_KEY, { ...retry });
  } catch (err) {
    diag.error('tokenledger: withRetry failed', err);
  }
  return context.with(ctx, fn);
}
