// A finalised trace's labels and totals, by the design's outcome rules.
import { LABEL_VALUE_UNKNOWN, OUTCOME_NONE, SUCCESS_FALSE, SUCCESS_TRUE, SUCCESS_UNKNOWN } from '@tokenledger/semconv';
import type { TraceState } from './trace-state.ts';
import type { TokenCounts, TraceLabels, TraceRollup } from './types.ts';

const STATUS_ERROR = 2;

/**
 * Labels: each of tenant/feature/workflow/outcome from the root span, else any span. No outcome →
 * `none`/`unknown`. Success from tokenledger.outcome.success, else the root span's status is not
 * ERROR; a trace finalised at its maximum age without a root is not a success.
 */
export function traceLabels(t: TraceState): TraceLabels {
  const outcome = t.root.outcome ?? t.other.outcome;
  let success = SUCCESS_UNKNOWN;
  if (outcome !== undefined) {
    const explicit = t.root.success ?? t.other.success;
    const ok = explicit ?? (t.rootStatus !== undefined && t.rootStatus !== STATUS_ERROR);
    success = ok ? SUCCESS_TRUE : SUCCESS_FALSE;
  }
  return {
    tenant: t.root.tenant ?? t.other.tenant ?? LABEL_VALUE_UNKNOWN,
    feature: t.root.feature ?? t.other.feature ?? LABEL_VALUE_UNKNOWN,
    workflow: t.root.workflow ?? t.other.workflow ?? LABEL_VALUE_UNKNOWN,
    outcome: outcome ?? OUTCOME_NONE,
    success,
  };
}

export function rollUp(t: TraceState, atMs: number): TraceRollup {
  t.resolveHeld();
  const calls = [...t.calls.values()];
  const tokens: TokenCounts = [0, 0, 0, 0];
  let totalUsd = 0;
  let retryUsd = 0;
  for (const c of calls) {
    totalUsd += c.totalUsd;
    retryUsd += c.retryUsd;
    for (let i = 0; i < 4; i++) tokens[i]! += c.tokens[i]!;
  }
  const outcomeKey = t.lateOf ? t.lateOf.outcomeKey : t.outcomeKey;
  const labels = t.lateOf ?? traceLabels(t);
  return {
    traceId: t.traceId,
    late: t.lateOf !== undefined,
    spans: t.spans,
    atMs,
    labels: outcomeKey === undefined || t.lateOf ? labels : { ...labels, outcomeKey },
    ...(outcomeKey !== undefined && { outcomeKey }),
    startMs: Number.isFinite(t.startMs) ? t.startMs : Number.NaN,
    endMs: Number.isFinite(t.endMs) ? t.endMs : Number.NaN,
    callCount: t.callCount,
    ...((t.root.user ?? t.other.user) !== undefined && { user: t.root.user ?? t.other.user }),
    ...((t.root.session ?? t.other.session) !== undefined && { session: t.root.session ?? t.other.session }),
    totalUsd,
    retryUsd,
    tokens,
    calls,
    unpriced: [...t.unpriced.values()],
    excludingCache: [...t.excludingCache.values()],
    producers: [...t.producers.values()],
    ttft: t.ttft,
    promptTokens: t.promptTokens,
  };
}
