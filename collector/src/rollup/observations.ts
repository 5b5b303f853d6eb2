// A finalised roll-up → the figures it adds to the design's metrics, derived once here and handed to every
// output (the Prometheus registry, the CloudWatch outbox, EMF), which only encode them — as the OpenTelemetry
// Collector's spanmetrics connector builds its metrics once for whichever exporter consumes them.
import * as sc from '@tokenledger/semconv';
import type { TraceLabels, TraceRollup } from './types.ts';

const ATTRIBUTION = [sc.LABEL_TENANT, sc.LABEL_FEATURE, sc.LABEL_WORKFLOW] as const;
const OUTCOME = [...ATTRIBUTION, sc.LABEL_OUTCOME, sc.LABEL_SUCCESS] as const;

/** How a metric aggregates: summed (a counter), or a distribution of values (a histogram). */
export type ObservationKind = 'sum' | 'dist';

/**
 * The roll-up metrics (the design's table, plus prompt tokens, late spans and what pricing other producers'
 * spans could not do exactly), named as in the contract, with
 * their labels in order. Outputs encode each as they can; this order is also the Prometheus exposition's.
 */
export const ROLLUP_METRICS = {
  [sc.METRIC_COST_USD_TOTAL]: { kind: 'sum', labels: [...ATTRIBUTION, sc.LABEL_ROUTE, sc.LABEL_PROVIDER, sc.LABEL_MODEL, sc.LABEL_COMPONENT] },
  [sc.METRIC_TOKENS_TOTAL]: { kind: 'sum', labels: [...ATTRIBUTION, sc.LABEL_ROUTE, sc.LABEL_PROVIDER, sc.LABEL_MODEL, sc.LABEL_TYPE] },
  [sc.METRIC_OUTCOMES_TOTAL]: { kind: 'sum', labels: OUTCOME },
  [sc.METRIC_OUTCOME_COST_USD]: { kind: 'dist', labels: OUTCOME },
  [sc.METRIC_RETRY_COST_USD_TOTAL]: { kind: 'sum', labels: [...ATTRIBUTION, sc.LABEL_ROUTE, sc.LABEL_MODEL] },
  [sc.METRIC_CACHE_SAVINGS_USD_TOTAL]: { kind: 'sum', labels: [...ATTRIBUTION, sc.LABEL_MODEL] },
  [sc.METRIC_UNPRICED_CALLS_TOTAL]: { kind: 'sum', labels: [sc.LABEL_PROVIDER, sc.LABEL_MODEL] },
  [sc.METRIC_UNKNOWN_USAGE_CALLS_TOTAL]: { kind: 'sum', labels: [sc.LABEL_PROVIDER, sc.LABEL_MODEL, sc.LABEL_PRODUCER] },
  [sc.METRIC_COST_EXCLUDING_CACHE_USD_TOTAL]: { kind: 'sum', labels: [sc.LABEL_PROVIDER, sc.LABEL_MODEL, sc.LABEL_PRODUCER] },
  [sc.METRIC_FOREIGN_COST_IGNORED_TOTAL]: { kind: 'sum', labels: [sc.LABEL_PRODUCER, sc.LABEL_REASON] },
  [sc.METRIC_SPAN_CHECKS_FAILED_TOTAL]: { kind: 'sum', labels: [sc.LABEL_PRODUCER, sc.LABEL_CHECK] },
  [sc.METRIC_TIME_TO_FIRST_TOKEN_SECONDS]: { kind: 'dist', labels: [sc.LABEL_PROVIDER, sc.LABEL_MODEL] },
  [sc.METRIC_PROMPT_TOKENS_TOTAL]: { kind: 'sum', labels: [...ATTRIBUTION, sc.LABEL_SOURCE] },
  [sc.METRIC_LATE_SPANS_TOTAL]: { kind: 'sum', labels: [] },
} as const satisfies Record<string, { kind: ObservationKind; labels: readonly string[] }>;

export type RollupMetric = keyof typeof ROLLUP_METRICS;

/** One figure a finalised trace contributes to one metric. */
export interface Observation {
  metric: RollupMetric;
  /** Label values, in the order of the metric's labels. */
  labels: readonly string[];
  /** Added to a sum, or one value of a distribution. */
  value: number;
  /** The trace it came from: Prometheus shows it as the series' (or bucket's) OpenMetrics exemplar. */
  traceId?: string;
}

/** What one finalised trace (or its late spans) adds to each metric; zero sums are left out. */
export function observe(r: TraceRollup): Observation[] {
  const out: Observation[] = [];
  const { tenant, feature, workflow, outcome, success } = r.labels;
  for (const c of r.calls) {
    for (const [component, usd] of Object.entries(c.components)) {
      if (usd)
        out.push({
          metric: sc.METRIC_COST_USD_TOTAL,
          labels: [tenant, feature, workflow, c.route, c.provider, c.model, component],
          value: usd,
          traceId: r.traceId,
        });
    }
    sc.TOKEN_TYPES.forEach((type, i) => {
      if (c.tokens[i])
        out.push({ metric: sc.METRIC_TOKENS_TOTAL, labels: [tenant, feature, workflow, c.route, c.provider, c.model, type], value: c.tokens[i] });
    });
    if (c.retryUsd) out.push({ metric: sc.METRIC_RETRY_COST_USD_TOTAL, labels: [tenant, feature, workflow, c.route, c.model], value: c.retryUsd });
    if (c.cacheSavingsUsd) out.push({ metric: sc.METRIC_CACHE_SAVINGS_USD_TOTAL, labels: [tenant, feature, workflow, c.model], value: c.cacheSavingsUsd });
  }
  for (const u of r.unpriced) {
    out.push({ metric: sc.METRIC_UNPRICED_CALLS_TOTAL, labels: [u.provider, u.model], value: u.count });
    if (u.unknownUsage) out.push({ metric: sc.METRIC_UNKNOWN_USAGE_CALLS_TOTAL, labels: [u.provider, u.model, u.producer], value: u.unknownUsage });
  }
  // What pricing other producers' spans could not do exactly (see ../producers).
  for (const x of r.excludingCache) {
    if (x.usd) out.push({ metric: sc.METRIC_COST_EXCLUDING_CACHE_USD_TOTAL, labels: [x.provider, x.model, x.producer], value: x.usd });
  }
  for (const p of r.producers) {
    if (p.costDisagrees) out.push({ metric: sc.METRIC_FOREIGN_COST_IGNORED_TOTAL, labels: [p.producer, sc.FOREIGN_COST_DISAGREES], value: p.costDisagrees });
    if (p.costZero) out.push({ metric: sc.METRIC_FOREIGN_COST_IGNORED_TOTAL, labels: [p.producer, sc.FOREIGN_COST_ZERO], value: p.costZero });
    for (const [check, n] of Object.entries(p.checks)) if (n) out.push({ metric: sc.METRIC_SPAN_CHECKS_FAILED_TOTAL, labels: [p.producer, check], value: n });
  }
  for (const t of r.ttft) out.push({ metric: sc.METRIC_TIME_TO_FIRST_TOKEN_SECONDS, labels: [t.provider, t.model], value: t.seconds });
  sc.PROMPT_TOKEN_SOURCES.forEach((source, i) => {
    if (r.promptTokens?.[i]) out.push({ metric: sc.METRIC_PROMPT_TOKENS_TOTAL, labels: [tenant, feature, workflow, source], value: r.promptTokens[i] });
  });
  if (r.late) {
    out.push({ metric: sc.METRIC_LATE_SPANS_TOTAL, labels: [], value: r.spans });
  } else if (r.outcomeKey === undefined) {
    // One outcome per trace; its histogram observation is everything the trace cost, zero included.
    out.push(...outcomePair({ tenant, feature, workflow, outcome, success }, r.totalUsd, r.traceId));
  }
  // A trace with an outcome key is counted through its key, once for all its traces (store/shared-store.ts).
  return out;
}

function outcomePair(l: TraceLabels, costUsd: number, traceId: string | undefined): Observation[] {
  const labels = [l.tenant, l.feature, l.workflow, l.outcome, l.success];
  return [
    { metric: sc.METRIC_OUTCOMES_TOTAL, labels, value: 1 },
    { metric: sc.METRIC_OUTCOME_COST_USD, labels, value: costUsd, ...(traceId && { traceId }) },
  ];
}

/** An outcome counted apart from a trace's finalisation: an outcome key's (its traces' summed cost), or a keyed trace counted on its own. */
export interface CountedOutcome {
  /** When it was counted (epoch ms): the CloudWatch interval it goes to. */
  atMs: number;
  labels: TraceLabels;
  costUsd: number;
  /** The exemplar: the key's costliest trace. */
  traceId?: string;
  outcomeKey?: string;
}

/** A counted outcome as the outputs take a finalised trace: its two observations, and a roll-up without calls. */
export function finalisedOutcome(o: CountedOutcome): FinalisedTrace {
  const rollup: TraceRollup = {
    traceId: o.traceId ?? '',
    late: false,
    spans: 0,
    atMs: o.atMs,
    labels: o.labels,
    ...(o.outcomeKey !== undefined && { outcomeKey: o.outcomeKey }),
    startMs: Number.NaN,
    endMs: Number.NaN,
    callCount: 0,
    totalUsd: o.costUsd,
    retryUsd: 0,
    tokens: [0, 0, 0, 0],
    calls: [],
    unpriced: [],
    excludingCache: [],
    producers: [],
    ttft: [],
  };
  return { rollup, observations: outcomePair(o.labels, o.costUsd, o.traceId) };
}

/** A finalised trace's roll-up (the store's record) and its observations (what every output encodes). */
export interface FinalisedTrace {
  rollup: TraceRollup;
  observations: readonly Observation[];
}

/** A batch of roll-ups with their observations, as the finaliser hands them to the outputs. */
export function finalisedTraces(rollups: readonly TraceRollup[]): FinalisedTrace[] {
  return rollups.map((rollup) => ({ rollup, observations: observe(rollup) }));
}
