// Where settling has got to, in the collector's store: with the capacity counters (persisted series
// written in the same transaction) it lets a restarted collector carry on from its last settled interval
// instead of from zero. The open intervals' requests and samples are in open-journal.ts.
import type { DatabaseSync, StatementSync } from 'node:sqlite';

const SCHEMA = 'CREATE TABLE IF NOT EXISTS capacity_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;';
const SETTLED_TO = 'settled_to_ms';

export class CapacityCheckpoint {
  private readonly read: StatementSync;
  private readonly write: StatementSync;

  constructor(db: DatabaseSync) {
    db.exec(SCHEMA);
    this.read = db.prepare('SELECT value FROM capacity_state WHERE key = ?');
    this.write = db.prepare('INSERT OR REPLACE INTO capacity_state (key, value) VALUES (?, ?)');
  }

  /** Start of the first interval not yet settled, as last saved. */
  settledTo(): number | undefined {
    const row = this.read.get(SETTLED_TO) as { value: number } | undefined;
    return row?.value;
  }

  save(settledToMs: number): void {
    this.write.run(SETTLED_TO, settledToMs);
  }
}
