// Finalised traces: roll-up rows per time bucket, the finalised-trace record late spans look up, and
// the metric series the registry is seeded from after a restart.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { DirtySeries, SeriesState } from '../metrics/registry.ts';
import type { TraceLabels, TraceRollup } from '../rollup/types.ts';

const SUMMED = ['outcomes', 'cost_usd', 'retry_cost_usd', 'input_tokens', 'cache_read_tokens', 'cache_write_tokens', 'output_tokens', 'unpriced_calls', 'unknown_usage_calls', 'cost_excluding_cache_usd'];
const SUMS = SUMMED.map((c) => `${c} = ${c} + excluded.${c}`).join(', ');
/** [unpriced calls, of unknown usage, cost excluding cache effects] */
type Gaps = [number, number, number];

/** Route or model value of call_rollup rows that sum over all of them (real labels are never empty). */
export const ALL = '';

interface Row {
  labels: (string | number)[];
  outcomes: number;
  cost: number;
  retry: number;
  tokens: number[];
  gaps: Gaps;
}

function addRow(rows: Map<string, Row>, labels: (string | number)[], outcomes: number, cost: number, retry: number, tokens: readonly number[], gaps: Readonly<Gaps>): void {
  const key = labels.join('\u0000');
  const row = rows.get(key);
  if (!row) {
    rows.set(key, { labels, outcomes, cost, retry, tokens: [...tokens], gaps: [...gaps] });
    return;
  }
  row.outcomes += outcomes;
  row.cost += cost;
  row.retry += retry;
  for (let i = 0; i < tokens.length; i++) row.tokens[i]! += tokens[i]!;
  for (let i = 0; i < 3; i++) row.gaps[i]! += gaps[i]!;
}

export interface StoredSeries {
  metric: string;
  key: string;
  labels: [string, string][];
  state: SeriesState;
}

export class RollupStore {
  private readonly outcomeRow: StatementSync;
  private readonly callRow: StatementSync;
  private readonly finalisedRows: StatementSync;
  private readonly seriesRow: StatementSync;
  private readonly seriesDelete: StatementSync;
  private readonly prune: StatementSync;
  private readonly db: DatabaseSync;
  private readonly bucketMs: number;

  constructor(db: DatabaseSync, bucketMs: number) {
    this.db = db;
    this.bucketMs = bucketMs;
    const labels = 'bucket_ms, tenant, feature, workflow, outcome, success';
    const marks = (n: number) => Array(n).fill('?').join(',');
    this.outcomeRow = db.prepare(`INSERT INTO outcome_rollup (${labels}, ${SUMMED.join(', ')}) VALUES (${marks(6 + SUMMED.length)})
      ON CONFLICT (${labels}) DO UPDATE SET ${SUMS}`);
    this.callRow = db.prepare(`INSERT INTO call_rollup (${labels}, route, model, ${SUMMED.join(', ')}) VALUES (${marks(8 + SUMMED.length)})
      ON CONFLICT (${labels}, route, model) DO UPDATE SET ${SUMS}`);
    // One statement for a batch: [[traceId, atMs, labels], …] (the labels stored as their JSON text).
    this.finalisedRows = db.prepare('INSERT OR IGNORE INTO finalised (trace_id, finalised_ms, labels) SELECT value->>0, value->>1, value->>2 FROM json_each(?)');
    this.seriesRow = db.prepare('INSERT OR REPLACE INTO metric_state (metric, series_key, labels, state) VALUES (?, ?, ?, ?)');
    this.seriesDelete = db.prepare('DELETE FROM metric_state WHERE metric = ? AND series_key = ?');
    this.prune = db.prepare('DELETE FROM finalised WHERE finalised_ms < ?');
  }

  /** Inside a transaction: the rows of a batch of finalised traces (or of their late spans), summed per bucket and labels first. */
  write(rollups: readonly TraceRollup[]): void {
    const outcomeRows = new Map<string, Row>();
    const callRows = new Map<string, Row>();
    const finalised: [string, number, TraceLabels][] = [];
    for (const r of rollups) {
      const bucket = Math.floor(r.atMs / this.bucketMs) * this.bucketMs;
      const { tenant, feature, workflow, outcome, success } = r.labels;
      const outcomes = r.late ? 0 : 1;
      const labels = [bucket, tenant, feature, workflow, outcome, success];
      const total: Gaps = [0, 0, 0];
      for (const c of r.calls) {
        total[0] += c.unpriced;
        total[1] += c.unknownUsage;
        total[2] += c.excludingCacheUsd;
      }
      addRow(outcomeRows, labels, outcomes, r.totalUsd, r.retryUsd, r.tokens, total);
      // Per route and model, and (ALL for the other) per route alone and per model alone, so that a
      // trace counts once in each group whatever the grouping.
      const groups = new Map<string, Row>();
      for (const c of r.calls) {
        for (const [route, model] of [[c.route, c.model], [c.route, ALL], [ALL, c.model]]) {
          addRow(groups, [...labels, route!, model!], 0, c.totalUsd, c.retryUsd, c.tokens, [c.unpriced, c.unknownUsage, c.excludingCacheUsd]);
        }
      }
      for (const row of groups.values()) addRow(callRows, row.labels, outcomes, row.cost, row.retry, row.tokens, row.gaps);
      if (!r.late) finalised.push([r.traceId, r.atMs, r.labels]);
    }
    if (finalised.length > 0) this.finalisedRows.run(JSON.stringify(finalised));
    for (const row of outcomeRows.values()) this.outcomeRow.run(...row.labels, row.outcomes, row.cost, row.retry, ...row.tokens, ...row.gaps);
    for (const row of callRows.values()) this.callRow.run(...row.labels, row.outcomes, row.cost, row.retry, ...row.tokens, ...row.gaps);
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
