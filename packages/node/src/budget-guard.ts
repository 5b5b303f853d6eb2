// The opt-in budget guard: reads the collector's budget API (cached), decides allow / refuse / fallback / mark
// for a tenant, feature or workflow and for a logical request's retry budget, and records each decision as
// span attributes and a counter. Fail-open by default: a collector outage never stops the app. All state is
// per process on globalThis (an app's ESM copy and the preload's CommonJS copy share it).
import { context, diag, metrics, propagation, trace, type Counter, type MeterProvider } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import {
  ATTR_BUDGET_DECISION, ATTR_BUDGET_NAME, ATTR_BUDGET_REASON, BAGGAGE_FEATURE, BAGGAGE_TENANT, BAGGAGE_WORKFLOW,
  type BudgetDecision, type BudgetReason, INSTRUMENT_ATTR_POLICY, INSTRUMENT_BUDGET_DECISIONS,
} from '@tokenledger/semconv';
import { readBudgetGuardConfig } from './config.ts';
import type { BudgetGuardConfig } from './types.ts';

/** What the collector answers per budget (GET /api/v1/budgets). */
export interface BudgetStatus {
  scope: 'tenant' | 'feature' | 'workflow';
  name: string;
  unit: 'usd' | 'tokens';
  budget: number;
  used: number;
  remaining: number;
  ratio: number;
  exceeded: boolean;
}

/** Whose budgets to check; unset fields come from the attribution baggage (withAttribution). */
export interface BudgetTarget {
  tenant?: string;
  feature?: string;
  workflow?: string;
}

/** What to do when a budget is spent: throw BudgetExceededError, switch to a named cheaper route, or only record it. */
export type BudgetPolicy = 'refuse' | 'fallback' | 'mark';

/** The outcome of a check. */
export interface BudgetCheck {
  /** False when a budget is spent (or, fail-closed, none could be read). */
  allowed: boolean;
  decision: BudgetDecision;
  reason?: BudgetReason;
  /** The budget that decided, `<scope>/<name>` or `retry`. */
  budget?: string;
  /** Under the `fallback` policy: the route to take instead. */
  route?: string;
  /** The budgets read for the target (empty when unavailable). */
  statuses: BudgetStatus[];
}

/** A logical request's retry budget: every attempt under it (its retries and fallbacks) counts. */
export interface RetryBudget {
  readonly maxAttempts?: number;
  readonly maxUsd?: number;
  /** Spend of the spans started under it so far (their cost attribute), added as they end. */
  spentUsd: number;
}

interface GuardState {
  config?: BudgetGuardConfig;
  cache?: { atMs: number; statuses?: BudgetStatus[] };
  pending?: Promise<BudgetStatus[] | undefined>;
  counter?: { provider: MeterProvider; counter: Counter };
}

const STATE = Symbol.for('tokenledger.node.budget-guard');
const state: GuardState = ((globalThis as { [STATE]?: GuardState })[STATE] ??= {});

/** Sets the guard's configuration (default: the TOKENLEDGER_BUDGET_* variables); clears its cache. */
export function configureBudgetGuard(config: Partial<BudgetGuardConfig>): void {
  state.config = { ...guardConfig(), ...config };
  state.cache = undefined;
  state.pending = undefined;
}

/** A retry budget for one logical request: pass it to each withRetry() of that request. */
export function retryBudget(limits: { maxAttempts?: number; maxUsd?: number }): RetryBudget {
  return { maxAttempts: limits.maxAttempts, maxUsd: limits.maxUsd, spentUsd: 0 };
}

/**
 * Whether the monthly budgets of `target` (tenant, feature, workflow) allow more work, from the collector's
 * budget API (cached). Records the decision on the active span and in the decisions counter. Never throws.
 */
export async function checkBudget(target: BudgetTarget = {}, options: { policy?: BudgetPolicy; fallbackRoute?: string } = {}): Promise<BudgetCheck> {
  try {
    const check = await decide(target, options.policy ?? 'refuse', options.fallbackRoute);
    recordDecision(check, options.policy ?? 'check');
    return check;
  } catch (err) {
    diag.error('tokenledger: checkBudget failed; allowing', err);
    return { allowed: true, decision: 'fail_open', reason: 'unavailable', statuses: [] };
  }
}

/** The decision for `target` and, when given, a retry budget at `attempt`. */
export async function decide(target: BudgetTarget, policy: BudgetPolicy, fallbackRoute: string | undefined, retry?: { budget: RetryBudget; attempt: number }): Promise<BudgetCheck> {
  const over = (reason: BudgetReason, budget: string | undefined, statuses: BudgetStatus[]): BudgetCheck => {
    const decision: BudgetDecision = policy === 'fallback' && fallbackRoute ? 'fallback' : policy === 'mark' || policy === 'fallback' ? 'mark' : 'refuse';
    return { allowed: false, decision, reason, budget, statuses, ...(decision === 'fallback' && { route: fallbackRoute }) };
  };
  if (retry) {
    const { budget, attempt } = retry;
    if (budget.maxAttempts !== undefined && attempt > budget.maxAttempts) return over('retry_attempts', 'retry', []);
    if (budget.maxUsd !== undefined && budget.spentUsd >= budget.maxUsd) return over('retry_usd', 'retry', []);
  }
  const names = targetNames(target);
  if (names.length === 0) return { allowed: true, decision: 'allow', statuses: [] };
  const all = await statuses();
  if (all === undefined) {
    if (guardConfig().failClosed) return over('unavailable', undefined, []);
    return { allowed: true, decision: 'fail_open', reason: 'unavailable', statuses: [] };
  }
  const mine = all.filter((s) => names.some(([scope, name]) => s.scope === scope && s.name === name));
  const spent = mine.find((s) => s.exceeded);
  if (spent) return over('exceeded', `${spent.scope}/${spent.name}`, mine);
  return { allowed: true, decision: 'allow', statuses: mine };
}

/** The decision as attributes of the active span (and, through withRetry, of the spans started under it). */
export function decisionAttributes(check: BudgetCheck): Record<string, string> {
  const attrs: Record<string, string> = { [ATTR_BUDGET_DECISION]: check.decision };
  if (check.reason) attrs[ATTR_BUDGET_REASON] = check.reason;
  if (check.budget) attrs[ATTR_BUDGET_NAME] = check.budget;
  return attrs;
}

/** Attributes on the active span, one count in the decisions counter. */
export function recordDecision(check: BudgetCheck, policy: string): void {
  try {
    trace.getActiveSpan()?.setAttributes(decisionAttributes(check));
    const provider = metrics.getMeterProvider();
    // The global provider is set when the SDK starts: a counter made before that would be a no-op for good.
    if (state.counter?.provider !== provider) {
      const counter = provider.getMeter('@tokenledger/node').createCounter(INSTRUMENT_BUDGET_DECISIONS, { description: 'Budget guard decisions' });
      state.counter = { provider, counter };
    }
    state.counter.counter.add(1, { [ATTR_BUDGET_DECISION]: check.decision, [ATTR_BUDGET_REASON]: check.reason ?? 'none', [INSTRUMENT_ATTR_POLICY]: policy });
  } catch (err) {
    diag.error('tokenledger: recording a budget decision failed', err);
  }
}

function guardConfig(): BudgetGuardConfig {
  return (state.config ??= readBudgetGuardConfig());
}

function targetNames(target: BudgetTarget): [string, string][] {
  const bag = propagation.getActiveBaggage();
  const pick = (value: string | undefined, key: string) => value ?? bag?.getEntry(key)?.value;
  const out: [string, string][] = [];
  const tenant = pick(target.tenant, BAGGAGE_TENANT);
  const feature = pick(target.feature, BAGGAGE_FEATURE);
  const workflow = pick(target.workflow, BAGGAGE_WORKFLOW);
  if (tenant) out.push(['tenant', tenant]);
  if (feature) out.push(['feature', feature]);
  if (workflow) out.push(['workflow', workflow]);
  return out;
}

/** Every budget's status, cached for `cacheMs` (an unreachable collector too); undefined when unavailable. */
async function statuses(): Promise<BudgetStatus[] | undefined> {
  const cfg = guardConfig();
  const now = Date.now();
  if (state.cache && now - state.cache.atMs < cfg.cacheMs) return state.cache.statuses;
  state.pending ??= fetchStatuses(cfg).then((s) => {
    state.cache = { atMs: Date.now(), statuses: s };
    state.pending = undefined;
    return s;
  });
  return state.pending;
}

async function fetchStatuses(cfg: BudgetGuardConfig): Promise<BudgetStatus[] | undefined> {
  try {
    // Our own request is not the app's work: no span for it.
    return await context.with(suppressTracing(context.active()), async () => {
      const res = await fetch(new URL('/api/v1/budgets', cfg.url), {
        headers: cfg.authToken ? { authorization: `Bearer ${cfg.authToken}` } : {},
        signal: AbortSignal.timeout(cfg.timeoutMs),
      });
      if (!res.ok) throw new Error(`GET /api/v1/budgets answered ${res.status}`);
      const doc = (await res.json()) as { budgets?: BudgetStatus[] };
      if (!Array.isArray(doc.budgets)) throw new Error('GET /api/v1/budgets: no budgets array');
      return doc.budgets;
    });
  } catch (err) {
    diag.warn(`tokenledger: budget status unavailable from ${cfg.url} (${(err as Error).message}); ${cfg.failClosed ? 'failing closed' : 'failing open'}`);
    return undefined;
  }
}
