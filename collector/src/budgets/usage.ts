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
  private readonly first: StatementSync;

  constructor(db: DatabaseSync) {
    // Scope names are the table's column names (fixed list, never user input).
    const stmt = (scope: BudgetScope, grouped: boolean) => db.prepare(grouped
      ? `SELECT ${scope} AS name, ${SUMS} FROM outcome_rollup WHERE bucket_ms >= ? AND bucket_ms < ? GROUP BY ${scope}`
      : `SELECT ${SUMS} FROM outcome_rollup WHERE bucket_ms >= ? AND bucket_ms < ? AND ${scope} = ?`);
    this.one = { tenant: stmt('tenant', false), feature: stmt('feature', false), workflow: stmt('workflow', false) };
    this.all = { tenant: stmt('tenant', true), feature: stmt('feature', true), workflow: stmt('workflow', true) };
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

  /** Start of the oldest roll-up bucket: how far back this collector has seen spend. */
  firstBucketMs(): number | undefined {
    return (this.first.get() as { ms: number | null }).ms ?? undefined;
  }
}
