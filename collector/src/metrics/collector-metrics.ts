// The Prometheus encoding of the roll-up observations (the design's metric table, plus prompt tokens and late
// spans) and the collector's operational counters.
import { diag } from '@opentelemetry/api';
import * as sc from '@tokenledger/semconv';
import { type Observation, ROLLUP_METRICS, type RollupMetric } from '../rollup/observations.ts';
import { type MetricFamily, Registry } from './registry.ts';

const OUTCOME_COST_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** The GenAI conventions' recommended boundaries for time to first chunk. */
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** HELP text of each roll-up metric, and the bucket bounds of the histograms. */
const PROMETHEUS: Record<RollupMetric, { help: string; buckets?: number[] }> = {
  [sc.METRIC_COST_USD_TOTAL]: { help: 'Cost of model, embedding, retrieval and rerank calls in USD.' },
  [sc.METRIC_TOKENS_TOTAL]: { help: 'Tokens by type (input = uncached input).' },
  [sc.METRIC_OUTCOMES_TOTAL]: { help: 'Outcomes: finalised traces, and outcome keys once their outcome is known (or their window closed).' },
  [sc.METRIC_OUTCOME_COST_USD]: {
    help: 'Everything an outcome cost (its trace, or all traces of its outcome key), retries and retrieval included, in USD.',
    buckets: OUTCOME_COST_BUCKETS,
  },
  [sc.METRIC_RETRY_COST_USD_TOTAL]: { help: 'Cost of retried, fallback and repeated identical calls in USD.' },
  [sc.METRIC_CACHE_SAVINGS_USD_TOTAL]: { help: 'What cached tokens saved against the input price, in USD.' },
  [sc.METRIC_UNPRICED_CALLS_TOTAL]: { help: 'Calls with no price: no price for their model, or no usage reported (the unknown-usage counter says which).' },
  [sc.METRIC_UNKNOWN_USAGE_CALLS_TOTAL]: { help: 'Model calls whose spans report no usage and no cost (counted with the unpriced calls too).' },
  [sc.METRIC_COST_EXCLUDING_CACHE_USD_TOTAL]: {
    help: 'Cost of calls priced without cache effects, their producer dropping the cache counts (part of the total cost), in USD.',
  },
  [sc.METRIC_FOREIGN_COST_IGNORED_TOTAL]: {
    help: 'Cost attributes of other instrumentations not taken as the price (reason: disagrees with the catalog, zero).',
  },
  [sc.METRIC_SPAN_CHECKS_FAILED_TOTAL]: { help: 'Spans failing a consistency check (their bad numbers are not used).' },
  [sc.METRIC_TIME_TO_FIRST_TOKEN_SECONDS]: { help: 'Time to the first chunk of streamed responses.', buckets: TTFT_BUCKETS },
  [sc.METRIC_PROMPT_TOKENS_TOTAL]: { help: 'Input tokens by where they come from (system, history, context, user, tools).' },
  [sc.METRIC_LATE_SPANS_TOTAL]: { help: 'Spans that arrived after their trace was finalised.' },
};

export class CollectorMetrics {
  readonly registry: Registry;
  /** The roll-up metrics' families, persisted with each finalisation. */
  private readonly rollup = new Map<RollupMetric, MetricFamily>();
  // Operational, not persisted: they restart at zero, which Prometheus reads as a counter reset.
  readonly spansAccepted: MetricFamily;
  readonly spansRefused: MetricFamily;
  readonly backpressure: MetricFamily;
  readonly tracesFinalised: MetricFamily;
  readonly commitBatches: MetricFamily;
  readonly longValues: MetricFamily;
  readonly refused: MetricFamily;
  readonly storeWriteFailures: MetricFamily;
  readonly requestsRefused: MetricFamily;
  /** Findings seen per kind, so diag names the first of each kind and then every 10,000th (the counters have them all). */
  private readonly seen = new Map<string, number>();

  readonly outcomeReports: MetricFamily;
  readonly unkeyedTraces: MetricFamily;
  readonly traceIndexTrimmed: MetricFamily;
  /** Set from the key index now and then (outcome-link.ts). */
  readonly outcomeKeys: MetricFamily;

  constructor(cardinalityLimit: number, open: { traces: () => number; spans: () => number; writable: () => boolean; maxKeys: number; outbox: () => number }) {
    const r = (this.registry = new Registry(cardinalityLimit, (metric, reason) => {
      this.refused.inc([metric, reason]);
      this.warn(`${metric} ${reason}`, () => `tokenledger collector: ${metric} refused a ${reason} addition`);
    }));
    for (const [metric, { kind, labels }] of Object.entries(ROLLUP_METRICS) as [RollupMetric, (typeof ROLLUP_METRICS)[RollupMetric]][]) {
      const { help, buckets } = PROMETHEUS[metric];
      this.rollup.set(metric, kind === 'sum' ? r.counter(metric, help, labels, true) : r.histogram(metric, help, labels, buckets!, true));
    }
    this.spansAccepted = r.counter(sc.METRIC_SPANS_ACCEPTED_TOTAL, 'Spans stored durably and acknowledged.', []);
    this.spansRefused = r.counter(sc.METRIC_SPANS_REFUSED_TOTAL, 'Spans refused with backpressure (the client retries).', []);
    this.backpressure = r.counter(sc.METRIC_BACKPRESSURE_TOTAL, 'Requests refused because open traces or spans were at their bound.', []);
    this.tracesFinalised = r.counter(sc.METRIC_TRACES_FINALISED_TOTAL, 'Traces finalised, by reason (idle, max_age, late).', [sc.LABEL_REASON]);
    this.commitBatches = r.counter(sc.METRIC_COMMIT_BATCHES_TOTAL, 'Store transactions that committed accepted spans (group commits).', []);
    this.longValues = r.counter(
      sc.METRIC_LONG_VALUES_TOTAL,
      'Span attribute strings longer than 256 characters, cut (and marked with a hash) as spans were accepted.',
      [sc.LABEL_ATTRIBUTE],
    );
    this.storeWriteFailures = r.counter(
      sc.METRIC_STORE_WRITE_FAILURES_TOTAL,
      'Store writes that failed (a full disk, an I/O error), by operation; retried, nothing acknowledged lost.',
      [sc.LABEL_OPERATION],
    );
    this.requestsRefused = r.counter(sc.METRIC_REQUESTS_REFUSED_TOTAL, 'OTLP requests refused, by reason (401, 400/404/405/415, 413, 429, 408, 503).', [
      sc.LABEL_REASON,
    ]);
    this.refused = r.counter(sc.METRIC_OBSERVATIONS_REFUSED_TOTAL, 'Negative or non-finite additions a counter or histogram refused.', [
      sc.LABEL_METRIC,
      sc.LABEL_REASON,
    ]);
    r.gauge(sc.METRIC_TRACES_OPEN, 'Traces received and not yet finalised.', open.traces);
    r.gauge(sc.METRIC_SPANS_OPEN, 'Spans of open traces (stored, not yet rolled up).', open.spans);
    r.gauge(sc.METRIC_STORE_WRITABLE, '1 while the store takes writes; 0 while they fail (new spans get 503, /readyz 503).', () => (open.writable() ? 1 : 0));
    r.gauge(sc.METRIC_OUTCOME_KEYS_MAX, 'Outcome keys the key index holds before new keys are refused (TOKENLEDGER_OUTCOME_MAX_KEYS).', () => open.maxKeys);
    r.gauge(sc.METRIC_SHARED_OUTBOX_BATCHES, 'Finalised batches waiting for the shared store (0 without TOKENLEDGER_SHARED_STORE).', open.outbox);
    this.outcomeReports = r.counter(sc.METRIC_OUTCOME_REPORTS_TOTAL, 'Outcome reports for outcome keys, by result (recorded, repeat, conflict, index_full).', [
      sc.LABEL_RESULT,
    ]);
    this.unkeyedTraces = r.counter(
      sc.METRIC_OUTCOME_KEY_TRACES_UNKEYED_TOTAL,
      'Traces with an outcome key counted on their own, by reason (index_full, closed).',
      [sc.LABEL_REASON],
    );
    this.traceIndexTrimmed = r.counter(
      sc.METRIC_TRACE_INDEX_TRIMMED_TOTAL,
      'Traces dropped from the trace index over its bound (the cheapest of their workflow and hour).',
      [],
    );
    this.outcomeKeys = r.gaugeFamily(sc.METRIC_OUTCOME_KEYS, 'Outcome keys in the key index, by state (pending, reported, closed).', [sc.LABEL_STATE]);
  }

  /** Counts a span attribute string the collector cut, and reports it to diag (throttled). */
  longValue(attribute: string, spanId: string, traceId: string): void {
    this.longValues.inc([attribute]);
    this.warn(
      attribute,
      (n) => `tokenledger collector: span ${spanId} of trace ${traceId}: ${attribute} was longer than 256 characters and was cut (${n} so far)`,
    );
  }

  private warn(kind: string, message: (n: number) => string): void {
    const n = (this.seen.get(kind) ?? 0) + 1;
    if (this.seen.size < 10_000 || this.seen.has(kind)) this.seen.set(kind, n);
    if (n === 1 || n % 10_000 === 0) diag.warn(message(n));
  }

  /** Adds a finalised trace's observations (or its late spans') to the metrics; a trace id becomes the series' exemplar, stamped `atMs`. */
  apply(observations: readonly Observation[], atMs: number): void {
    for (const o of observations) {
      const family = this.rollup.get(o.metric)!;
      const exemplar = o.traceId ? { traceId: o.traceId, value: o.value, tsMs: atMs } : undefined;
      if (family.type === 'histogram') family.observe(o.labels, o.value, exemplar);
      else family.inc(o.labels, o.value, exemplar);
    }
  }
}
