// Budgets and month-end forecasts: TOKENLEDGER_BUDGETS_FILE, gauges on /metrics, /api/v1/budgets, /api/v1/forecast.
import type { Collector } from '../collector.ts';
import { Budgets } from './budgets.ts';
import { budgetsConfigFromEnv } from './config.ts';
import { addBudgetRoutes } from './routes.ts';

export { Budgets, FORECAST_SCOPES } from './budgets.ts';
export { budgetsConfigFromEnv, readBudgets, BUDGET_SCOPES } from './config.ts';
export { forecastMonth, monthBounds, trendWindow } from './forecast.ts';
export { forecastSection, formatForecast } from './report.ts';
export { addBudgetRoutes, budgetPath, BUDGETS_PATH, FORECAST_PATH } from './routes.ts';
export type { Budget, BudgetScope, BudgetsConfig, BudgetStatus, ForecastRow } from './types.ts';

/** Registers the budget routes and gauges on `collector` (before listen()) and refreshes the gauges on a timer. */
export function attachBudgets(collector: Collector, env: Record<string, string | undefined> = process.env): Budgets {
  const budgets = new Budgets({ config: budgetsConfigFromEnv(env), db: collector.db, clock: collector.clock, registry: collector.metrics.registry });
  addBudgetRoutes(collector.router, budgets, () => collector.clock.now());
  budgets.start();
  return budgets;
}
