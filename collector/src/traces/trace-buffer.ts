// Behind the SpanSink (Collector.sink): acknowledges spans once they are committed (concurrent requests share one
// transaction: group commit), keeps open traces as O(1)-per-span accumulators, and pushes back
// past its bounds instead of dropping anything it acknowledged.
import type { DatabaseSync } from 'node:sqlite';
import { diag } from '@opentelemetry/api';
import type { PriceBook } from '@tokenledger/pricing';
import type { Clock } from '../config/types.ts';
import type { CollectorMetrics } from '../metrics/collector-metrics.ts';
import { Backpressure, type SpanRecord } from '../model/span-record.ts';
import { checkSpanValues } from '../model/span-values.ts';
import { priceSpan, type PricedSpan } from '../rollup/call-cost.ts';
import { TraceState } from '../rollup/trace-state.ts';
import type { TraceLabels } from '../rollup/types.ts';
import { transaction } from '../store/database.ts';
import type { SpanStore } from '../store/span-store.ts';
import type { StoreHealth } from '../store/store-health.ts';

export interface TraceBufferOptions {
  db: DatabaseSync;
  spans: SpanStore;
  book: PriceBook;
  clock: Clock;
  metrics: CollectorMetrics;
  /** A failing store refuses new spans until a write succeeds again. */
  health: StoreHealth;
  maxOpenSpans: number;
  maxOpenTraces: number;
  /** Retry-After of a Backpressure refusal. */
  retryAfterSeconds: number;
}

/** Stored chunks replayed between two yields to the event loop during recovery. */
const RECOVERY_YIELD_CHUNKS = 2_000;

export type FinaliseReason = 'idle' | 'max_age' | 'late';

interface Pending {
  spans: SpanRecord[];
  resolve: (priced: readonly (PricedSpan | undefined)[]) => void;
  reject: (err: unknown) => void;
}

/** One trace's spans of a commit, with what each costs. */
interface TraceSpans {
  spans: SpanRecord[];
  priced: (PricedSpan | undefined)[];
}

export class TraceBuffer {
  /** Open traces in the order they were first seen (the maximum-age order). */
  readonly open = new Map<string, TraceState>();
  /** Traces that finalise when idle (root arrived, or late spans), in the order of their last span. */
  private readonly idle = new Map<string, TraceState>();
  /** Open traces per outcome key: a reported key is counted once none of its traces is still open here. */
  private readonly openKeys = new Map<string, number>();
  openSpans = 0;
  private pending: Pending[] = [];
  private pendingSpans = 0;
  private flushScheduled = false;
  private closed = false;
  private readonly o: TraceBufferOptions;

  constructor(opts: TraceBufferOptions) {
    this.o = opts;
  }

  /**
   * Resolves once `spans` are committed, to what each costs as the roll-up counts it (undefined where it could not be
   * priced): the add-ons that read calls from accepted spans take that rather than price them again.
   */
  accept(spans: SpanRecord[]): Promise<readonly (PricedSpan | undefined)[]> {
    if (spans.length === 0) return Promise.resolve([]);
    if (this.closed) return this.refuse(spans.length, 'the collector is shutting down');
    if (!this.o.health.writable) return this.refuse(spans.length, 'the store cannot write (a full disk?); retrying');
    if (this.openSpans + this.pendingSpans + spans.length > this.o.maxOpenSpans) {
      return this.refuse(spans.length, `${this.openSpans + this.pendingSpans} spans are open (TOKENLEDGER_MAX_OPEN_SPANS=${this.o.maxOpenSpans})`);
    }
    if (this.open.size >= this.o.maxOpenTraces) {
      return this.refuse(spans.length, `${this.open.size} traces are open (TOKENLEDGER_MAX_OPEN_TRACES=${this.o.maxOpenTraces})`);
    }
    // Before anything stores them: strings bounded and NUL-free (numbers are checked where they are read).
    for (const s of spans) checkSpanValues(s, (attribute) => this.o.metrics.longValue(attribute, s.spanId, s.traceId));
    return new Promise((resolve, reject) => {
      this.pending.push({ spans, resolve, reject });
      this.pendingSpans += spans.length;
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // After the I/O callbacks of this turn, so concurrent requests share the commit.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits what is pending now (also called on shutdown). */
  flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.pendingSpans = 0;
    const now = this.o.clock.now();
    const byTrace = new Map<string, TraceSpans>();
    // Each span priced once, here (it reads the span alone): the roll-up and the add-ons take it. Failed checks are
    // reported once the span is stored.
    const priced: (PricedSpan | undefined)[][] = new Array(batch.length);
    let n = 0;
    for (let b = 0; b < batch.length; b++) {
      const spans = batch[b]!.spans;
      const costs = (priced[b] = new Array<PricedSpan | undefined>(spans.length));
      n += spans.length;
      for (let i = 0; i < spans.length; i++) {
        const s = spans[i]!;
        const cost = (costs[i] = this.costOf(s));
        const t = byTrace.get(s.traceId);
        if (t) {
          t.spans.push(s);
          t.priced.push(cost);
        } else byTrace.set(s.traceId, { spans: [s], priced: [cost] });
      }
    }
    let finalised!: Map<string, TraceLabels>;
    try {
      finalised = transaction(this.o.db, () => {
        for (const [traceId, t] of byTrace) this.o.spans.add(traceId, now, t.spans);
        // Inside the transaction: on its own, a read opens a transaction of its own.
        return this.finalisedAmong(byTrace.keys());
      });
      this.o.spans.settleKeys(true);
    } catch (err) {
      this.o.spans.settleKeys(false);
      // A full or failing disk: the client keeps the data and retries (503), it does not drop it (500).
      this.o.health.failed('accept', err);
      this.o.metrics.spansRefused.inc([], n);
      const refusal = new Backpressure('the store cannot write (a full disk?); retry later', this.o.retryAfterSeconds);
      for (const p of batch) p.reject(refusal);
      return;
    }
    this.o.health.succeeded();
    for (const [traceId, t] of byTrace) this.apply(traceId, t.spans, t.priced, now, finalised);
    this.o.metrics.spansAccepted.inc([], n);
    this.o.metrics.commitBatches.inc([]);
    for (let b = 0; b < batch.length; b++) batch[b]!.resolve(priced[b]!);
  }

  /** Rebuilds the open traces from the store after a restart, yielding to the event loop now and then (health probes answer). */
  async recover(): Promise<void> {
    let n = 0;
    for (const c of this.o.spans.chunks()) {
      // Spans stored before this check existed are checked now (checked ones pass unchanged).
      for (const s of c.spans) checkSpanValues(s);
      this.apply(c.traceId, c.spans, c.spans.map((s) => this.costOf(s)), c.receivedMs, this.finalisedAmong([c.traceId]));
      if (++n % RECOVERY_YIELD_CHUNKS === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    // In the background: the collector takes spans meanwhile.
    this.keysPruned = this.o.spans.pruneKeys();
  }

  /** Resolves (to the number deleted) once stored attribute keys no span names are gone (tests). */
  keysPruned: Promise<number> = Promise.resolve(0);

  /** Up to `limit` traces due at `nowMs`, left open until `remove`d (once their roll-ups are stored). */
  due(nowMs: number, idleMs: number, maxAgeMs: number, limit: number): { state: TraceState; reason: FinaliseReason }[] {
    const due: { state: TraceState; reason: FinaliseReason }[] = [];
    const idle = new Set<TraceState>();
    for (const t of this.idle.values()) {
      if (due.length >= limit || t.lastSeenMs + idleMs > nowMs) break;
      due.push({ state: t, reason: t.lateOf ? 'late' : 'idle' });
      idle.add(t);
    }
    for (const t of this.open.values()) {
      if (due.length >= limit || t.firstSeenMs + maxAgeMs > nowMs) break;
      if (!idle.has(t)) due.push({ state: t, reason: t.lateOf ? 'late' : 'max_age' });
    }
    return due;
  }

  /** Forgets traces whose roll-ups are stored. */
  remove(traces: readonly TraceState[]): void {
    for (const t of traces) {
      this.open.delete(t.traceId);
      this.idle.delete(t.traceId);
      this.openSpans -= t.stored;
      this.countKey(t.outcomeKey, -1);
    }
  }

  /** Refuses new spans from now on and commits what was already accepted. */
  close(): void {
    this.closed = true;
    this.flush();
  }

  /** Of the traces not open, those already finalised (their spans are late), with their labels. */
  private finalisedAmong(traceIds: Iterable<string>): Map<string, TraceLabels> {
    const notOpen: string[] = [];
    for (const id of traceIds) if (!this.open.has(id)) notOpen.push(id);
    return this.o.spans.finalised(notOpen);
  }

  private apply(traceId: string, spans: SpanRecord[], priced: readonly (PricedSpan | undefined)[], nowMs: number, finalised: ReadonlyMap<string, TraceLabels>): void {
    let t = this.open.get(traceId);
    if (!t) {
      t = new TraceState(traceId, nowMs, finalised.get(traceId));
      this.open.set(traceId, t);
    }
    const key = t.outcomeKey;
    for (let i = 0; i < spans.length; i++) {
      const p = priced[i];
      if (p?.checks.length) reportChecks(p, spans[i]!);
      t.add(spans[i]!, p);
    }
    if (t.outcomeKey !== key) {
      this.countKey(key, -1);
      this.countKey(t.outcomeKey, 1);
    }
    t.lastSeenMs = Math.max(t.lastSeenMs, nowMs);
    this.openSpans += spans.length;
    if (t.rootStatus !== undefined || t.lateOf) {
      this.idle.delete(traceId);
      this.idle.set(traceId, t);
    }
  }

  /** A span that cannot be priced must not stop the others (nor, replayed, every restart). */
  private costOf(s: SpanRecord): PricedSpan | undefined {
    try {
      return priceSpan(s, this.o.book);
    } catch (err) {
      diag.error(`tokenledger collector: cannot price span ${s.spanId} of trace ${s.traceId}`, err);
      return undefined;
    }
  }

  /** Whether a trace carrying `key` is open here, besides the `except` ones (traces of it being finalised now). */
  hasOpenKey(key: string, except?: ReadonlyMap<string, number>): boolean {
    return (this.openKeys.get(key) ?? 0) > (except?.get(key) ?? 0);
  }

  private countKey(key: string | undefined, delta: number): void {
    if (key === undefined) return;
    const n = (this.openKeys.get(key) ?? 0) + delta;
    if (n > 0) this.openKeys.set(key, n);
    else this.openKeys.delete(key);
  }

  private refuse(spans: number, why: string): Promise<never> {
    this.o.metrics.spansRefused.inc([], spans);
    this.o.metrics.backpressure.inc([]);
    return Promise.reject(new Backpressure(`cannot take more spans: ${why}`, this.o.retryAfterSeconds));
  }
}

/** Failed checks seen per producer and check: diag names the first and then every 10,000th (the counter has them all). */
const checksSeen = new Map<string, number>();

function reportChecks(p: PricedSpan, s: SpanRecord): void {
  for (const check of p.checks) {
    const key = `${p.producer} ${check}`;
    const n = (checksSeen.get(key) ?? 0) + 1;
    if (checksSeen.size < 10_000 || checksSeen.has(key)) checksSeen.set(key, n);
    if (n === 1 || n % 10_000 === 0) {
      diag.warn(`tokenledger collector: span ${s.spanId} of trace ${s.traceId} (producer ${p.producer}) fails the ${check} check (${n} so far); its bad numbers are not used`);
    }
  }
}
