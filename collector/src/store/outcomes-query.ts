// /api/v1/outcomes: roll-up rows grouped by any of tenant, feature, workflow, outcome, route, model.
import { SUCCESS_TRUE } from '@tokenledger/semconv';
import { ALL } from './shared-store.ts';
import { all, type Sql, type SqlValue } from './sql.ts';

export const GROUP_KEYS = ['tenant', 'feature', 'workflow', 'outcome', 'success', 'route', 'model'] as const;
export type GroupKey = (typeof GROUP_KEYS)[number];
/** Label filters of /api/v1/outcomes (exact values). */
export const FILTER_KEYS = ['tenant', 'feature', 'workflow', 'outcome'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export interface OutcomesQuery {
  groupBy: GroupKey[];
  /** Inclusive start and exclusive end, epoch ms; buckets are matched by their start. */
  sinceMs: number;
  untilMs: number;
  where?: Partial<Record<FilterKey, string>>;
}

export interface OutcomeRow {
  group: Partial<Record<GroupKey, string>>;
  costUsd: number;
  /** Outcomes counted: finalised traces, and outcome keys once counted; grouped by route or model, those that made a call there (each once). */
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

/**
 * Reads the rows of outcome_rows/call_rows (store/shared-schema.ts): the cost of traces whose outcome key is still
 * open shows under the key's outcome, `pending` until it is reported.
 */
export function* queryOutcomes(q: OutcomesQuery): Sql<OutcomeRow[]> {
  // A trace counts once per group: outcome rows without route/model, else the call rows of that exact
  // grouping (per route and model, per route alone or per model alone).
  const byRoute = q.groupBy.includes('route');
  const byModel = q.groupBy.includes('model');
  const table = byRoute || byModel ? 'call_rows' : 'outcome_rows';
  const callFilter = byRoute || byModel ? ` AND route ${byRoute ? '!=' : '='} ? AND model ${byModel ? '!=' : '='} ?` : '';
  const filters = FILTER_KEYS.filter((k) => q.where?.[k] !== undefined);
  const where = filters.map((k) => ` AND ${k} = ?`).join('');
  const cols = q.groupBy.join(', ');
  const sql = `SELECT ${cols ? `${cols}, ` : ''}sum(cost_usd) AS cost, sum(outcomes) AS outcomes,
      sum(CASE WHEN success = ? THEN outcomes ELSE 0 END) AS successes, sum(retry_cost_usd) AS retry,
      sum(input_tokens) AS input, sum(cache_read_tokens) AS cache_read, sum(cache_write_tokens) AS cache_write, sum(output_tokens) AS output,
      sum(unpriced_calls) AS unpriced, sum(unknown_usage_calls) AS unknown_usage, sum(cost_excluding_cache_usd) AS excluding_cache
    FROM ${table} WHERE bucket_ms >= ? AND bucket_ms < ?${callFilter}${where}${cols ? ` GROUP BY ${cols}` : ''} ORDER BY cost DESC`;
  const params: SqlValue[] = [SUCCESS_TRUE, q.sinceMs, Math.min(q.untilMs, Number.MAX_SAFE_INTEGER)];
  if (callFilter) params.push(ALL, ALL);
  for (const k of filters) params.push(q.where![k]!);
  const rows = yield* all<Record<string, string | number | null>>(sql, params);
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
