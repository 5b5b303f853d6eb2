// Budgets and month-end forecasts: TOKENLEDGER_BUDGETS_FILE, gauges on /metrics, /api/v1/budgets, /api/v1/forecast.
import type { ComponentFactory } from '../components/types.ts';
import { Budgets } from './budgets.ts';

export { Budgets } from './budgets.ts';
export { formatForecast } from './report.ts';
export type { BudgetStatus, ForecastRow } from './types.ts';

/** Budget status and forecasts; always on (forecasts are served without any budget). */
export const budgetsComponent: ComponentFactory = ({ config, read, clock, registry }) => new Budgets({ config: config.budgets, read, clock, registry });
