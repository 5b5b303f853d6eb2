// Finalises due traces: each batch is one transaction that writes the roll-ups and the metric
// state and deletes the spans, so a trace is rolled up exactly once across crashes.
import type { DatabaseSync } from 'node:sqlite';
import { diag } from '@opentelemetry/api';
import type { Clock } from '../config/types.ts';
import type { CollectorMetrics } from '../metrics/collector-metrics.ts';
import { type FinalisedTrace, finalisedTraces } from '../rollup/observations.ts';
import { rollUp } from '../rollup/trace-rollup.ts';
import { transaction } from '../store/database.ts';
import type { RollupStore } from '../store/rollup-store.ts';
import type { SpanStore } from '../store/span-store.ts';
import type { TraceBuffer } from './trace-buffer.ts';

export interface FinaliserOptions {
  db: DatabaseSync;
  buffer: TraceBuffer;
  spans: SpanStore;
  rollups: RollupStore;
  metrics: CollectorMetrics;
  clock: Clock;
  idleMs: number;
  maxAgeMs: number;
  lateSpanRetentionMs: number;
  /** Called with each batch once committed (outputs such as EMF hook in here). */
  onFinalised?: (batch: readonly FinalisedTrace[]) => void;
  /** Called inside the batch's transaction: what it stores commits with the roll-ups, or not at all (the CloudWatch outbox). */
  onCommit?: (batch: readonly FinalisedTrace[]) => void;
}

/** Traces per transaction: a burst of due traces never holds the event loop for long. */
const BATCH = 2_000;
const PRUNE_EVERY_MS = 60_000;

export class Finaliser {
  private readonly o: FinaliserOptions;
  private timer?: NodeJS.Timeout;
  private lastPruneMs = -Infinity;

  constructor(opts: FinaliserOptions) {
    this.o = opts;
  }

  /** Finalises up to `limit` traces due now; returns how many. */
  tick(limit = BATCH): number {
    const { buffer, clock, metrics } = this.o;
    const now = clock.now();
    const due = buffer.takeDue(now, this.o.idleMs, this.o.maxAgeMs, limit);
    const prune = now - this.lastPruneMs >= PRUNE_EVERY_MS;
    if (due.length === 0 && !prune) return 0;
    // Observations derived once per trace: Prometheus here, the other outputs through the hooks.
    const batch = finalisedTraces(due.map((d) => rollUp(d.state, now)));
    const rollups = batch.map((f) => f.rollup);
    batch.forEach((f, i) => {
      metrics.apply(f.observations);
      metrics.tracesFinalised.inc([due[i]!.reason]);
    });
    const dirty = metrics.registry.takeDirty();
    transaction(this.o.db, () => {
      this.o.rollups.write(rollups);
      this.o.spans.remove(rollups.map((r) => r.traceId));
      this.o.rollups.writeSeries(dirty);
      if (prune) this.o.rollups.forgetFinalised(now - this.o.lateSpanRetentionMs);
      if (batch.length) this.o.onCommit?.(batch);
    });
    if (prune) this.lastPruneMs = now;
    if (batch.length && this.o.onFinalised) {
      // Committed already: an output's failure is its own, never the store's.
      try {
        this.o.onFinalised(batch);
      } catch (err) {
        diag.error('tokenledger collector: an onFinalised hook failed', err);
      }
    }
    return due.length;
  }

  /** Finalises everything due now, batch by batch. */
  drain(): number {
    let total = 0;
    for (let n = this.tick(); n > 0; n = this.tick()) total += n;
    return total;
  }

  /** Checks for due traces every `intervalMs`; a failed commit is fatal (the store is the truth: restart recovers). */
  start(intervalMs: number, onFatal: (err: unknown) => void): void {
    const run = () => {
      try {
        if (this.tick() === BATCH) setImmediate(run);
      } catch (err) {
        diag.error('tokenledger collector: finalising traces failed', err);
        this.stop();
        onFatal(err);
      }
    };
    this.timer = setInterval(run, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
