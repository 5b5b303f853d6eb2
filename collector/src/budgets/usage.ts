// Spend per tenant, feature or workflow over a time range, from the collector's roll-up rows
// (outcome_rollup: late spans included, every cost component, every token type).
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { BudgetScope } from '../config/budgets.ts';

export interface Spend {
  usd: number;
  tokens: number;
}

const SUMS = 'COALESCE(SUM(cost_usd), 0) AS usd, COALESCE(SUM(input_tokens + cache_read_tokens + cache_write_tokens + output_tokens), 0) AS tokens';

export class UsageQuery {
  private readonly one: Record<BudgetScope, StatementSync>;
  private readonly all: Record<BudgetScope, StatementSync>;
  private readonly of: Record<BudgetScope, StatementSync>;
  private readonly top: Record<BudgetScope, StatementSync>;
  private readonly first: StatementSync;

  constructor(db: DatabaseSync) {
    // Scope names are the table's column names (fixed list, never user input).
    const stmt = (scope: BudgetScope, grouped: boolean) => db.prepare(grouped
      ? `SELECT ${scope} AS name, ${SUMS} FROM outcome_rollup WHERE bucket_ms >= ? AND bucket_ms < ? GROUP BY ${scope}`
      : `SELECT ${SUMS} FROM outcome_rollup WHERE bucket_ms >= ? AND bucket_ms < ? AND ${scope} = ?`);
    this.one = { tenant: stmt('tenant', false), feature: stmt('feature', false), workflow: stmt('workflow', false) };
    this.all = { tenant: stmt('tenant', true), feature: stmt('feature', true), workflow: stmt('workflow', true) };
    const of = (scope: BudgetScope) =>
      db.prepare(`SELECT ${scope} AS name, ${SUMS} FROM outcome_rollup WHERE bucket_ms >= ? AND bucket_ms < ? AND ${scope} IN (SELECT value FROM json_each(?)) GROUP BY ${scope}`);
    this.of = { tenant: of('tenant'), feature: of('feature'), workflow: of('workflow') };
    // Names with spend this month (?1 = month start), ranked by month to date + window spend (from ?2) × ?4, in SQL:
    // however many names there are, only `limit` rows reach JavaScript.
    const top = (scope: BudgetScope) =>
      db.prepare(`SELECT ${scope} AS name, COALESCE(SUM(CASE WHEN bucket_ms >= ?1 THEN cost_usd END), 0) AS mtd,
          COALESCE(SUM(CASE WHEN bucket_ms >= ?2 THEN cost_usd END), 0) AS trend
        FROM outcome_rollup WHERE bucket_ms >= MIN(?1, ?2) AND bucket_ms < ?3 GROUP BY ${scope}
        HAVING COUNT(CASE WHEN bucket_ms >= ?1 THEN 1 END) > 0 ORDER BY mtd + trend * ?4 DESC LIMIT ?5`);
    this.top = { tenant: top('tenant'), feature: top('feature'), workflow: top('workflow') };
    this.first = db.prepare('SELECT MIN(bucket_ms) AS ms FROM outcome_rollup');
  }

  /** Spend of one name in [sinceMs, untilMs) (by roll-up bucket start). */
  spend(scope: BudgetScope, name: string, sinceMs: number, untilMs: number): Spend {
    const r = this.one[scope].get(sinceMs, untilMs, name) as { usd: number; tokens: number };
    return { usd: r.usd, tokens: r.tokens };
  }

  /** Spend of every name of `scope` in [sinceMs, untilMs). */
  spendByName(scope: BudgetScope, sinceMs: number, untilMs: number): Map<string, Spend> {
    const rows = this.all[scope].all(sinceMs, untilMs) as { name: string; usd: number; tokens: number }[];
    return new Map(rows.map((r) => [r.name, { usd: r.usd, tokens: r.tokens }]));
  }

  /** Spend of the named `names` of `scope` in [sinceMs, untilMs) (absent: none). */
  spendOf(scope: BudgetScope, names: readonly string[], sinceMs: number, untilMs: number): Map<string, Spend> {
    const rows = this.of[scope].all(sinceMs, untilMs, JSON.stringify(names)) as { name: string; usd: number; tokens: number }[];
    return new Map(rows.map((r) => [r.name, { usd: r.usd, tokens: r.tokens }]));
  }

  /**
   * The `limit` names of `scope` with spend since `monthStartMs` whose month to date + spend since `windowStartMs`
   * × `windowFactor` is highest, with those two sums in USD.
   */
  topSpenders(scope: BudgetScope, monthStartMs: number, windowStartMs: number, untilMs: number, windowFactor: number, limit: number): { name: string; mtd: number; trend: number }[] {
    return this.top[scope].all(monthStartMs, windowStartMs, untilMs, windowFactor, limit) as { name: string; mtd: number; trend: number }[];
  }

  /** Start of the oldest roll-up bucket: how far back this collector has seen spend. */
  firstBucketMs(): number | undefined {
    return (this.first.get() as { ms: number | null }).ms ?? undefined;
  }
}
