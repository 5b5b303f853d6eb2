// Between the finaliser and the shared part of the store (store/shared-store.ts).
//
// Embedded store: everything happens in the finaliser's transaction, as before — a batch's rows, the key sweep,
// and the outcome events it produced, turned into metrics in the same commit: exactly once by construction.
//
// Shared store (PostgreSQL): the finaliser's transaction puts the batch in a local outbox with the spans'
// deletion, so a finalised trace is never lost nor applied twice (the outbox id is an idempotency key in
// PostgreSQL: applied_batches). pump() ships the outbox, sweeps the keys, and claims outcome events for this
// instance: it applies them in a local transaction that records their ids, then acks them — a crash between the
// two is resolved at start by those ids. Any instance may sweep or claim; guarded updates keep it once.
import { randomUUID } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { diag } from '@opentelemetry/api';
import type { Clock } from '../config/types.ts';
import type { CollectorMetrics } from '../metrics/collector-metrics.ts';
import { boundedLabel } from '../model/label-values.ts';
import type { TraceRollup } from '../rollup/types.ts';
import { transaction } from '../store/database.ts';
import type { PgStore } from '../store/pg.ts';
import { keyCounts } from '../store/shared-queries.ts';
import {
  type ApplyCounts, emptyCounts, type OutcomeEvent, type ReportAnswer, type SharedAccess, type SharedSettings, SharedStore, SharedStoreUnavailable,
} from '../store/shared-store.ts';
import { runSync, type Sql } from '../store/sql.ts';

const LOCAL_SCHEMA = `
CREATE TABLE IF NOT EXISTS shared_outbox (id INTEGER PRIMARY KEY, batch TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS applied_events (id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;
const EVENTS_PER_TAKE = 5_000;
const OUTBOX_PER_PUMP = 50;
const GAUGE_EVERY_MS = 5_000;

export interface OutcomeLinkOptions {
  db: DatabaseSync;
  settings: SharedSettings;
  /** Whether the shared part lives in PostgreSQL (attach() connects it); else in the embedded store. */
  shared: boolean;
  metrics: CollectorMetrics;
  clock: Clock;
  /** Whether a trace carrying the key is still open here, besides `except` (a reported key waits for it). */
  openHere: (key: string, except?: ReadonlyMap<string, number>) => boolean;
}

function unreachable(err: unknown): never {
  throw err instanceof SharedStoreUnavailable ? err : new SharedStoreUnavailable((err as Error).message);
}

/** Applies outcome events to the metrics and outputs; `inTransaction` runs inside the local transaction that does. */
export type ApplyEvents = (events: readonly OutcomeEvent[], inTransaction: () => void) => void;

export class OutcomeLink implements SharedAccess {
  readonly shared: SharedStore;
  private instanceId?: string;
  private readonly o: OutcomeLinkOptions;
  private readonly cache = new Map<string, StatementSync>();
  private readonly toOutbox: StatementSync;
  private lastGaugeMs = -Infinity;
  private pumping?: Promise<void>;
  private pgStore?: PgStore;

  constructor(o: OutcomeLinkOptions) {
    this.o = o;
    this.shared = new SharedStore(o.settings);
    o.db.exec(LOCAL_SCHEMA);
    this.toOutbox = o.db.prepare('INSERT INTO shared_outbox (batch) VALUES (?)');
  }

  /** This store's id in the shared store (claims and applied batches), made the first time it is needed. */
  get instance(): string {
    if (this.instanceId !== undefined) return this.instanceId;
    let id = (this.o.db.prepare("SELECT value FROM meta WHERE name = 'instance'").get() as { value: string } | undefined)?.value;
    if (id === undefined) {
      id = randomUUID();
      this.o.db.prepare("INSERT INTO meta (name, value) VALUES ('instance', ?)").run(id);
    }
    return (this.instanceId = id);
  }

  get isShared(): boolean {
    return this.o.shared;
  }

  /** The shared store, once connected (the collector connects it at start, before taking spans). */
  attach(pg: PgStore): void {
    this.pgStore = pg;
  }

  /** The shared store: until it is connected, what needs it waits in the outbox or answers 503. */
  private get pg(): PgStore | undefined {
    if (!this.o.shared) return undefined;
    if (!this.pgStore) throw new SharedStoreUnavailable('the shared store is not connected yet');
    return this.pgStore;
  }

  /** Batches waiting for the shared store. */
  outboxSize(): number {
    return this.o.shared ? Number((this.o.db.prepare('SELECT count(*) AS n FROM shared_outbox').get() as { n: number }).n) : 0;
  }

  /** Runs read-only `gen` where the shared part lives. */
  read<T>(gen: Sql<T>): Promise<T> {
    return new Promise((resolve) => {
      const pg = this.pg;
      resolve(pg ? pg.read(gen).catch(unreachable) : runSync(this.o.db, gen, this.cache));
    });
  }

  /** A report of a key's outcome (POST /api/v1/outcomes), durable when it resolves; counted by the next sweep. */
  async report(key: string, outcome: string, success: string, outcomeMs: number): Promise<ReportAnswer> {
    const now = this.o.clock.now();
    // The key as the spans' copy of it is stored: strings bounded alike, so a long key still meets its traces.
    const gen = this.shared.report(boundedLabel(key.replaceAll('\u0000', '\ufffd')), outcome, success, outcomeMs, now);
    const pg = this.pg;
    const answer = pg ? await pg.tx(gen).catch(unreachable) : transaction(this.o.db, () => runSync(this.o.db, gen, this.cache));
    this.o.metrics.outcomeReports.inc([answer.result]);
    return answer;
  }

  /** Embedded store: whether a key needs the sweep now (the finaliser then commits even without due traces). */
  due(nowMs: number): boolean {
    return !this.o.shared && runSync(this.o.db, this.shared.hasDue(nowMs), this.cache);
  }

  /**
   * Inside the finaliser's transaction. Embedded store: the batch's rows, the sweep, pruning; returns the outcome
   * events to count in this same transaction. Shared store: the batch goes to the outbox (pump() ships it).
   */
  commit(rollups: readonly TraceRollup[], nowMs: number, prune: boolean, finalising?: ReadonlyMap<string, number>): OutcomeEvent[] {
    const { db } = this.o;
    if (this.o.shared) {
      if (rollups.length) this.toOutbox.run(JSON.stringify(rollups));
      return [];
    }
    const counts = emptyCounts();
    if (rollups.length) runSync(db, this.shared.apply(rollups, nowMs, counts), this.cache);
    runSync(db, this.shared.sweep(nowMs, (key) => this.o.openHere(key, finalising)), this.cache);
    const trimmed = prune ? runSync(db, this.shared.prune(nowMs), this.cache) : 0;
    this.count(counts, trimmed);
    if (nowMs - this.lastGaugeMs >= GAUGE_EVERY_MS) {
      this.lastGaugeMs = nowMs;
      this.setKeyGauge(runSync(db, keyCounts(), this.cache));
    }
    return runSync(db, this.shared.takeEvents(EVENTS_PER_TAKE), this.cache);
  }

  /** Shared store, at start: events this instance claimed before a crash are applied (unless they were) and acked. */
  async recover(apply: ApplyEvents): Promise<void> {
    const pg = this.pg;
    if (!pg) return;
    const claimed = await pg.read(this.shared.claimedBy(this.instance));
    if (claimed.length === 0) return;
    const applied = new Set((this.o.db.prepare('SELECT id FROM applied_events').all() as { id: number }[]).map((r) => r.id));
    const todo = claimed.filter((e) => !applied.has(e.id));
    await this.applyAndAck(todo, claimed.map((e) => e.id), apply);
  }

  /** Shared store: ships the outbox, sweeps the keys, prunes, and counts this instance's claim of events. One at a time. */
  pump(prune: boolean, apply: ApplyEvents): Promise<void> {
    this.pumping ??= this.pumpOnce(prune, apply).finally(() => {
      this.pumping = undefined;
    });
    return this.pumping;
  }

  private async pumpOnce(prune: boolean, apply: ApplyEvents): Promise<void> {
    const pg = this.pg!;
    const { db, clock } = this.o;
    // Events claimed by a pump that failed half way (or before a crash).
    await this.recover(apply);
    const batches = db.prepare(`SELECT id, batch FROM shared_outbox ORDER BY id LIMIT ${OUTBOX_PER_PUMP}`).all() as { id: number; batch: string }[];
    for (const b of batches) {
      const counts = emptyCounts();
      const shared = this.shared;
      const instance = this.instance;
      const now = clock.now();
      await pg.tx((function* () {
        if (yield* shared.firstApplication(instance, b.id, now)) yield* shared.apply(JSON.parse(b.batch) as TraceRollup[], now, counts);
      })());
      db.prepare('DELETE FROM shared_outbox WHERE id = ?').run(b.id);
      this.count(counts, 0);
    }
    const now = clock.now();
    if (await pg.read(this.shared.hasDue(now))) await pg.tx(this.shared.sweep(now, (key) => this.o.openHere(key)));
    if (prune) this.count(emptyCounts(), await pg.tx(this.shared.prune(now)));
    if (now - this.lastGaugeMs >= GAUGE_EVERY_MS) {
      this.lastGaugeMs = now;
      this.setKeyGauge(await pg.read(keyCounts()));
    }
    for (;;) {
      const events = await pg.tx(this.shared.claimEvents(this.instance, EVENTS_PER_TAKE));
      if (events.length === 0) break;
      await this.applyAndAck(events, events.map((e) => e.id), apply);
    }
  }

  private async applyAndAck(events: readonly OutcomeEvent[], ack: readonly number[], apply: ApplyEvents): Promise<void> {
    const { db } = this.o;
    const mark = db.prepare('INSERT OR IGNORE INTO applied_events (id) VALUES (?)');
    if (events.length) apply(events, () => {
      for (const e of events) mark.run(e.id);
    });
    await this.pg!.tx(this.shared.ackEvents(ack));
    const forget = db.prepare('DELETE FROM applied_events WHERE id = ?');
    transaction(db, () => {
      for (const id of ack) forget.run(id);
    });
  }

  /** Disconnects the shared store (at shutdown, after the last pump). */
  async close(): Promise<void> {
    await this.pgStore?.close();
  }

  private count(counts: ApplyCounts, trimmed: number): void {
    const m = this.o.metrics;
    for (const [result, n] of Object.entries(counts.reports)) m.outcomeReports.inc([result], n);
    for (const [reason, n] of Object.entries(counts.unkeyed)) m.unkeyedTraces.inc([reason], n);
    m.traceIndexTrimmed.inc([], trimmed);
    if (counts.unkeyed.index_full > 0) {
      diag.warn(`tokenledger collector: the outcome key index is full (TOKENLEDGER_OUTCOME_MAX_KEYS=${this.o.settings.maxKeys}); ${counts.unkeyed.index_full} trace(s) with a new key were counted on their own`);
    }
  }

  private setKeyGauge(counts: Record<string, number>): void {
    for (const [state, n] of Object.entries(counts)) this.o.metrics.outcomeKeys.set([state], n);
  }
}
