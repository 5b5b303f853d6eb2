// TOKENLEDGER_BUDGETS_FILE and the forecast settings (collector/src/budgets).
import { readFileSync } from 'node:fs';
import { ConfigError, type Env, positive, text } from './parse.ts';

/** One monthly budget from TOKENLEDGER_BUDGETS_FILE: USD or tokens, for a tenant, feature or workflow. */
export interface Budget {
  scope: BudgetScope;
  name: string;
  /** Monthly budget in USD (file field `monthly_usd`). */
  monthlyUsd?: number;
  /** Monthly budget in tokens, every type counted (file field `monthly_tokens`). */
  monthlyTokens?: number;
}

export type BudgetScope = 'tenant' | 'feature' | 'workflow';

/** Budgets and forecasts, read at start. */
export interface BudgetsConfig {
  /** Env TOKENLEDGER_BUDGETS_FILE, default unset (no budgets; forecasts still served). */
  budgets: Budget[];
  /** Trailing window of the forecast's daily rate, in days. Env TOKENLEDGER_FORECAST_WINDOW_DAYS, default 7. */
  forecastWindowDays: number;
  /** How often budget and forecast gauges are recomputed, in ms. Env TOKENLEDGER_BUDGETS_REFRESH_MS, default 15000. */
  refreshMs: number;
}

export const BUDGET_SCOPES: readonly BudgetScope[] = ['tenant', 'feature', 'workflow'];
const FILE = 'TOKENLEDGER_BUDGETS_FILE';

export function budgetsConfigFromEnv(env: Env = process.env): BudgetsConfig {
  const file = text(env, FILE);
  return {
    budgets: file ? readBudgets(file) : [],
    forecastWindowDays: positive(env, 'TOKENLEDGER_FORECAST_WINDOW_DAYS', 7),
    refreshMs: positive(env, 'TOKENLEDGER_BUDGETS_REFRESH_MS', 15_000),
  };
}

/**
 * `{"budgets":[{"scope":"tenant","name":"acme","monthly_usd":500},{"scope":"workflow","name":"answer","monthly_tokens":2e7}]}`
 */
export function readBudgets(file: string): Budget[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(FILE, file, `a readable JSON file (${(err as Error).message})`);
  }
  const list = (doc as { budgets?: unknown })?.budgets;
  if (!Array.isArray(list)) throw new ConfigError(FILE, file, 'a JSON object with a "budgets" array');
  const seen = new Set<string>();
  return list.map((b: Record<string, unknown>, i) => {
    const where = `${file}: budgets[${i}]`;
    const scope = b?.scope as BudgetScope;
    if (!BUDGET_SCOPES.includes(scope)) throw new ConfigError(FILE, where, `scope one of ${BUDGET_SCOPES.join(', ')}`);
    if (typeof b.name !== 'string' || b.name === '') throw new ConfigError(FILE, where, 'a non-empty "name"');
    const usd = b.monthly_usd;
    const tokens = b.monthly_tokens;
    if ((usd === undefined) === (tokens === undefined)) throw new ConfigError(FILE, where, 'exactly one of "monthly_usd", "monthly_tokens"');
    const amount = usd ?? tokens;
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) throw new ConfigError(FILE, where, 'a positive budget amount');
    const key = `${scope}/${b.name}`;
    if (seen.has(key)) throw new ConfigError(FILE, where, `one budget per scope and name (${key} twice)`);
    seen.add(key);
    return usd !== undefined ? { scope, name: b.name, monthlyUsd: usd as number } : { scope, name: b.name, monthlyTokens: tokens as number };
  });
}
