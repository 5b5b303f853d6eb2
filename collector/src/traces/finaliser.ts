// Finalises due traces: each batch is one transaction that writes the roll-ups and the metric
// state and deletes the spans, so a trace is rolled up exactly once across crashes. A transaction that fails (a
// full disk) changes nothing: the metrics are put back, the traces stay open, and the batch is tried again.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { diag } from '@opentelemetry/api';
import type { Clock } from '../config/types.ts';
import type { CollectorMetrics } from '../metrics/collector-metrics.ts';
import { type FinalisedTrace, finalisedOutcome, finalisedTraces } from '../rollup/observations.ts';
import { rollUp } from '../rollup/trace-rollup.ts';
import { transaction } from '../store/database.ts';
import type { RollupStore } from '../store/rollup-store.ts';
import type { OutcomeEvent } from '../store/shared-store.ts';
import type { SpanStore } from '../store/span-store.ts';
import { STORE_RETRY_MS, type StoreHealth } from '../store/store-health.ts';
import type { OutcomeLink } from './outcome-link.ts';
import type { TraceBuffer } from './trace-buffer.ts';

export interface FinaliserOptions {
  db: DatabaseSync;
  buffer: TraceBuffer;
  spans: SpanStore;
  rollups: RollupStore;
  /** The shared part of the store: roll-up rows, outcome keys, the trace index. */
  outcomes: OutcomeLink;
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
  private lastSharedPruneMs = -Infinity;
  private lastTryMs = -Infinity;

  constructor(opts: FinaliserOptions) {
    this.o = opts;
    this.probeRow = opts.db.prepare('INSERT OR REPLACE INTO store_probe (id, at_ms) VALUES (1, ?)');
  }

  /**
   * Finalises up to `limit` traces due now (and, with the embedded store, moves due outcome keys on); returns how
   * many traces (0 when the store failed: they stay open).
   */
  tick(limit = BATCH): number {
    const { buffer, clock, metrics, health, outcomes } = this.o;
    const now = clock.now();
    const due = buffer.due(now, this.o.idleMs, this.o.maxAgeMs, limit);
    const prune = now - this.lastPruneMs >= PRUNE_EVERY_MS;
    if (due.length === 0 && !prune && !(health.writable && outcomes.due(now))) {
      if (!health.writable) this.probe(now);
      return 0;
    }
    // Observations derived once per trace: Prometheus here, the other outputs through the hooks.
    const traces = finalisedTraces(due.map((d) => rollUp(d.state, now)));
    const rollups = traces.map((f) => f.rollup);
    // Keys of the traces finalised now: no longer open once this commits (a reported key need not wait for them).
    const finalising = new Map<string, number>();
    for (const d of due) if (d.state.outcomeKey !== undefined) finalising.set(d.state.outcomeKey, (finalising.get(d.state.outcomeKey) ?? 0) + 1);
    let batch: FinalisedTrace[] = traces;
    try {
      metrics.registry.transact(
        () => {
          for (const f of traces) metrics.apply(f.observations, now);
        },
        (dirty) =>
          transaction(this.o.db, () => {
            this.o.rollups.write(rollups);
            this.o.spans.remove(rollups.map((r) => r.traceId));
            this.o.rollups.writeSeries(dirty);
            // Outcomes counted now (embedded store): their series in this same commit (undone with it if it fails).
            const counted = outcomes.commit(rollups, now, prune, finalising).map((e) => this.counted(e, now));
            if (counted.length) {
              batch = [...traces, ...counted];
              this.o.rollups.writeSeries(metrics.registry.takeDirty());
            }
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
    this.finalised(batch);
    return due.length;
  }

  /**
   * Shared store: counts outcome events this instance claimed — their observations in one local transaction with
   * the metric series and `inTransaction` (which records their ids), then the outputs. Throws when the store fails
   * (nothing changed: the events are applied again later).
   */
  applyCounted(events: readonly OutcomeEvent[], inTransaction: () => void): void {
    const now = this.o.clock.now();
    let batch: FinalisedTrace[] = [];
    try {
      this.o.metrics.registry.transact(
        () => {
          batch = events.map((e) => this.counted(e, now));
        },
        (dirty) =>
          transaction(this.o.db, () => {
            this.o.rollups.writeSeries(dirty);
            inTransaction();
            if (batch.length) this.o.onCommit?.(batch);
          }),
      );
    } catch (err) {
      this.o.health.failed('finalise', err);
      throw err;
    }
    this.o.health.succeeded();
    this.finalised(batch);
  }

  /** Shared store: ships finalised batches and counts outcomes (see outcome-link.ts). */
  pump(): Promise<void> {
    const now = this.o.clock.now();
    const prune = now - this.lastSharedPruneMs >= PRUNE_EVERY_MS;
    if (prune) this.lastSharedPruneMs = now;
    return this.o.outcomes.pump(prune, (events, inTx) => this.applyCounted(events, inTx));
  }

  /** An outcome counted apart from a trace's finalisation, applied to the metrics (the caller stores its series). */
  private counted(e: OutcomeEvent, now: number): FinalisedTrace {
    const f = finalisedOutcome({ atMs: now, labels: e.labels, costUsd: e.costUsd, traceId: e.traceId, outcomeKey: e.outcomeKey });
    this.o.metrics.apply(f.observations, now);
    return f;
  }

  private finalised(batch: readonly FinalisedTrace[]): void {
    if (batch.length && this.o.onFinalised) {
      // Committed already: an output's failure is its own, never the store's.
      try {
        this.o.onFinalised(batch);
      } catch (err) {
        diag.error('tokenledger collector: an onFinalised hook failed', err);
      }
    }
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
      // With a shared store, each check also pumps to it; a failure there is retried on the next.
      if (this.o.outcomes.isShared && this.o.health.writable) {
        this.pump().catch((err: unknown) => diag.warn(`tokenledger collector: the shared store: ${(err as Error).message} (retried)`));
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
