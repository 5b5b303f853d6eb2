// GET /api/v1/budgets, /api/v1/budgets/<scope>/<name> (one route per configured budget: the router
// matches exact paths) and /api/v1/forecast.
import { type Router, sendJson } from '../http/router.ts';
import { monthBounds } from './forecast.ts';
import type { BudgetSource } from './types.ts';

export const BUDGETS_PATH = '/api/v1/budgets';
export const FORECAST_PATH = '/api/v1/forecast';

/** Path of one budget's status. */
export function budgetPath(scope: string, name: string): string {
  return `${BUDGETS_PATH}/${encodeURIComponent(scope)}/${encodeURIComponent(name)}`;
}

export function addBudgetRoutes(router: Router, budgets: BudgetSource, now: () => number): void {
  router.add('GET', BUDGETS_PATH, async (_req, res) => sendJson(res, 200, { budgets: await budgets.statuses() }));
  for (const b of budgets.config.budgets) {
    router.add('GET', budgetPath(b.scope, b.name), async (_req, res) => sendJson(res, 200, await budgets.statusOf(b.scope, b.name)));
  }
  router.add('GET', FORECAST_PATH, async (_req, res, url) => {
    const scope = url.searchParams.get('scope');
    const rows = (await budgets.forecasts()).filter((r) => scope === null || r.scope === scope);
    const at = now();
    const month = monthBounds(at);
    sendJson(res, 200, {
      asOf: new Date(at).toISOString(),
      monthStart: new Date(month.startMs).toISOString(),
      monthEnd: new Date(month.endMs).toISOString(),
      method: `month-to-date spend + (spend over the trailing ${budgets.config.forecastWindowDays} days, or since the first data if later) ÷ that window × time left in the month`,
      windowDays: budgets.config.forecastWindowDays,
      rows,
    });
  });
}
