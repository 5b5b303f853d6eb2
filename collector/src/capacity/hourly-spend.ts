// The capacity ledger's hourly on-demand spend per instance, in the collector's store: each settled interval's
// capacity cost is added to its hour in the settling's transaction. Savings Plans are computed from it.
import type { DatabaseSync, StatementSync } from 'node:sqlite';

const SCHEMA = `CREATE TABLE IF NOT EXISTS capacity_hourly (
  hour_ms INTEGER NOT NULL, instance_type TEXT NOT NULL, instance_id TEXT NOT NULL, usd REAL NOT NULL,
  PRIMARY KEY (hour_ms, instance_type, instance_id)
) WITHOUT ROWID;`;

export const HOUR_MS = 3_600_000;

/** An instance's on-demand capacity cost in one hour. */
export interface HourlySpend {
  hourMs: number;
  instanceType: string;
  instanceId: string;
  usd: number;
}

export class HourlySpendLedger {
  private readonly add: StatementSync;
  private readonly range: StatementSync;
  private readonly first: StatementSync;

  constructor(db: DatabaseSync) {
    db.exec(SCHEMA);
    this.add = db.prepare(`INSERT INTO capacity_hourly (hour_ms, instance_type, instance_id, usd) VALUES (?, ?, ?, ?)
      ON CONFLICT (hour_ms, instance_type, instance_id) DO UPDATE SET usd = usd + excluded.usd`);
    this.first = db.prepare('SELECT MIN(hour_ms) AS ms FROM capacity_hourly');
    this.range = db.prepare('SELECT hour_ms, instance_type, instance_id, usd FROM capacity_hourly WHERE hour_ms >= ? AND hour_ms < ? ORDER BY hour_ms');
  }

  /** Adds spend; call it in the settling's transaction. */
  record(rows: readonly HourlySpend[]): void {
    for (const r of rows) this.add.run(r.hourMs, r.instanceType, r.instanceId, r.usd);
  }

  /** The first hour with spend, if any. */
  firstHourMs(): number | undefined {
    return (this.first.get() as { ms: number | null }).ms ?? undefined;
  }

  /** Rows of the hours in [fromMs, toMs). */
  hours(fromMs: number, toMs: number): HourlySpend[] {
    return (this.range.all(fromMs, toMs) as { hour_ms: number; instance_type: string; instance_id: string; usd: number }[]).map((r) => ({
      hourMs: r.hour_ms, instanceType: r.instance_type, instanceId: r.instance_id, usd: r.usd,
    }));
  }
}
