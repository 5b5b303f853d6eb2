// What the roll-up needs of an open trace, accumulated span by span in O(1): the spans themselves
// stay in the store, so a 50,000-span trace costs no more per span than a small one.
import * as sc from '@tokenledger/semconv';
import { bool, str } from '../model/attribute-values.ts';
import type { SpanRecord } from '../model/span-record.ts';
import type { CallCost, CallGroup, PromptTokenCounts, TraceLabels } from './types.ts';

/** Attribution fields, each from the root span else the first span that has it. */
export interface Attribution {
  tenant?: string;
  feature?: string;
  workflow?: string;
  outcome?: string;
  success?: boolean;
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
  /** Distinct spans rolled up. */
  spans = 0;
  /** Spans stored, duplicates included (what the open-span bound counts). */
  stored = 0;
  /** OTLP status of the root span; undefined until it arrives. */
  rootStatus?: 0 | 1 | 2;
  readonly root: Attribution = {};
  readonly other: Attribution = {};
  readonly calls = new Map<string, CallGroup>();
  readonly unpriced = new Map<string, { provider: string; model: string; count: number }>();
  readonly ttft: { provider: string; model: string; seconds: number }[] = [];
  readonly promptTokens: PromptTokenCounts = [0, 0, 0, 0, 0];
  /** First unmarked call per request hash: later identical requests are retries. */
  private repeats?: Map<string, Repeat>;
  /** Span ids seen: an OTLP client retrying a request whose answer it lost sends them again. */
  private readonly seen = new Set<string>();

  constructor(traceId: string, nowMs: number, lateOf?: TraceLabels) {
    this.traceId = traceId;
    this.firstSeenMs = nowMs;
    this.lastSeenMs = nowMs;
    this.lateOf = lateOf;
  }

  /** Adds one span; a span id seen before in this trace is counted once. */
  add(span: SpanRecord, call: CallCost | undefined): void {
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
    const success = a[sc.ATTR_OUTCOME_SUCCESS];
    if (target.success === undefined && success !== undefined) target.success = bool(success);
    if (call) this.addCall(span, call);
  }

  private addCall(span: SpanRecord, call: CallCost): void {
    const key = `${call.route}\u0000${call.provider}\u0000${call.model}`;
    let g = this.calls.get(key);
    if (!g) {
      g = { route: call.route, provider: call.provider, model: call.model, totalUsd: 0, components: {}, tokens: [0, 0, 0, 0], cacheSavingsUsd: 0, retryUsd: 0 };
      this.calls.set(key, g);
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
      const u = this.unpriced.get(key);
      if (u) u.count++;
      else this.unpriced.set(key, { provider: call.provider, model: call.model, count: 1 });
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
