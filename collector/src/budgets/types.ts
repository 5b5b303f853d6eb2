import type { BudgetScope, BudgetsConfig } from '../config/budgets.ts';

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

/** What the budget routes read (the Budgets add-on). */
export interface BudgetSource {
  readonly config: BudgetsConfig;
  statuses(): Promise<BudgetStatus[]>;
  statusOf(scope: string, name: string): Promise<BudgetStatus | undefined>;
  forecasts(): Promise<ForecastRow[]>;
}
