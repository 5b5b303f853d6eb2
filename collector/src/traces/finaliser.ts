// Finalises due traces: each batch is one transaction that writes the roll-ups and the metric
// state and deletes the spans, so a trace is rolled up exactly once across crashes. A transaction that fails (a
// full disk) changes nothing: the metrics are put back, the traces stay open, and the batch is tried again.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { diag } from '@opentelemetry/api';
import type { Clock } from '../config/types.ts';
import type { CollectorMetrics } from '../metrics/collector-metrics.ts';
import { type FinalisedTrace, finalisedTraces } from '../rollup/observations.ts';
import { rollUp } from '../rollup/trace-rollup.ts';
import { transaction } from '../store/database.ts';
import type { RollupStore } from '../store/rollup-store.ts';
import type { SpanStore } from '../store/span-store.ts';
import { STORE_RETRY_MS, type StoreHealth } from '../store/store-health.ts';
import type { TraceBuffer } from './trace-buffer.ts';

export interface FinaliserOptions {
  db: DatabaseSync;
  buffer: TraceBuffer;
  spans: SpanStore;
  rollups: RollupStore;
  metrics: CollectorMetrics;
  health: StoreHealth;
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
  private readonly probeRow: StatementSync;
  private timer?: NodeJS.Timeout;
  private lastPruneMs = -Infinity;
  private lastTryMs = -Infinity;

  constructor(opts: FinaliserOptions) {
    this.o = opts;
    this.probeRow = opts.db.prepare('INSERT OR REPLACE INTO store_probe (id, at_ms) VALUES (1, ?)');
  }

  /** Finalises up to `limit` traces due now; returns how many (0 when the store failed: they stay open). */
  tick(limit = BATCH): number {
    const { buffer, clock, metrics, health } = this.o;
    const now = clock.now();
    const due = buffer.due(now, this.o.idleMs, this.o.maxAgeMs, limit);
    const prune = now - this.lastPruneMs >= PRUNE_EVERY_MS;
    if (due.length === 0 && !prune) {
      if (!health.writable) this.probe(now);
      return 0;
    }
    // Observations derived once per trace: Prometheus here, the other outputs through the hooks.
    const batch = finalisedTraces(due.map((d) => rollUp(d.state, now)));
    const rollups = batch.map((f) => f.rollup);
    try {
      metrics.registry.transact(
        () => {
          for (const f of batch) metrics.apply(f.observations);
        },
        (dirty) =>
          transaction(this.o.db, () => {
            this.o.rollups.write(rollups);
            this.o.spans.remove(rollups.map((r) => r.traceId));
            this.o.rollups.writeSeries(dirty);
            if (prune) this.o.rollups.forgetFinalised(now - this.o.lateSpanRetentionMs);
            if (batch.length) this.o.onCommit?.(batch);
          }),
      );
    } catch (err) {
      health.failed('finalise', err);
      return 0;
    }
    health.succeeded();
    buffer.remove(due.map((d) => d.state));
    for (const d of due) metrics.tracesFinalised.inc([d.reason]);
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

  /** Finalises everything due now, batch by batch (stops early if the store fails: the rest stays stored). */
  drain(): number {
    let total = 0;
    for (let n = this.tick(); n > 0; n = this.tick()) total += n;
    return total;
  }

  /** Checks for due traces every `intervalMs`; while the store fails, tries again every STORE_RETRY_MS. */
  start(intervalMs: number): void {
    const run = () => {
      const now = this.o.clock.now();
      if (!this.o.health.writable && now - this.lastTryMs < STORE_RETRY_MS) return;
      this.lastTryMs = now;
      try {
        if (this.tick() === BATCH) setImmediate(run);
      } catch (err) {
        // Not the store (its failures are handled in tick): reported, tried again next time.
        diag.error('tokenledger collector: finalising traces failed', err);
      }
    };
    this.timer = setInterval(run, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A failing store with nothing to finalise: a one-row write tells when it takes writes again. */
  private probe(now: number): void {
    try {
      transaction(this.o.db, () => this.probeRow.run(now));
      this.o.health.succeeded();
    } catch (err) {
      this.o.health.failed('probe', err);
    }
  }
}
