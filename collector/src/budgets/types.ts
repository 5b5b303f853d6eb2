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

/** Budgets and forecasts, read at start (see config.ts). */
export interface BudgetsConfig {
  /** Env TOKENLEDGER_BUDGETS_FILE, default unset (no budgets; forecasts still served). */
  budgets: Budget[];
  /** Trailing window of the forecast's daily rate, in days. Env TOKENLEDGER_FORECAST_WINDOW_DAYS, default 7. */
  forecastWindowDays: number;
  /** How often budget and forecast gauges are recomputed, in ms. Env TOKENLEDGER_BUDGETS_REFRESH_MS, default 15000. */
  refreshMs: number;
}

/** What GET /api/v1/budgets answers per budget (a gateway asks before sending a request). */
export interface BudgetStatus {
  scope: BudgetScope;
  name: string;
  unit: 'usd' | 'tokens';
  budget: number;
  used: number;
  remaining: number;
  /** used ÷ budget. */
  ratio: number;
  exceeded: boolean;
  /** Month-end forecast in the budget's unit. */
  forecast: number;
  /** Start and end (exclusive) of the current UTC month. */
  monthStart: string;
  monthEnd: string;
}

/** A month-end forecast for one tenant or workflow (or budgeted feature). */
export interface ForecastRow {
  scope: BudgetScope;
  name: string;
  monthToDateUsd: number;
  /** USD per day over the trailing window. */
  dailyRateUsd: number;
  forecastUsd: number;
  budgetUsd?: number;
}
