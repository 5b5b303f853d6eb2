// What the roll-up needs of an open trace, accumulated span by span in O(1): the spans themselves
// stay in the store, so a 50,000-span trace costs no more per span than a small one.
import * as sc from '@tokenledger/semconv';
import type { SpanRecord } from '../model/span-record.ts';
import { bool, str } from '../model/attribute-values.ts';
import type { PricedSpan } from './call-cost.ts';
import type { CallCost, CallGroup, ProducerCounts, PromptTokenCounts, TraceLabels, TraceRollup } from './types.ts';

/** Attribution fields, each from the root span else the first span that has it. */
export interface Attribution {
  tenant?: string;
  feature?: string;
  workflow?: string;
  outcome?: string;
  success?: boolean;
  outcomeKey?: string;
  /** user.id, else enduser.id. */
  user?: string;
  session?: string;
}

interface Repeat {
  startMs: number;
  cost: number;
  group: CallGroup;
}

export class TraceState {
  readonly traceId: string;
  /** Set when the trace was already finalised: these spans only add cost to its labels. */
  readonly lateOf?: TraceLabels;
  firstSeenMs: number;
  lastSeenMs: number;
  /** Earliest span start and latest span end (epoch ms), for the trace index. */
  startMs = Infinity;
  endMs = -Infinity;
  /** Calls (model, embedding, retrieval, rerank spans) rolled up. */
  callCount = 0;
  /** Distinct spans rolled up. */
  spans = 0;
  /** Spans stored, duplicates included (what the open-span bound counts). */
  stored = 0;
  /** OTLP status of the root span; undefined until it arrives. */
  rootStatus?: 0 | 1 | 2;
  readonly root: Attribution = {};
  readonly other: Attribution = {};
  readonly calls = new Map<string, CallGroup>();
  readonly unpriced = new Map<string, TraceRollup['unpriced'][number]>();
  readonly excludingCache = new Map<string, TraceRollup['excludingCache'][number]>();
  readonly producers = new Map<string, ProducerCounts>();
  readonly ttft: { provider: string; model: string; seconds: number }[] = [];
  readonly promptTokens: PromptTokenCounts = [0, 0, 0, 0, 0];
  /** The group of the last call added. */
  private lastGroup?: CallGroup;
  /** First unmarked call per request hash: later identical requests are retries. */
  private repeats?: Map<string, Repeat>;
  /** Span ids seen: an OTLP client retrying a request whose answer it lost sends them again. */
  private readonly seen = new Set<string>();
  /** Calls of an operation their producer nests, held until the trace is rolled up: a wrapper is not a call. */
  private held?: Map<string, { span: SpanRecord; call: CallCost }>;
  /** Parents of such calls: the wrappers. */
  private wrappers?: Set<string>;

  constructor(traceId: string, nowMs: number, lateOf?: TraceLabels) {
    this.traceId = traceId;
    this.firstSeenMs = nowMs;
    this.lastSeenMs = nowMs;
    this.lateOf = lateOf;
  }

  /** Adds one span; a span id seen before in this trace is counted once. */
  add(span: SpanRecord, priced: PricedSpan | undefined): void {
    this.stored++;
    if (this.seen.has(span.spanId)) return;
    this.seen.add(span.spanId);
    this.spans++;
    const a = span.attributes;
    const isRoot = span.parentSpanId === '';
    const target = isRoot ? this.root : this.other;
    if (isRoot) this.rootStatus = span.statusCode;
    target.tenant ??= str(a[sc.ATTR_TENANT]);
    target.feature ??= str(a[sc.ATTR_FEATURE]);
    target.workflow ??= str(a[sc.ATTR_WORKFLOW]);
    target.outcome ??= str(a[sc.ATTR_OUTCOME]);
    target.outcomeKey ??= str(a[sc.ATTR_OUTCOME_KEY]);
    target.user ??= str(a[sc.ATTR_USER_ID]) ?? str(a[sc.ATTR_ENDUSER_ID]);
    target.session ??= str(a[sc.ATTR_SESSION_ID]);
    if (span.startMs < this.startMs) this.startMs = span.startMs;
    if (span.endMs > this.endMs) this.endMs = span.endMs;
    const success = a[sc.ATTR_OUTCOME_SUCCESS];
    if (target.success === undefined && success !== undefined) target.success = bool(success);
    if (!priced) return;
    if (priced.checks.length || priced.ignoredCost) this.countProducer(priced);
    const call = priced.call;
    if (!call) return;
    if (call.mayWrap) {
      (this.wrappers ??= new Set()).add(span.parentSpanId);
      (this.held ??= new Map()).set(span.spanId, { span, call });
    } else this.addCall(span, call);
  }

  /** Adds the held calls that wrap none of their producer's spans (called once, when the trace is rolled up). */
  resolveHeld(): void {
    if (!this.held) return;
    for (const [id, { span, call }] of this.held) if (!this.wrappers!.has(id)) this.addCall(span, call);
    this.held = undefined;
  }

  private countProducer(p: PricedSpan): void {
    let c = this.producers.get(p.producer);
    if (!c) this.producers.set(p.producer, (c = { producer: p.producer, checks: {}, costDisagrees: 0, costZero: 0 }));
    for (const check of p.checks) c.checks[check] = (c.checks[check] ?? 0) + 1;
    if (p.ignoredCost === sc.FOREIGN_COST_DISAGREES) c.costDisagrees++;
    else if (p.ignoredCost === sc.FOREIGN_COST_ZERO) c.costZero++;
  }

  /** The outcome key: the root's, else the first span's that has one. */
  get outcomeKey(): string | undefined {
    return this.root.outcomeKey ?? this.other.outcomeKey;
  }

  private addCall(span: SpanRecord, call: CallCost): void {
    this.callCount++;
    // The spans of a trace mostly call one route and model: that group is found without making its key.
    let g = this.lastGroup;
    if (g === undefined || g.route !== call.route || g.provider !== call.provider || g.model !== call.model) {
      const key = `${call.route}\u0000${call.provider}\u0000${call.model}`;
      g = this.calls.get(key);
      if (!g) {
        g = { route: call.route, provider: call.provider, model: call.model, totalUsd: 0, components: {}, tokens: [0, 0, 0, 0], cacheSavingsUsd: 0, retryUsd: 0,
          unpriced: 0, unknownUsage: 0, excludingCacheUsd: 0 };
        this.calls.set(key, g);
      }
      this.lastGroup = g;
    }
    g.totalUsd += call.totalUsd;
    for (const c in call.components) {
      const k = c as keyof CallGroup['components'];
      g.components[k] = (g.components[k] ?? 0) + call.components[k]!;
    }
    for (let i = 0; i < 4; i++) g.tokens[i]! += call.tokens[i]!;
    g.cacheSavingsUsd += call.cacheSavingsUsd;
    if (call.markedRetry) g.retryUsd += call.totalUsd;
    else if (call.requestHash !== undefined) this.addRepeat(call.requestHash, span.startMs, call.totalUsd, g);
    if (!call.priced) {
      g.unpriced++;
      if (call.unknownUsage) g.unknownUsage++;
      const k = `${call.provider}\u0000${call.model}\u0000${call.producer}`;
      let u = this.unpriced.get(k);
      if (!u) this.unpriced.set(k, (u = { provider: call.provider, model: call.model, producer: call.producer, count: 0, unknownUsage: 0 }));
      u.count++;
      if (call.unknownUsage) u.unknownUsage++;
    }
    if (call.excludesCache) {
      g.excludingCacheUsd += call.totalUsd;
      const k = `${call.provider}\u0000${call.model}\u0000${call.producer}`;
      let x = this.excludingCache.get(k);
      if (!x) this.excludingCache.set(k, (x = { provider: call.provider, model: call.model, producer: call.producer, usd: 0 }));
      x.usd += call.totalUsd;
    }
    if (call.ttftSeconds !== undefined) this.ttft.push({ provider: call.provider, model: call.model, seconds: call.ttftSeconds });
    if (call.promptTokens) for (let i = 0; i < 5; i++) this.promptTokens[i]! += call.promptTokens[i]!;
  }

  /** The earliest unmarked call of a request hash is the original; every other one is a retry. */
  private addRepeat(hash: string, startMs: number, cost: number, group: CallGroup): void {
    this.repeats ??= new Map();
    const first = this.repeats.get(hash);
    if (!first) {
      this.repeats.set(hash, { startMs, cost, group });
    } else if (startMs < first.startMs) {
      first.group.retryUsd += first.cost;
      this.repeats.set(hash, { startMs, cost, group });
    } else {
      group.retryUsd += cost;
    }
  }
}
