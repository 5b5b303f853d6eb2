// The durable CloudWatch outbox: a table in the collector's SQLite store. Observations are summed
// into rows per interval, metric, dimensions (and value, for distributions) before anything is sent;
// rows are claimed before a send (so later additions go to new rows) and deleted once acknowledged.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { transaction } from '../store/database.ts';
import type { CloudWatchObservation, StandardUnit } from './types.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS cloudwatch_outbox (
  id INTEGER PRIMARY KEY,
  ts_ms INTEGER NOT NULL, metric TEXT NOT NULL, unit TEXT NOT NULL, dims TEXT NOT NULL, kind TEXT NOT NULL,
  vkey REAL NOT NULL, value REAL NOT NULL, count REAL NOT NULL,
  claimed INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS cloudwatch_outbox_open ON cloudwatch_outbox (ts_ms, metric, dims, vkey) WHERE claimed = 0;
`;

/** One stored row: a summed value, or one distinct value of a distribution with its count. */
export interface OutboxRow {
  id: number;
  tsMs: number;
  metric: string;
  unit: StandardUnit;
  dims: [string, string][];
  kind: CloudWatchObservation['kind'];
  value: number;
  count: number;
}

export class Outbox {
  private readonly db: DatabaseSync;
  private readonly upsert: StatementSync;
  private readonly claim: StatementSync;
  private readonly selectClaimed: StatementSync;
  private readonly remove: StatementSync;
  private readonly countRows: StatementSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec(SCHEMA);
    this.upsert = db.prepare(`INSERT INTO cloudwatch_outbox (ts_ms, metric, unit, dims, kind, vkey, value, count) VALUES (?,?,?,?,?,?,?,?)
      ON CONFLICT (ts_ms, metric, dims, vkey) WHERE claimed = 0
      DO UPDATE SET value = CASE WHEN kind = 'sum' THEN value + excluded.value ELSE value END, count = count + excluded.count`);
    this.claim = db.prepare('UPDATE cloudwatch_outbox SET claimed = 1 WHERE claimed = 0 AND ts_ms < ?');
    this.selectClaimed = db.prepare('SELECT id, ts_ms, metric, unit, dims, kind, value, count FROM cloudwatch_outbox WHERE claimed = 1 ORDER BY ts_ms, metric, dims, id LIMIT ?');
    this.remove = db.prepare('DELETE FROM cloudwatch_outbox WHERE id = ?');
    this.countRows = db.prepare('SELECT count(*) AS n FROM cloudwatch_outbox');
  }

  /** Adds observations stamped `tsMs` (an interval start): in the caller's transaction if there is one, else in its own. */
  add(tsMs: number, obs: readonly CloudWatchObservation[]): void {
    if (obs.length === 0) return;
    const write = () => {
      for (const o of obs) {
        this.upsert.run(tsMs, o.metric, o.unit, o.dimsJson, o.kind, o.kind === 'dist' ? o.value : 0, o.value, o.count);
      }
    };
    if (this.db.isTransaction) write();
    else transaction(this.db, write);
  }

  /**
   * Claims the rows of intervals that started before `beforeMs` and returns up to `limit` claimed rows (older
   * claims included, oldest first), grouped by datum so that a round splits no distribution but its last.
   */
  claimed(beforeMs: number, limit: number): OutboxRow[] {
    this.claim.run(beforeMs);
    const rows = this.selectClaimed.all(limit) as { id: number; ts_ms: number; metric: string; unit: string; dims: string; kind: string; value: number; count: number }[];
    return rows.map((r) => ({
      id: r.id, tsMs: r.ts_ms, metric: r.metric, unit: r.unit as StandardUnit, dims: JSON.parse(r.dims),
      kind: r.kind as CloudWatchObservation['kind'], value: r.value, count: r.count,
    }));
  }

  /** Forgets rows: acknowledged by CloudWatch, or dropped as invalid. */
  delete(ids: readonly number[]): void {
    transaction(this.db, () => {
      for (const id of ids) this.remove.run(id);
    });
  }

  size(): number {
    return (this.countRows.get() as { n: number }).n;
  }
}
