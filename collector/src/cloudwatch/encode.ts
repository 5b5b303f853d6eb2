// The CloudWatch encoding of the roll-up observations (rollup/observations.ts), shared by PutMetricData and
// EMF: each roll-up metric becomes the CloudWatch metrics of the contract, carrying the configured
// dimensions it has.
import * as sc from '@tokenledger/semconv';
import type { Signal } from '../components/types.ts';
import { type Observation, ROLLUP_METRICS, type RollupMetric } from '../rollup/observations.ts';
import type { CloudWatchObservation, StandardUnit } from './types.ts';

const MAX_DIMENSION_VALUE = 1024;

interface Target {
  metric: string;
  unit: StandardUnit;
  /** The datum's value from the observation's; default the value itself. */
  value?: (o: Observation) => number;
}

const SUCCESS_INDEX = ROLLUP_METRICS[sc.METRIC_OUTCOMES_TOTAL].labels.indexOf(sc.LABEL_SUCCESS);

/** The CloudWatch metrics of each roll-up metric; prompt tokens and late spans have none (not in the CloudWatch metric set). */
const TARGETS: Partial<Record<RollupMetric, readonly Target[]>> = {
  [sc.METRIC_COST_USD_TOTAL]: [{ metric: sc.CLOUDWATCH_METRIC_COST_USD, unit: 'None' }],
  [sc.METRIC_TOKENS_TOTAL]: [{ metric: sc.CLOUDWATCH_METRIC_TOKENS, unit: 'Count' }],
  [sc.METRIC_RETRY_COST_USD_TOTAL]: [{ metric: sc.CLOUDWATCH_METRIC_RETRY_COST_USD, unit: 'None' }],
  [sc.METRIC_CACHE_SAVINGS_USD_TOTAL]: [{ metric: sc.CLOUDWATCH_METRIC_CACHE_SAVINGS_USD, unit: 'None' }],
  [sc.METRIC_UNPRICED_CALLS_TOTAL]: [{ metric: sc.CLOUDWATCH_METRIC_UNPRICED_CALLS, unit: 'Count' }],
  [sc.METRIC_TIME_TO_FIRST_TOKEN_SECONDS]: [{ metric: sc.CLOUDWATCH_METRIC_TIME_TO_FIRST_TOKEN, unit: 'Seconds' }],
  // CloudWatch has no success dimension: outcomes are counted, and successes counted apart.
  [sc.METRIC_OUTCOMES_TOTAL]: [
    { metric: sc.CLOUDWATCH_METRIC_OUTCOMES, unit: 'Count' },
    { metric: sc.CLOUDWATCH_METRIC_SUCCESSES, unit: 'Count', value: (o) => (o.labels[SUCCESS_INDEX] === sc.SUCCESS_TRUE ? 1 : 0) },
  ],
  [sc.METRIC_OUTCOME_COST_USD]: [{ metric: sc.CLOUDWATCH_METRIC_OUTCOME_COST_USD, unit: 'None' }],
};

/** The dimension of each label that has one (success has none). */
const DIMENSION_OF: Partial<Record<string, string>> = {
  [sc.LABEL_TENANT]: sc.CLOUDWATCH_DIM_TENANT,
  [sc.LABEL_FEATURE]: sc.CLOUDWATCH_DIM_FEATURE,
  [sc.LABEL_WORKFLOW]: sc.CLOUDWATCH_DIM_WORKFLOW,
  [sc.LABEL_ROUTE]: sc.CLOUDWATCH_DIM_ROUTE,
  [sc.LABEL_PROVIDER]: sc.CLOUDWATCH_DIM_PROVIDER,
  [sc.LABEL_MODEL]: sc.CLOUDWATCH_DIM_MODEL,
  [sc.LABEL_OUTCOME]: sc.CLOUDWATCH_DIM_OUTCOME,
  [sc.LABEL_COMPONENT]: sc.CLOUDWATCH_DIM_COMPONENT,
};

/** Carried whatever the configured dimensions: the token type splits Tokens into four. */
const FIXED_DIMENSION_OF: Partial<Record<string, string>> = { [sc.LABEL_TYPE]: sc.CLOUDWATCH_DIM_TOKEN_TYPE };

export class CloudWatchEncoder {
  private readonly dimensions: readonly string[];
  private readonly metrics: ReadonlySet<string>;
  private readonly perMetric: Readonly<Partial<Record<string, readonly string[]>>>;

  /** `perMetric` replaces `dimensions` for the metrics it names. */
  constructor(dimensions: readonly string[], metrics: readonly string[], perMetric: Readonly<Partial<Record<string, readonly string[]>>> = {}) {
    this.dimensions = dimensions;
    this.metrics = new Set(metrics);
    this.perMetric = perMetric;
  }

  /** The CloudWatch observations of `observations`, in their order. */
  encode(observations: readonly Observation[]): CloudWatchObservation[] {
    const out: CloudWatchObservation[] = [];
    for (const o of observations) {
      const targets = TARGETS[o.metric];
      if (!targets) continue;
      const { kind, labels } = ROLLUP_METRICS[o.metric];
      for (const t of targets) {
        if (!this.metrics.has(t.metric)) continue;
        const dims = this.dims(t.metric, labels, o.labels);
        out.push({ metric: t.metric, unit: t.unit, dims, dimsJson: JSON.stringify(dims), kind, value: t.value ? t.value(o) : o.value, count: 1 });
      }
    }
    return out;
  }

  /** The configured dimensions the observation has, then the fixed ones, sorted by name. */
  private dims(metric: string, names: readonly string[], values: readonly string[]): [string, string][] {
    const byDimension: Partial<Record<string, string>> = {};
    const fixed: [string, string][] = [];
    names.forEach((name, i) => {
      const d = DIMENSION_OF[name];
      if (d !== undefined) byDimension[d] = values[i];
      const f = FIXED_DIMENSION_OF[name];
      if (f !== undefined) fixed.push([f, values[i]!]);
    });
    const dims: [string, string][] = [];
    for (const d of this.perMetric[metric] ?? this.dimensions) {
      const v = byDimension[d];
      if (v !== undefined) dims.push([d, dimensionValue(v)]);
    }
    dims.push(...fixed);
    dims.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return dims;
  }
}

/** A live signal as an observation: its dimensions sorted and clipped as the roll-up's are. */
export function encodeSignal(s: Signal): CloudWatchObservation {
  const dims = s.dims.map(([d, v]) => [d, dimensionValue(v)] as [string, string]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { metric: s.metric, unit: s.unit, dims, dimsJson: JSON.stringify(dims), kind: s.kind, value: s.value, count: 1 };
}

/** CloudWatch wants 1–1024 characters. */
function dimensionValue(v: string): string {
  if (v === '') return sc.LABEL_VALUE_UNKNOWN;
  return v.length > MAX_DIMENSION_VALUE ? v.slice(0, MAX_DIMENSION_VALUE) : v;
}

/** Sums observations with the same metric, dimensions and (for distributions) value. */
export function aggregate(obs: readonly CloudWatchObservation[]): CloudWatchObservation[] {
  const byKey = new Map<string, CloudWatchObservation>();
  for (const o of obs) {
    const key = observationKey(o);
    const hit = byKey.get(key);
    if (!hit) byKey.set(key, { ...o });
    else if (o.kind === 'sum') hit.value += o.value;
    else hit.count += o.count;
  }
  return [...byKey.values()];
}

function observationKey(o: CloudWatchObservation): string {
  return `${o.metric}\u0000${o.dimsJson}\u0000${o.kind === 'dist' ? o.value : ''}`;
}
