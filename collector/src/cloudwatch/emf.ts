// CloudWatch Embedded Metric Format: a batch of roll-ups → JSON log events within EMF's limits
// (≤ 100 metric definitions a directive, ≤ 100 values a metric, ≤ 30 dimensions a set, event size).
// EMF has no counts: a distribution value observed n times appears n times.
import { aggregate } from './encode.ts';
import type { CloudWatchObservation } from './types.ts';

/** A dimension set has at most 9 dimensions (the 8 configurable ones + TokenType), within EMF's 30. */
export const EMF_LIMITS = { metricsPerDirective: 100, valuesPerMetric: 100 } as const;

type Event = Record<string, unknown>;

/** Events for `obs` (observations of one batch) stamped `timestampMs`, each at most `maxBytes` long. */
export function emfEvents(obs: readonly CloudWatchObservation[], namespace: string, timestampMs: number, maxBytes: number): string[] {
  const groups = new Map<string, CloudWatchObservation[]>();
  for (const o of aggregate(obs)) {
    const key = o.dimsJson;
    const g = groups.get(key);
    if (g) g.push(o);
    else groups.set(key, [o]);
  }
  const lines: string[] = [];
  for (const g of groups.values()) {
    for (let i = 0; i < g.length; i += EMF_LIMITS.metricsPerDirective) {
      lines.push(...groupEvents(g.slice(i, i + EMF_LIMITS.metricsPerDirective), namespace, timestampMs, maxBytes));
    }
  }
  return lines;
}

interface EmfMetric {
  name: string;
  unit: string;
  sum?: number;
  values: number[];
}

/**
 * One dimension set's metrics: sums in the first event, distribution values spread over as many as
 * needed. Too large an event carries fewer values each, then fewer metrics each.
 */
function groupEvents(g: CloudWatchObservation[], namespace: string, timestampMs: number, maxBytes: number): string[] {
  const byName = new Map<string, EmfMetric>();
  for (const o of g) {
    let m = byName.get(o.metric);
    if (!m) byName.set(o.metric, (m = { name: o.metric, unit: o.unit, values: [] }));
    if (o.kind === 'sum') m.sum = (m.sum ?? 0) + o.value;
    else for (let k = 0; k < o.count; k++) m.values.push(o.value);
  }
  return fit(g[0]!.dims, [...byName.values()], namespace, timestampMs, maxBytes, EMF_LIMITS.valuesPerMetric);
}

function fit(dims: [string, string][], metrics: EmfMetric[], namespace: string, timestampMs: number, maxBytes: number, perEvent: number): string[] {
  const lines = build(dims, metrics, namespace, timestampMs, perEvent);
  if (lines.every((l) => Buffer.byteLength(l) <= maxBytes)) return lines;
  if (perEvent > 1) return fit(dims, metrics, namespace, timestampMs, maxBytes, Math.floor(perEvent / 2));
  if (metrics.length > 1) {
    const half = Math.ceil(metrics.length / 2);
    return [
      ...fit(dims, metrics.slice(0, half), namespace, timestampMs, maxBytes, EMF_LIMITS.valuesPerMetric),
      ...fit(dims, metrics.slice(half), namespace, timestampMs, maxBytes, EMF_LIMITS.valuesPerMetric),
    ];
  }
  return lines; // one value of one metric: as small as an event gets
}

function build(dims: [string, string][], metrics: EmfMetric[], namespace: string, timestampMs: number, perEvent: number): string[] {
  const out: string[] = [];
  const n = Math.max(1, ...metrics.map((m) => Math.ceil(m.values.length / perEvent)));
  for (let r = 0; r < n; r++) {
    const event: Event = {};
    const definitions: { Name: string; Unit: string }[] = [];
    for (const [d, v] of dims) event[d] = v;
    for (const m of metrics) {
      const values = m.values.slice(r * perEvent, (r + 1) * perEvent);
      const value = m.sum !== undefined ? (r === 0 ? m.sum : undefined) : values.length === 1 ? values[0] : values.length ? values : undefined;
      if (value === undefined) continue;
      event[m.name] = value;
      definitions.push({ Name: m.name, Unit: m.unit });
    }
    event._aws = { Timestamp: timestampMs, CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [dims.map(([d]) => d)], Metrics: definitions }] };
    out.push(JSON.stringify(event));
  }
  return out;
}
