// Autoscaling signals for CloudWatch, per instance and per Auto Scaling group or SageMaker endpoint variant:
// NeuronCore and GPU utilisation (the accelerator metrics), requests running and queued (the serving layer's
// own metrics, vLLM or TGI, where they reach the collector), tokens per minute served (self-hosted spans), and
// model requests in flight across the apps (@tokenledger/node's up-down counter). They go out through the
// CloudWatch outbox and EMF as live signals; target tracking reads them by group (see docs/autoscaling.md).
import { diag } from '@opentelemetry/api';
import type { PriceBook } from '@tokenledger/pricing';
import * as sc from '@tokenledger/semconv';
import type { CollectorComponent, Signal } from '../components/types.ts';
import type { AutoscalingConfig } from '../config/autoscaling.ts';
import type { Clock } from '../config/types.ts';
import { str } from '../model/attribute-values.ts';
import type { SpanRecord } from '../model/span-record.ts';
import { callCost, type PricedSpan } from '../rollup/call-cost.ts';
import { type Point, points } from '../model/otlp-metric-points.ts';

type Dims = readonly (readonly [string, string])[];

/** Per-instance readings: the metric, how points of one instance and time combine, and the factor to the unit. */
const READINGS: Record<string, { metric: string; unit: Signal['unit']; combine: 'mean' | 'sum'; scale: number }> = {
  [sc.NEURON_NEURONCORE_UTILIZATION_RATIO]: { metric: sc.CLOUDWATCH_METRIC_NEURONCORE_UTILIZATION, unit: 'Percent', combine: 'mean', scale: 100 },
  [sc.NVIDIA_SMI_UTILIZATION_GPU_RATIO]: { metric: sc.CLOUDWATCH_METRIC_GPU_UTILIZATION, unit: 'Percent', combine: 'mean', scale: 100 },
  [sc.SERVING_VLLM_REQUESTS_RUNNING]: { metric: sc.CLOUDWATCH_METRIC_IN_FLIGHT_REQUESTS, unit: 'Count', combine: 'sum', scale: 1 },
  [sc.SERVING_TGI_BATCH_SIZE]: { metric: sc.CLOUDWATCH_METRIC_IN_FLIGHT_REQUESTS, unit: 'Count', combine: 'sum', scale: 1 },
  [sc.SERVING_VLLM_REQUESTS_WAITING]: { metric: sc.CLOUDWATCH_METRIC_QUEUE_LENGTH, unit: 'Count', combine: 'sum', scale: 1 },
  [sc.SERVING_TGI_QUEUE_SIZE]: { metric: sc.CLOUDWATCH_METRIC_QUEUE_LENGTH, unit: 'Count', combine: 'sum', scale: 1 },
};
const NAMES = new Set([...Object.keys(READINGS), sc.INSTRUMENT_MODEL_REQUESTS_IN_FLIGHT]);
/** An app not heard from for this long no longer counts in the in-flight total (it stopped, or its exporter did). */
const CLIENT_STALE_MS = 5 * 60_000;
/** Instances whose group is remembered (from their metrics) for their spans' tokens. */
const GROUPS_LIMIT = 100_000;

interface Client {
  value: number;
  atMs: number;
}

export class AutoscalingSignals implements CollectorComponent {
  private readonly config: AutoscalingConfig;
  private readonly book: PriceBook;
  private readonly clock: Clock;
  private readonly publish: (signals: readonly Signal[]) => void;
  /** Instance id → its group dimensions, learned from its metrics. */
  private readonly groups = new Map<string, Dims>();
  /** In-flight totals: `Model/Endpoint` key → each app's (resource + attributes) last value. */
  private readonly inFlight = new Map<string, { dims: Dims; clients: Map<string, Client> }>();
  private readonly seen = new Set<string>();

  constructor(o: { config: AutoscalingConfig; book: PriceBook; clock: Clock; publish: (signals: readonly Signal[]) => void }) {
    this.config = o.config;
    this.book = o.book;
    this.clock = o.clock;
    this.publish = o.publish;
  }

  observeMetrics(request: Record<string, unknown>): void {
    try {
      const all = points(request, NAMES);
      if (all.length === 0) return;
      this.publish([...this.perInstance(all.filter((p) => p.metric in READINGS)), ...this.clientsInFlight(all.filter((p) => p.metric === sc.INSTRUMENT_MODEL_REQUESTS_IN_FLIGHT))]);
    } catch (err) {
      diag.error('tokenledger autoscaling: could not read a metrics request', err);
    }
  }

  /** Tokens served per self-hosted instance (spans naming one), at each call's end: summed per minute they are tokens per minute. */
  observeSpans(spans: readonly SpanRecord[], priced?: readonly (PricedSpan | undefined)[]): void {
    const signals: Signal[] = [];
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      try {
        const a = span.attributes;
        const id = str(a[sc.ATTR_INSTANCE_ID]);
        const type = str(a[sc.ATTR_INSTANCE_TYPE]);
        if (id === undefined || type === undefined || this.seen.has(span.spanId)) continue;
        if (this.seen.size >= GROUPS_LIMIT) this.seen.clear();
        this.seen.add(span.spanId);
        const tokens = callCost(span, this.book, priced?.[i])?.tokens.reduce((s, t) => s + t, 0) ?? 0;
        if (tokens <= 0) continue;
        for (const dims of this.dimensionSets(id, type, this.groups.get(id) ?? this.config.dimensions)) {
          signals.push({ metric: sc.CLOUDWATCH_METRIC_TOKENS_PER_MINUTE, unit: 'Count', dims, kind: 'sum', value: tokens, atMs: span.endMs });
        }
      } catch (err) {
        diag.error('tokenledger autoscaling: could not read a span', err);
      }
    }
    this.publish(signals);
  }

  /** One sample per instance, reading and timestamp (a mean over cores or GPUs, a sum over models), per instance and per group. */
  private perInstance(ps: Point[]): Signal[] {
    const byKey = new Map<string, { reading: (typeof READINGS)[string]; id: string; type: string; group: Dims; atMs: number; sum: number; n: number }>();
    for (const p of ps) {
      const reading = READINGS[p.metric]!;
      const id = p.attributes[sc.LABEL_INSTANCE_ID] ?? p.resource[sc.RESOURCE_HOST_ID];
      if (id === undefined) continue;
      const type = p.attributes[sc.LABEL_INSTANCE_TYPE] ?? p.resource[sc.RESOURCE_HOST_TYPE] ?? sc.LABEL_VALUE_UNKNOWN;
      const group = groupOf(p) ?? this.groups.get(id) ?? this.config.dimensions;
      if (groupOf(p)) this.remember(id, group);
      const key = `${reading.metric}\u0000${id}\u0000${p.atMs}`;
      const g = byKey.get(key) ?? { reading, id, type, group, atMs: p.atMs, sum: 0, n: 0 };
      g.sum += p.value;
      g.n++;
      byKey.set(key, g);
    }
    const out: Signal[] = [];
    for (const g of byKey.values()) {
      const value = (g.reading.combine === 'mean' ? g.sum / g.n : g.sum) * g.reading.scale;
      for (const dims of this.dimensionSets(g.id, g.type, g.group)) {
        out.push({ metric: g.reading.metric, unit: g.reading.unit, dims, kind: 'dist', value, atMs: g.atMs });
      }
    }
    return out;
  }

  /** Each app's latest in-flight count per model (and endpoint); a new total is sampled whenever one reports. */
  private clientsInFlight(ps: Point[]): Signal[] {
    const now = this.clock.now();
    const touched = new Map<string, number>();
    for (const p of ps) {
      const model = p.attributes[sc.ATTR_GEN_AI_REQUEST_MODEL] ?? sc.LABEL_VALUE_UNKNOWN;
      const endpoint = p.attributes[sc.ATTR_SERVER_ADDRESS];
      const dims: Dims = endpoint === undefined ? [[sc.CLOUDWATCH_DIM_MODEL, model]] : [[sc.CLOUDWATCH_DIM_MODEL, model], [sc.CLOUDWATCH_DIM_ENDPOINT, endpoint]];
      const key = JSON.stringify(dims);
      let entry = this.inFlight.get(key);
      if (!entry) this.inFlight.set(key, (entry = { dims, clients: new Map() }));
      // One app: its resource and the point's own attributes (two providers can call one model).
      const client = JSON.stringify([p.resource, p.attributes]);
      const last = entry.clients.get(client);
      if (!last || last.atMs <= p.atMs) entry.clients.set(client, { value: p.value, atMs: p.atMs });
      touched.set(key, Math.max(touched.get(key) ?? 0, p.atMs));
    }
    const out: Signal[] = [];
    for (const [key, atMs] of touched) {
      const entry = this.inFlight.get(key)!;
      let total = 0;
      for (const [client, c] of entry.clients) {
        if (c.atMs < now - CLIENT_STALE_MS) entry.clients.delete(client);
        else total += c.value;
      }
      out.push({ metric: sc.CLOUDWATCH_METRIC_IN_FLIGHT_REQUESTS, unit: 'Count', dims: [...entry.dims, ...this.config.dimensions], kind: 'dist', value: Math.max(0, total), atMs });
    }
    return out;
  }

  /** Per instance, and per group when it has one: CloudWatch aggregates no dimension set into another. */
  private dimensionSets(id: string, type: string, group: Dims): Dims[] {
    const sets: Dims[] = [[[sc.CLOUDWATCH_DIM_INSTANCE_ID, id], [sc.CLOUDWATCH_DIM_INSTANCE_TYPE, type]]];
    if (group.length > 0) sets.push(group);
    return sets;
  }

  private remember(id: string, group: Dims): void {
    if (this.groups.size >= GROUPS_LIMIT && !this.groups.has(id)) this.groups.clear();
    this.groups.set(id, group);
  }
}

/** The group a point's instance belongs to: its labels (the accelerator agent's), else its resource (a Collector's resourcedetection). */
function groupOf(p: Point): Dims | undefined {
  const asg = p.attributes[sc.LABEL_AUTOSCALING_GROUP] ?? p.resource[sc.RESOURCE_EC2_TAG_AUTOSCALING_GROUP];
  if (asg) return [[sc.CLOUDWATCH_DIM_AUTO_SCALING_GROUP, asg]];
  const endpoint = p.attributes[sc.LABEL_SAGEMAKER_ENDPOINT];
  if (endpoint) {
    const variant = p.attributes[sc.LABEL_SAGEMAKER_VARIANT];
    return variant ? [[sc.CLOUDWATCH_DIM_ENDPOINT_NAME, endpoint], [sc.CLOUDWATCH_DIM_VARIANT_NAME, variant]] : [[sc.CLOUDWATCH_DIM_ENDPOINT_NAME, endpoint]];
  }
  return undefined;
}
