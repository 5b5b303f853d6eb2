// /api/v1/outcomes: roll-up rows grouped by any of tenant, feature, workflow, outcome, route, model.
import type { DatabaseSync } from 'node:sqlite';
import { SUCCESS_TRUE } from '@tokenledger/semconv';
import { ALL } from './rollup-store.ts';

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
  /** Finalised traces; grouped by route or model, the traces that made a call there (each once). */
  outcomes: number;
  successes: number;
  /** Cost ÷ successful outcomes; null with no success. */
  costPerSuccessUsd: number | null;
  retryCostUsd: number;
  tokens: { input: number; cacheRead: number; cacheWrite: number; output: number };
  /** Calls with no price (never counted as $0), of which `unknownUsageCalls` reported no usage at all. */
  unpricedCalls: number;
  unknownUsageCalls: number;
  /** Part of costUsd priced without cache effects: its spans cannot carry cache counts (see the producer table). */
  costExcludingCacheUsd: number;
}

export function queryOutcomes(db: DatabaseSync, q: OutcomesQuery): OutcomeRow[] {
  // A trace counts once per group: outcome_rollup without route/model, else the call_rollup rows of
  // that exact grouping (per route and model, per route alone or per model alone).
  const byRoute = q.groupBy.includes('route');
  const byModel = q.groupBy.includes('model');
  const table = byRoute || byModel ? 'call_rollup' : 'outcome_rollup';
  const callFilter = byRoute || byModel ? ` AND route ${byRoute ? '!=' : '='} ? AND model ${byModel ? '!=' : '='} ?` : '';
  const cols = q.groupBy.join(', ');
  const sql = `SELECT ${cols ? `${cols}, ` : ''}sum(cost_usd) AS cost, sum(outcomes) AS outcomes,
      sum(CASE WHEN success = ? THEN outcomes ELSE 0 END) AS successes, sum(retry_cost_usd) AS retry,
      sum(input_tokens) AS input, sum(cache_read_tokens) AS cache_read, sum(cache_write_tokens) AS cache_write, sum(output_tokens) AS output,
      sum(unpriced_calls) AS unpriced, sum(unknown_usage_calls) AS unknown_usage, sum(cost_excluding_cache_usd) AS excluding_cache
    FROM ${table} WHERE bucket_ms >= ? AND bucket_ms < ?${callFilter}${cols ? ` GROUP BY ${cols}` : ''} ORDER BY cost DESC`;
  const params = callFilter ? [SUCCESS_TRUE, q.sinceMs, q.untilMs, ALL, ALL] : [SUCCESS_TRUE, q.sinceMs, q.untilMs];
  const rows = db.prepare(sql).all(...params) as Record<string, string | number | null>[];
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
        unpricedCalls: Number(r.unpriced),
        unknownUsageCalls: Number(r.unknown_usage),
        costExcludingCacheUsd: Number(r.excluding_cache),
      };
    });
}
