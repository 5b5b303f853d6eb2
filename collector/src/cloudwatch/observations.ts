// A finalised trace's roll-up → the CloudWatch/EMF observations it contributes, using the configured
// dimensions each metric has. The same figures the Prometheus registry adds (metrics/collector-metrics.ts).
import * as sc from '@tokenledger/semconv';
import type { CallGroup, TraceRollup } from '../rollup/types.ts';
import type { Observation, StandardUnit } from './types.ts';

const MAX_DIMENSION_VALUE = 1024;

type DimValues = Partial<Record<string, string>>;

export class ObservationMapper {
  private readonly dimensions: readonly string[];
  private readonly metrics: ReadonlySet<string>;
  private readonly perMetric: Readonly<Partial<Record<string, readonly string[]>>>;

  /** `perMetric` replaces `dimensions` for the metrics it names. */
  constructor(dimensions: readonly string[], metrics: readonly string[], perMetric: Readonly<Partial<Record<string, readonly string[]>>> = {}) {
    this.dimensions = dimensions;
    this.metrics = new Set(metrics);
    this.perMetric = perMetric;
  }

  fromRollup(r: TraceRollup): Observation[] {
    const out: Observation[] = [];
    const { tenant, feature, workflow, outcome, success } = r.labels;
    const trace: DimValues = {
      [sc.CLOUDWATCH_DIM_TENANT]: tenant, [sc.CLOUDWATCH_DIM_FEATURE]: feature, [sc.CLOUDWATCH_DIM_WORKFLOW]: workflow,
    };
    for (const c of r.calls) this.call(out, trace, c);
    for (const u of r.unpriced) {
      this.add(out, sc.CLOUDWATCH_METRIC_UNPRICED_CALLS, 'Count', { [sc.CLOUDWATCH_DIM_PROVIDER]: u.provider, [sc.CLOUDWATCH_DIM_MODEL]: u.model }, 'sum', u.count);
    }
    for (const t of r.ttft) {
      this.add(out, sc.CLOUDWATCH_METRIC_TIME_TO_FIRST_TOKEN, 'Seconds', { [sc.CLOUDWATCH_DIM_PROVIDER]: t.provider, [sc.CLOUDWATCH_DIM_MODEL]: t.model }, 'dist', t.seconds);
    }
    if (!r.late) {
      const o: DimValues = { ...trace, [sc.CLOUDWATCH_DIM_OUTCOME]: outcome };
      this.add(out, sc.CLOUDWATCH_METRIC_OUTCOMES, 'Count', o, 'sum', 1);
      this.add(out, sc.CLOUDWATCH_METRIC_SUCCESSES, 'Count', o, 'sum', success === sc.SUCCESS_TRUE ? 1 : 0);
      this.add(out, sc.CLOUDWATCH_METRIC_OUTCOME_COST_USD, 'None', o, 'dist', r.totalUsd);
    }
    return out;
  }

  private call(out: Observation[], trace: DimValues, c: CallGroup): void {
    const call: DimValues = { ...trace, [sc.CLOUDWATCH_DIM_ROUTE]: c.route, [sc.CLOUDWATCH_DIM_PROVIDER]: c.provider, [sc.CLOUDWATCH_DIM_MODEL]: c.model };
    for (const [component, usd] of Object.entries(c.components)) {
      if (usd) this.add(out, sc.CLOUDWATCH_METRIC_COST_USD, 'None', { ...call, [sc.CLOUDWATCH_DIM_COMPONENT]: component }, 'sum', usd);
    }
    sc.TOKEN_TYPES.forEach((type, i) => {
      if (c.tokens[i]) this.add(out, sc.CLOUDWATCH_METRIC_TOKENS, 'Count', call, 'sum', c.tokens[i], [sc.CLOUDWATCH_DIM_TOKEN_TYPE, type]);
    });
    const noProvider = { ...call, [sc.CLOUDWATCH_DIM_PROVIDER]: undefined };
    if (c.retryUsd) this.add(out, sc.CLOUDWATCH_METRIC_RETRY_COST_USD, 'None', noProvider, 'sum', c.retryUsd);
    const savings: DimValues = { ...trace, [sc.CLOUDWATCH_DIM_MODEL]: c.model };
    if (c.cacheSavingsUsd) this.add(out, sc.CLOUDWATCH_METRIC_CACHE_SAVINGS_USD, 'None', savings, 'sum', c.cacheSavingsUsd);
  }

  private add(out: Observation[], metric: string, unit: StandardUnit, values: DimValues, kind: Observation['kind'], value: number, fixed?: [string, string]): void {
    if (!this.metrics.has(metric)) return;
    const dims: [string, string][] = [];
    for (const d of this.perMetric[metric] ?? this.dimensions) {
      const v = values[d];
      if (v !== undefined) dims.push([d, dimensionValue(v)]);
    }
    if (fixed) dims.push(fixed);
    dims.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    out.push({ metric, unit, dims, dimsJson: JSON.stringify(dims), kind, value, count: 1 });
  }
}

/** CloudWatch wants 1–1024 characters. */
function dimensionValue(v: string): string {
  if (v === '') return sc.LABEL_VALUE_UNKNOWN;
  return v.length > MAX_DIMENSION_VALUE ? v.slice(0, MAX_DIMENSION_VALUE) : v;
}

/** Sums observations with the same metric, dimensions and (for distributions) value. */
export function aggregate(obs: readonly Observation[]): Observation[] {
  const byKey = new Map<string, Observation>();
  for (const o of obs) {
    const key = observationKey(o);
    const hit = byKey.get(key);
    if (!hit) byKey.set(key, { ...o });
    else if (o.kind === 'sum') hit.value += o.value;
    else hit.count += o.count;
  }
  return [...byKey.values()];
}

export function observationKey(o: Observation): string {
  return `${o.metric}\u0000${o.dimsJson}\u0000${o.kind === 'dist' ? o.value : ''}`;
}
