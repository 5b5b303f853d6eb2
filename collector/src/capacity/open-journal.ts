// The open intervals' observations (requests served, utilisation samples) in the collector's store, written
// before the receiver acknowledges them: a restarted collector replays them, so a crash does not turn the
// interval it interrupted into idle capacity. Rows of settled intervals are dropped with the checkpoint.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { transaction } from '../store/database.ts';
import type { JournalEntry, Observation } from './types.ts';

const SCHEMA = `CREATE TABLE IF NOT EXISTS capacity_open (
  id INTEGER PRIMARY KEY,
  slot_ms INTEGER NOT NULL,
  observation TEXT NOT NULL
);`;

export class OpenIntervalJournal {
  private readonly db: DatabaseSync;
  private readonly insert: StatementSync;
  private readonly all: StatementSync;
  private readonly drop: StatementSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec(SCHEMA);
    this.insert = db.prepare('INSERT INTO capacity_open (slot_ms, observation) VALUES (?, ?)');
    this.all = db.prepare('SELECT observation FROM capacity_open ORDER BY id');
    this.drop = db.prepare('DELETE FROM capacity_open WHERE slot_ms < ?');
  }

  append(entries: readonly JournalEntry[]): void {
    if (entries.length === 0) return;
    transaction(this.db, () => {
      for (const e of entries) this.insert.run(e.slotMs, JSON.stringify(e.observation));
    });
  }

  /** Every stored observation, in arrival order. */
  load(): Observation[] {
    return (this.all.all() as { observation: string }[]).map((r) => JSON.parse(r.observation) as Observation);
  }

  /** Forgets the intervals before `settledToMs`; call it in the checkpoint's transaction. */
  dropSettled(settledToMs: number): void {
    this.drop.run(settledToMs);
  }
}
