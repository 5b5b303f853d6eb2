import { context, diag, propagation, trace } from '@opentelemetry/api';
import { ATTR_OUTCOME, ATTR_OUTCOME_SUCCESS, BAGGAGE_FEATURE, BAGGAGE_OUTCOME_KEY, BAGGAGE_TENANT, BAGGAGE_WORKFLOW } from '@tokenledger/semconv';
import { routeAttributes } from './attribution-processor.ts';
import { BudgetExceededError } from './budget-error.ts';
import { type BudgetCheck, decide, decisionAttributes, recordDecision } from './budget-guard.ts';
import { RETRY_KEY, type RetryContext, getSpanState } from './state.ts';
import type { Attribution, GuardDecision, RetryGuard, RetryInfo } from './types.ts';

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
  if (a.outcomeKey) out.push([BAGGAGE_OUTCOME_KEY, a.outcomeKey]);
  return out;
}

/**
 * Runs `fn` with an outcome key (a ticket, conversation or lead id) in baggage: every span inside, here and
 * downstream, carries it (ATTR_OUTCOME_KEY), and the collector gives all traces with that key one
 * outcome, reported later with reportOutcome() (or `POST /api/v1/outcomes`). The same as
 * `withAttribution({ outcomeKey: key }, fn)`.
 */
export function withOutcomeKey<T>(key: string, fn: () => T): T {
  return withAttribution({ outcomeKey: key }, fn);
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
 *
 * With `guard` (opt-in), the attempt first asks the budget guard: the request's retry budget (attempts and
 * dollars, `retryBudget()`), then the monthly budgets of its tenant/feature/workflow (the collector's budget
 * API, cached). When one is spent, `policy` decides: `refuse` throws BudgetExceededError (the only error the
 * guard throws; test it with isBudgetExceeded()), `fallback` runs `fn` on `fallbackRoute` (passed to `fn` and
 * set as the route of the spans inside), `mark` runs `fn` and records the decision. It then resolves to what
 * `fn` returns. Unreadable budgets allow the attempt unless the guard is configured fail-closed.
 */
export function withRetry<T>(retry: RetryInfo & { guard: RetryGuard }, fn: (decision: GuardDecision) => T): Promise<Awaited<T>>;
export function withRetry<T>(retry: RetryInfo, fn: () => T): T;
export function withRetry<T>(retry: RetryInfo & { guard?: RetryGuard }, fn: (decision: GuardDecision) => T): T | Promise<Awaited<T>> {
  if (retry.guard !== undefined) return guarded(retry as RetryInfo & { guard: RetryGuard }, fn);
  let ctx = context.active();
  try {
    ctx = ctx.setValue(RETRY_KEY, { ...retry });
  } catch (err) {
    diag.error('tokenledger: withRetry failed', err);
  }
  return context.with(ctx, () => fn({ decision: 'allow' }));
}

async function guarded<T>(retry: RetryInfo & { guard: RetryGuard }, fn: (decision: GuardDecision) => T): Promise<Awaited<T>> {
  const { guard, ...info } = retry;
  let check: BudgetCheck | undefined;
  try {
    check = await decide(guard, guard.policy, guard.fallbackRoute, guard.retryBudget && { budget: guard.retryBudget, attempt: retry.attempt });
    recordDecision(check, guard.policy);
  } catch (err) {
    diag.error('tokenledger: the budget guard failed; allowing', err);
  }
  if (check?.decision === 'refuse') throw new BudgetExceededError(check.reason ?? 'exceeded', check.budget);
  const decision: GuardDecision = {
    decision: check === undefined ? 'fail_open' : (check.decision as GuardDecision['decision']),
    ...(check?.route !== undefined && { route: check.route }),
    ...(check?.reason !== undefined && { reason: check.reason }),
    ...(check?.budget !== undefined && { budget: check.budget }),
  };
  let ctx = context.active();
  try {
    const value: RetryContext = { ...info, retryBudget: guard.retryBudget };
    if (check) value.budgetAttributes = decisionAttributes(check);
    if (check?.route !== undefined) value.route = { route: check.route, reason: `budget_${check.reason}` };
    ctx = ctx.setValue(RETRY_KEY, value);
  } catch (err) {
    diag.error('tokenledger: withRetry failed', err);
  }
  return await context.with(ctx, () => fn(decision));
}
