// The design's metric table (plus late spans and operational counters) and how a roll-up feeds it.
import * as sc from '@tokenledger/semconv';
import type { TraceRollup } from '../rollup/types.ts';
import { type MetricFamily, Registry } from './registry.ts';

const OUTCOME_COST_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** The GenAI conventions' recommended boundaries for time to first chunk. */
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

const ATTRIBUTION = [sc.LABEL_TENANT, sc.LABEL_FEATURE, sc.LABEL_WORKFLOW];
const OUTCOME_LABELS = [...ATTRIBUTION, sc.LABEL_OUTCOME, sc.LABEL_SUCCESS];

export class CollectorMetrics {
  readonly registry: Registry;
  readonly cost: MetricFamily;
  readonly tokens: MetricFamily;
  readonly outcomes: MetricFamily;
  readonly outcomeCost: MetricFamily;
  readonly retryCost: MetricFamily;
  readonly cacheSavings: MetricFamily;
  readonly unpriced: MetricFamily;
  readonly ttft: MetricFamily;
  readonly promptTokens: MetricFamily;
  readonly lateSpans: MetricFamily;
  // Operational, not persisted: they restart at zero, which Prometheus reads as a counter reset.
  readonly spansAccepted: MetricFamily;
  readonly spansRefused: MetricFamily;
  readonly backpressure: MetricFamily;
  readonly tracesFinalised: MetricFamily;
  readonly commitBatches: MetricFamily;

  constructor(cardinalityLimit: number, open: { traces: () => number; spans: () => number }) {
    const r = (this.registry = new Registry(cardinalityLimit));
    this.cost = r.counter(sc.METRIC_COST_USD_TOTAL, 'Cost of model, embedding, retrieval and rerank calls in USD.',
      [...ATTRIBUTION, sc.LABEL_ROUTE, sc.LABEL_PROVIDER, sc.LABEL_MODEL, sc.LABEL_COMPONENT], true);
    this.tokens = r.counter(sc.METRIC_TOKENS_TOTAL, 'Tokens by type (input = uncached input).',
      [...ATTRIBUTION, sc.LABEL_ROUTE, sc.LABEL_PROVIDER, sc.LABEL_MODEL, sc.LABEL_TYPE], true);
    this.outcomes = r.counter(sc.METRIC_OUTCOMES_TOTAL, 'Finalised traces by outcome.', OUTCOME_LABELS, true);
    this.outcomeCost = r.histogram(sc.METRIC_OUTCOME_COST_USD, 'Everything a finalised trace cost, retries and retrieval included, in USD.',
      OUTCOME_LABELS, OUTCOME_COST_BUCKETS, true);
    this.retryCost = r.counter(sc.METRIC_RETRY_COST_USD_TOTAL, 'Cost of retried, fallback and repeated identical calls in USD.',
      [...ATTRIBUTION, sc.LABEL_ROUTE, sc.LABEL_MODEL], true);
    this.cacheSavings = r.counter(sc.METRIC_CACHE_SAVINGS_USD_TOTAL, 'What cached tokens saved against the input price, in USD.',
      [...ATTRIBUTION, sc.LABEL_MODEL], true);
    this.unpriced = r.counter(sc.METRIC_UNPRICED_CALLS_TOTAL, 'Calls with usage but no price.', [sc.LABEL_PROVIDER, sc.LABEL_MODEL], true);
    this.ttft = r.histogram(sc.METRIC_TIME_TO_FIRST_TOKEN_SECONDS, 'Time to the first chunk of streamed responses.',
      [sc.LABEL_PROVIDER, sc.LABEL_MODEL], TTFT_BUCKETS, true);
    this.promptTokens = r.counter(sc.METRIC_PROMPT_TOKENS_TOTAL, 'Input tokens by where they come from (system, history, context, user, tools).',
      [...ATTRIBUTION, sc.LABEL_SOURCE], true);
    this.lateSpans = r.counter(sc.METRIC_LATE_SPANS_TOTAL, 'Spans that arrived after their trace was finalised.', [], true);
    this.spansAccepted = r.counter(sc.METRIC_SPANS_ACCEPTED_TOTAL, 'Spans stored durably and acknowledged.', []);
    this.spansRefused = r.counter(sc.METRIC_SPANS_REFUSED_TOTAL, 'Spans refused with backpressure (the client retries).', []);
    this.backpressure = r.counter(sc.METRIC_BACKPRESSURE_TOTAL, 'Requests refused because open traces or spans were at their bound.', []);
    this.tracesFinalised = r.counter(sc.METRIC_TRACES_FINALISED_TOTAL, 'Traces finalised, by reason (idle, max_age, late).', [sc.LABEL_REASON]);
    this.commitBatches = r.counter(sc.METRIC_COMMIT_BATCHES_TOTAL, 'Store transactions that committed accepted spans (group commits).', []);
    r.gauge(sc.METRIC_TRACES_OPEN, 'Traces received and not yet finalised.', open.traces);
    r.gauge(sc.METRIC_SPANS_OPEN, 'Spans of open traces (stored, not yet rolled up).', open.spans);
  }

  /** Adds one finalised trace (or its late spans) to the metrics. */
  apply(r: TraceRollup): void {
    const { tenant, feature, workflow, outcome, success } = r.labels;
    for (const c of r.calls) {
      for (const [component, usd] of Object.entries(c.components)) {
        if (usd) this.cost.inc([tenant, feature, workflow, c.route, c.provider, c.model, component], usd);
      }
      sc.TOKEN_TYPES.forEach((type, i) => {
        if (c.tokens[i]) this.tokens.inc([tenant, feature, workflow, c.route, c.provider, c.model, type], c.tokens[i]);
      });
      if (c.retryUsd) this.retryCost.inc([tenant, feature, workflow, c.route, c.model], c.retryUsd);
      if (c.cacheSavingsUsd) this.cacheSavings.inc([tenant, feature, workflow, c.model], c.cacheSavingsUsd);
    }
    for (const u of r.unpriced) this.unpriced.inc([u.provider, u.model], u.count);
    for (const t of r.ttft) this.ttft.observe([t.provider, t.model], t.seconds);
    sc.PROMPT_TOKEN_SOURCES.forEach((source, i) => {
      if (r.promptTokens?.[i]) this.promptTokens.inc([tenant, feature, workflow, source], r.promptTokens[i]);
    });
    if (r.late) {
      this.lateSpans.inc([], r.spans);
    } else {
      this.outcomes.inc([tenant, feature, workflow, outcome, success]);
      this.outcomeCost.observe([tenant, feature, workflow, outcome, success], r.totalUsd);
    }
  }
}
