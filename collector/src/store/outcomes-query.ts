// /api/v1/outcomes: roll-up rows grouped by any of tenant, feature, workflow, outcome, route, model.
import type { DatabaseSync } from 'node:sqlite';
import { SUCCESS_TRUE } from '@tokenledger/semconv';

export const GROUP_KEYS = ['tenant', 'feature', 'workflow', 'outcome', 'route', 'model'] as const;
export type GroupKey = (typeof GROUP_KEYS)[number];

export interface OutcomesQuery {
  groupBy: GroupKey[];
  /** Inclusive start and exclusive end, epoch ms; buckets are matched by their start. */
  sinceMs: number;
  untilMs: number;
}

export interface OutcomeRow {
  group: Partial<Record<GroupKey, string>>;
  costUsd: number;
  /** Finalised traces; grouped by route or model, the traces that made a call there. */
  outcomes: number;
  successes: number;
  /** Cost ÷ successful outcomes; null with no success. */
  costPerSuccessUsd: number | null;
  retryCostUsd: number;
  tokens: { input: number; cacheRead: number; cacheWrite: number; output: number };
}

export function queryOutcomes(db: DatabaseSync, q: OutcomesQuery): OutcomeRow[] {
  // Per-call rows only when the grouping needs them: a trace's outcome counts once in outcome_rollup.
  const table = q.groupBy.some((k) => k === 'route' || k === 'model') ? 'call_rollup' : 'outcome_rollup';
  const cols = q.groupBy.join(', ');
  const sql = `SELECT ${cols ? `${cols}, ` : ''}sum(cost_usd) AS cost, sum(outcomes) AS outcomes,
      sum(CASE WHEN success = ? THEN outcomes ELSE 0 END) AS successes, sum(retry_cost_usd) AS retry,
      sum(input_tokens) AS input, sum(cache_read_tokens) AS cache_read, sum(cache_write_tokens) AS cache_write, sum(output_tokens) AS output
    FROM ${table} WHERE bucket_ms >= ? AND bucket_ms < ?${cols ? ` GROUP BY ${cols}` : ''} ORDER BY cost DESC`;
  const rows = db.prepare(sql).all(SUCCESS_TRUE, q.sinceMs, q.untilMs) as Record<string, string | number | null>[];
  return rows
    .filter((r) => r.cost !== null)
    .map((r) => {
      const successes = Number(r.successes);
      const cost = Number(r.cost);
      return {
        group: Object.fromEntries(q.groupBy.map((k) => [k, String(r[k])])),
        costUsd: cost,
        outcomes: Number(r.outcomes),
        successes,
        costPerSuccessUsd: successes > 0 ? cost / successes : null,
        retryCostUsd: Number(r.retry),
        tokens: { input: Number(r.input), cacheRead: Number(r.cache_read), cacheWrite: Number(r.cache_write), output: Number(r.output) },
      };
    });
}
