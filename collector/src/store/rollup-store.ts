// What stays in each instance's own store of finalised traces: the record late spans look up, and the metric
// series the registry is seeded from after a restart. (Roll-up rows are the shared part: shared-store.ts.)
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { DirtySeries, SeriesState } from '../metrics/registry.ts';
import type { TraceLabels, TraceRollup } from '../rollup/types.ts';

export interface StoredSeries {
  metric: string;
  key: string;
  labels: [string, string][];
  state: SeriesState;
}

export class RollupStore {
  private readonly finalisedRows: StatementSync;
  private readonly seriesRow: StatementSync;
  private readonly seriesDelete: StatementSync;
  private readonly prune: StatementSync;
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    // One statement for a batch: [[traceId, atMs, labels], …] (the labels stored as their JSON text).
    this.finalisedRows = db.prepare('INSERT OR IGNORE INTO finalised (trace_id, finalised_ms, labels) SELECT value->>0, value->>1, value->>2 FROM json_each(?)');
    this.seriesRow = db.prepare('INSERT OR REPLACE INTO metric_state (metric, series_key, labels, state) VALUES (?, ?, ?, ?)');
    this.seriesDelete = db.prepare('DELETE FROM metric_state WHERE metric = ? AND series_key = ?');
    this.prune = db.prepare('DELETE FROM finalised WHERE finalised_ms < ?');
  }

  /** Inside a transaction: the finalised traces of a batch (late spans look their labels and outcome key up here). */
  write(rollups: readonly TraceRollup[]): void {
    const finalised: [string, number, TraceLabels][] = [];
    for (const r of rollups) if (!r.late) finalised.push([r.traceId, r.atMs, r.labels]);
    if (finalised.length > 0) this.finalisedRows.run(JSON.stringify(finalised));
  }

  /** Inside a transaction: the current state of changed metric series (and the deletion of healed ones). */
  writeSeries(dirty: DirtySeries[]): void {
    for (const d of dirty) {
      if (d.state) this.seriesRow.run(d.metric, d.key, JSON.stringify(d.labels), JSON.stringify(d.state));
      else this.seriesDelete.run(d.metric, d.key);
    }
  }

  /** Forgets finalised traces older than `beforeMs`: spans of theirs arriving later start a new trace. */
  forgetFinalised(beforeMs: number): void {
    this.prune.run(beforeMs);
  }

  series(): StoredSeries[] {
    const rows = this.db.prepare('SELECT metric, series_key, labels, state FROM metric_state').all() as { metric: string; series_key: string; labels: string; state: string }[];
    return rows.map((r) => ({ metric: r.metric, key: r.series_key, labels: JSON.parse(r.labels), state: JSON.parse(r.state) }));
  }
}
