// Spend per tenant, feature or workflow over a time range, from the roll-up rows (outcome_rows: late spans
// and the traces of open outcome keys included, every cost component, every token type) — in the shared
// store when there is one, so every instance budgets the same spend.
import type { BudgetScope } from '../config/budgets.ts';
import { all, one, type Sql } from '../store/sql.ts';

export interface Spend {
  usd: number;
  tokens: number;
}

const SUMS = 'COALESCE(SUM(cost_usd), 0) AS usd, COALESCE(SUM(input_tokens + cache_read_tokens + cache_write_tokens + output_tokens), 0) AS tokens';

// Scope names are the table's column names (a fixed list, never user input).

/** Spend of one name in [sinceMs, untilMs) (by roll-up bucket start). */
export function* spendOf(scope: BudgetScope, name: string, sinceMs: number, untilMs: number): Sql<Spend> {
  const r = (yield* one<{ usd: number; tokens: number }>(`SELECT ${SUMS} FROM outcome_rows WHERE bucket_ms >= ? AND bucket_ms < ? AND ${scope} = ?`, [sinceMs, untilMs, name]))!;
  return { usd: Number(r.usd), tokens: Number(r.tokens) };
}

/** Spend of every name of `scope` in [sinceMs, untilMs). */
export function* spendByName(scope: BudgetScope, sinceMs: number, untilMs: number): Sql<Map<string, Spend>> {
  const rows = yield* all<{ name: string; usd: number; tokens: number }>(`SELECT ${scope} AS name, ${SUMS} FROM outcome_rows WHERE bucket_ms >= ? AND bucket_ms < ? GROUP BY ${scope}`, [sinceMs, untilMs]);
  return new Map(rows.map((r) => [r.name, { usd: Number(r.usd), tokens: Number(r.tokens) }]));
}

/** Spend of the given `names` of `scope` in [sinceMs, untilMs) (absent: none). */
export function* spendOfNames(scope: BudgetScope, names: readonly string[], sinceMs: number, untilMs: number): Sql<Map<string, Spend>> {
  if (names.length === 0) return new Map();
  const rows = yield* all<{ name: string; usd: number; tokens: number }>(`SELECT ${scope} AS name, ${SUMS} FROM outcome_rows
    WHERE bucket_ms >= ? AND bucket_ms < ? AND ${scope} IN (${names.map(() => '?').join(',')}) GROUP BY ${scope}`, [sinceMs, untilMs, ...names]);
  return new Map(rows.map((r) => [r.name, { usd: Number(r.usd), tokens: Number(r.tokens) }]));
}

/**
 * The `limit` names of `scope` with spend since `monthStartMs` whose month to date + spend since `windowStartMs`
 * × `windowFactor` is highest, with those two sums in USD — ranked in SQL: however many names there are, only
 * `limit` rows come back.
 */
export function* topSpenders(scope: BudgetScope, monthStartMs: number, windowStartMs: number, untilMs: number, windowFactor: number, limit: number):
Sql<{ name: string; mtd: number; trend: number }[]> {
  const mtd = 'COALESCE(SUM(CASE WHEN bucket_ms >= ? THEN cost_usd END), 0)';
  const trend = 'COALESCE(SUM(CASE WHEN bucket_ms >= ? THEN cost_usd END), 0)';
  const rows = yield* all<{ name: string; mtd: number; trend: number }>(`SELECT ${scope} AS name, ${mtd} AS mtd, ${trend} AS trend
    FROM outcome_rows WHERE bucket_ms >= ? AND bucket_ms < ? GROUP BY ${scope}
    HAVING COUNT(CASE WHEN bucket_ms >= ? THEN 1 END) > 0 ORDER BY ${mtd} + ${trend} * ? DESC LIMIT ?`,
  [monthStartMs, windowStartMs, Math.min(monthStartMs, windowStartMs), untilMs, monthStartMs, monthStartMs, windowStartMs, windowFactor, limit]);
  return rows.map((r) => ({ name: r.name, mtd: Number(r.mtd), trend: Number(r.trend) }));
}

/** Start of the oldest roll-up bucket: how far back the store has seen spend. */
export function* firstBucketMs(): Sql<number | undefined> {
  const ms = (yield* one<{ ms: number | null }>('SELECT MIN(bucket_ms) AS ms FROM outcome_rows'))?.ms;
  return ms === null || ms === undefined ? undefined : Number(ms);
}
