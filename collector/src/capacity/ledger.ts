// Per instance and interval: what self-hosted capacity cost, the part the requests served used, the
// idle rest, and what those tokens would have cost on Bedrock. Fed by accepted spans and accelerator
// utilisation samples; settles each interval `lagMs` after it ends. The counters are persisted series:
// `checkpoint` stores them with the settled position, so a restart neither resets nor repeats them, and the
// open intervals' observations go to a journal that a restart replays.
import { diag } from '@opentelemetry/api';
import type { PriceBook } from '@tokenledger/pricing';
import * as sc from '@tokenledger/semconv';
import type { CollectorComponent } from '../components/types.ts';
import type { CapacityConfig } from '../config/capacity.ts';
import type { Clock } from '../config/types.ts';
import type { MetricFamily, Registry } from '../metrics/registry.ts';
import { num, str } from '../model/attribute-values.ts';
import type { SpanRecord } from '../model/span-record.ts';
import { callCost, type PricedSpan } from '../rollup/call-cost.ts';
import type { Router } from '../http/router.ts';
import { HOUR_MS, type HourlySpend } from './hourly-spend.ts';
import { utilizationSamples } from './otlp-metrics.ts';
import type { SavingsPlanAdvisor } from './savings-advisor.ts';
import { settle } from './settle.ts';
import type { JournalEntry, Observation, ServedRequest } from './types.ts';

/** A discovered instance (not configured) is charged until it has been silent this many intervals. */
const SILENT_INTERVALS = 5;

interface Instance {
  id: string;
  type: string;
  hourlyUsd?: number;
  configured: boolean;
  /** Charged from the start of this interval. */
  fromMs: number;
  lastSeenMs: number;
}

interface Open {
  requests: ServedRequest[];
  samples: number[];
  /** Utilisation from span snapshots, used only when no accelerator sample arrived. */
  spanSamples: number[];
}

export class CapacityLedger implements CollectorComponent {
  private readonly config: CapacityConfig;
  private readonly book: PriceBook;
  private readonly clock: Clock;
  private readonly instances = new Map<string, Instance>();
  /** Open intervals by start time, then by instance id. */
  private readonly open = new Map<number, Map<string, Open>>();
  /** Start of the first interval not yet settled. */
  private settledTo: number;
  private readonly unpricedTypes = new Set<string>();
  private timer?: NodeJS.Timeout;
  private readonly capacityCost: MetricFamily;
  private readonly idleCost: MetricFamily;
  private readonly attributedCost: MetricFamily;
  private readonly bedrockCost: MetricFamily;
  private readonly utilization: MetricFamily;

  private readonly checkpoint?: (settledToMs: number, hours: readonly HourlySpend[]) => void;
  /** Capacity cost of the intervals settled since the last checkpoint, by hour: the Savings Plans ledger. */
  private pendingHours: HourlySpend[] = [];
  private readonly savings?: SavingsPlanAdvisor;
  private readonly journal?: (entries: readonly JournalEntry[]) => void;

  /**
   * `settledTo`: where a previous run stopped settling (configured instances are charged from there: they
   * ran while the collector did not); `checkpoint`: called after each settling round with the new position;
   * `journal`: stores new observations of the open intervals; `replay`: those a previous run stored.
   */
  constructor(o: {
    config: CapacityConfig; book: PriceBook; clock: Clock; registry: Registry;
    settledTo?: number; checkpoint?: (settledToMs: number, hours: readonly HourlySpend[]) => void;
    journal?: (entries: readonly JournalEntry[]) => void; replay?: readonly Observation[]; savings?: SavingsPlanAdvisor;
  }) {
    this.savings = o.savings;
    this.config = o.config;
    this.book = o.book;
    this.clock = o.clock;
    this.checkpoint = o.checkpoint;
    this.journal = o.journal;
    const now = o.clock.now();
    this.settledTo = o.settledTo ?? this.intervalStart(now);
    for (const i of o.config.instances) {
      this.instances.set(i.id, { ...i, configured: true, fromMs: this.settledTo, lastSeenMs: now });
    }
    const who = [sc.LABEL_INSTANCE_TYPE, sc.LABEL_INSTANCE_ID];
    const r = o.registry;
    this.capacityCost = r.counter(sc.METRIC_CAPACITY_COST_USD_TOTAL, 'Instance-hour cost of self-hosted capacity in USD.', who, true);
    this.idleCost = r.counter(sc.METRIC_IDLE_CAPACITY_COST_USD_TOTAL, 'Capacity cost not used by the requests served, in USD.', who, true);
    this.attributedCost = r.counter(sc.METRIC_CAPACITY_ATTRIBUTED_COST_USD_TOTAL,
      'Capacity cost attributed to the requests served (by tokens), by model, in USD.', [...who, sc.LABEL_MODEL], true);
    this.bedrockCost = r.counter(sc.METRIC_CAPACITY_BEDROCK_EQUIVALENT_USD_TOTAL,
      'What the tokens served would have cost on Bedrock on-demand with the comparable model, in USD.', [...who, sc.LABEL_MODEL], true);
    this.utilization = r.gaugeFamily(sc.METRIC_CAPACITY_UTILIZATION_RATIO, 'Mean accelerator utilisation over the last settled interval.', who);
    for (const obs of o.replay ?? []) this.apply(obs);
  }

  /** Takes the self-hosted model spans among accepted spans: those naming an instance type. */
  observeSpans(spans: readonly SpanRecord[], priced?: readonly (PricedSpan | undefined)[]): void {
    const entries: JournalEntry[] = [];
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      try {
        const obs = this.fromSpan(span, priced?.[i]);
        if (obs) entries.push({ slotMs: this.apply(obs), observation: obs });
      } catch (err) {
        diag.error('tokenledger collector: capacity could not read a span', err);
      }
    }
    this.record(entries);
  }

  /** One accelerator utilisation sample (0–1) of an instance, e.g. a NeuronCore mean from neuron-monitor. */
  observeUtilization(instanceId: string, instanceType: string, ratio: number, atMs: number): void {
    const entry = this.sample(instanceId, instanceType, ratio, atMs);
    if (entry) this.record([entry]);
  }

  /** Takes the accelerator utilisation in an OTLP metrics request (OTLP/JSON field names; see otlp-metrics.ts). */
  observeMetrics(request: unknown): void {
    const entries: JournalEntry[] = [];
    try {
      for (const s of utilizationSamples(request)) {
        const entry = this.sample(s.instanceId, s.instanceType, s.ratio, s.atMs);
        if (entry) entries.push(entry);
      }
    } catch (err) {
      diag.error('tokenledger collector: capacity could not read a metrics request', err);
    }
    this.record(entries);
  }

  /** Start of the first interval not yet settled. */
  get settledToMs(): number {
    return this.settledTo;
  }

  /** Settles every interval that ended at least `lagMs` ago. */
  settle(now = this.clock.now()): void {
    const { intervalMs, lagMs } = this.config;
    const before = this.settledTo;
    while (this.settledTo + intervalMs + lagMs <= now) {
      const start = this.settledTo;
      const open = this.open.get(start);
      this.open.delete(start);
      for (const inst of this.instances.values()) this.settleInstance(inst, start, open?.get(inst.id));
      this.settledTo = start + intervalMs;
    }
    if (this.settledTo !== before) {
      try {
        this.checkpoint?.(this.settledTo, this.pendingHours);
        this.pendingHours = [];
      } catch (err) {
        diag.error('tokenledger collector: storing the capacity checkpoint failed', err);
      }
    }
  }

  /** GET /api/v1/savings-plans. */
  routes(router: Router): void {
    this.savings?.routes(router);
  }

  start(): void {
    this.timer = setInterval(() => this.settle(), Math.min(this.config.intervalMs, 1000));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Applies a utilisation sample (skipped when not finite) and gives its journal entry. */
  private sample(id: string, type: string, ratio: number, atMs: number): JournalEntry | undefined {
    if (!Number.isFinite(ratio)) return undefined;
    const observation = { type, id, atMs, ratio };
    return { slotMs: this.apply(observation), observation };
  }

  private record(entries: readonly JournalEntry[]): void {
    if (entries.length === 0 || !this.journal) return;
    try {
      this.journal(entries);
    } catch (err) {
      diag.error('tokenledger collector: storing capacity observations failed (a restart would count them idle)', err);
    }
  }

  /** The request a self-hosted model span records, or undefined for any other span. */
  private fromSpan(span: SpanRecord, priced: PricedSpan | undefined): Observation | undefined {
    const a = span.attributes;
    const type = str(a[sc.ATTR_INSTANCE_TYPE]);
    if (type === undefined) return undefined;
    const call = callCost(span, this.book, priced);
    if (!call) return undefined;
    const [input, cacheRead, cacheWrite, output] = call.tokens;
    let bedrockUsd: number | undefined;
    if (this.config.bedrockModel) {
      const p = this.book.cost(this.config.bedrockModel, {
        inputTokens: input + cacheRead + cacheWrite, outputTokens: output, cacheReadInputTokens: cacheRead, cacheCreationInputTokens: cacheWrite,
      }, { tier: 'on_demand' });
      if (p.priced) bedrockUsd = p.totalUsd;
    }
    const request: ServedRequest = { model: call.model, tokens: input + cacheRead + cacheWrite + output, bedrockUsd };
    return { type, id: str(a[sc.ATTR_INSTANCE_ID]), atMs: span.endMs, request, utilization: num(a[sc.ATTR_ACCELERATOR_UTILIZATION]) };
  }

  /** Adds an observation to its open interval (a late one to the oldest still open); returns its start. */
  private apply(obs: Observation): number {
    const start = Math.max(this.settledTo, this.intervalStart(obs.atMs));
    if ('ratio' in obs) {
      this.slot(this.see(obs.id, obs.type, obs.atMs), start).samples.push(obs.ratio);
      return start;
    }
    const { request, utilization, id } = obs;
    // Without an instance id (a client span), the request is spread over the known instances of its type.
    const targets = id !== undefined ? [this.see(id, obs.type, obs.atMs)] : [...this.instances.values()].filter((i) => i.type === obs.type);
    for (const inst of targets) {
      const slot = this.slot(inst, start);
      const n = targets.length;
      slot.requests.push(n === 1 ? request : { ...request, tokens: request.tokens / n, bedrockUsd: request.bedrockUsd === undefined ? undefined : request.bedrockUsd / n });
      if (utilization !== undefined && id !== undefined) slot.spanSamples.push(utilization);
    }
    return start;
  }

  private see(id: string, type: string, atMs: number): Instance {
    let inst = this.instances.get(id);
    if (!inst) {
      inst = { id, type, configured: false, fromMs: Math.max(this.settledTo, this.intervalStart(atMs)), lastSeenMs: atMs };
      this.instances.set(id, inst);
    }
    inst.lastSeenMs = Math.max(inst.lastSeenMs, atMs);
    return inst;
  }

  /** An instance's observations in the open interval starting at `start`. */
  private slot(inst: Instance, start: number): Open {
    let byInstance = this.open.get(start);
    if (!byInstance) this.open.set(start, (byInstance = new Map()));
    let slot = byInstance.get(inst.id);
    if (!slot) byInstance.set(inst.id, (slot = { requests: [], samples: [], spanSamples: [] }));
    return slot;
  }

  private settleInstance(inst: Instance, start: number, slot: Open | undefined): void {
    const { intervalMs } = this.config;
    if (start < inst.fromMs) return;
    if (!inst.configured && inst.lastSeenMs < start - SILENT_INTERVALS * intervalMs) return;
    const hourly = inst.hourlyUsd ?? this.book.instance(inst.type)?.hourlyUsd;
    if (hourly === undefined) {
      if (!this.unpricedTypes.has(inst.type)) {
        this.unpricedTypes.add(inst.type);
        diag.warn(`tokenledger collector: no instance-hour price for ${inst.type}; add it to TOKENLEDGER_PRICES_FILE (instances) or TOKENLEDGER_CAPACITY_INSTANCES`);
      }
      return;
    }
    const requests = slot?.requests ?? [];
    const samples = slot?.samples.length ? slot.samples : (slot?.spanSamples ?? []);
    const s = settle(hourly, intervalMs, requests, samples);
    const who = [inst.type, inst.id];
    this.capacityCost.inc(who, s.capacityUsd);
    this.pendingHours.push({ hourMs: Math.floor(start / HOUR_MS) * HOUR_MS, instanceType: inst.type, instanceId: inst.id, usd: s.capacityUsd });
    this.idleCost.inc(who, s.idleUsd);
    this.utilization.set(who, s.utilization);
    requests.forEach((r, i) => {
      this.attributedCost.inc([...who, r.model], s.shares[i]!);
      if (r.bedrockUsd !== undefined) this.bedrockCost.inc([...who, this.config.bedrockModel!], r.bedrockUsd);
    });
  }

  private intervalStart(ms: number): number {
    return Math.floor(ms / this.config.intervalMs) * this.config.intervalMs;
  }
}
