// Budget status and month-end forecasts, from the store, on demand (the API) and as gauges (/metrics).
import type { DatabaseSync } from 'node:sqlite';
import { diag } from '@opentelemetry/api';
import * as sc from '@tokenledger/semconv';
import type { CollectorComponent } from '../components/types.ts';
import type { Budget, BudgetScope, BudgetsConfig } from '../config/budgets.ts';
import type { Clock } from '../config/types.ts';
import type { Router } from '../http/router.ts';
import type { MetricFamily, Registry } from '../metrics/registry.ts';
import { forecastMonth, monthBounds, trendWindow } from './forecast.ts';
import { addBudgetRoutes } from './routes.ts';
import type { BudgetSource, BudgetStatus, ForecastRow } from './types.ts';
import { type Spend, UsageQuery } from './usage.ts';

/** Scopes forecast for every name seen this month (budgeted names of other scopes are added). */
export const FORECAST_SCOPES: readonly BudgetScope[] = ['tenant', 'workflow'];

export class Budgets implements CollectorComponent, BudgetSource {
  readonly config: BudgetsConfig;
  private readonly usage: UsageQuery;
  private readonly clock: Clock;
  private readonly ratio: MetricFamily;
  private readonly budgetUsd: MetricFamily;
  private readonly forecastUsd: MetricFamily;
  /** Forecast gauges kept: the top spenders, at most the registry's series limit. */
  private readonly gaugeLimit: number;
  private timer?: NodeJS.Timeout;

  constructor(o: { config: BudgetsConfig; db: DatabaseSync; clock: Clock; registry: Registry }) {
    this.config = o.config;
    this.gaugeLimit = o.registry.cardinalityLimit;
    this.usage = new UsageQuery(o.db);
    this.clock = o.clock;
    const labels = [sc.LABEL_SCOPE, sc.LABEL_NAME];
    this.ratio = o.registry.gaugeFamily(sc.METRIC_BUDGET_USED_RATIO, 'Month-to-date spend (USD or tokens) ÷ monthly budget.', labels);
    this.budgetUsd = o.registry.gaugeFamily(sc.METRIC_BUDGET_USD, 'Monthly budget in USD.', labels);
    this.forecastUsd = o.registry.gaugeFamily(sc.METRIC_FORECAST_MONTH_USD, 'Month-end spend forecast in USD: month to date + trailing daily rate × days left.', labels);
  }

  /** Every budget's status now. */
  statuses(): BudgetStatus[] {
    const now = this.clock.now();
    const month = monthBounds(now);
    const window = this.window(now);
    const cache = new Map<BudgetScope, { mtd: Map<string, Spend>; trend: Map<string, Spend> }>();
    return this.config.budgets.map((b) => {
      let s = cache.get(b.scope);
      if (!s) {
        // The budgeted names only: however many tenants there are.
        const names = this.config.budgets.filter((x) => x.scope === b.scope).map((x) => x.name);
        s = { mtd: this.usage.spendOf(b.scope, names, month.startMs, now + 1), trend: this.usage.spendOf(b.scope, names, window.startMs, now + 1) };
        cache.set(b.scope, s);
      }
      return this.status(b, now, s.mtd.get(b.name), s.trend.get(b.name), window.lengthMs);
    });
  }

  /** One budget's status now, or undefined when there is no such budget. */
  statusOf(scope: string, name: string): BudgetStatus | undefined {
    const b = this.config.budgets.find((x) => x.scope === scope && x.name === name);
    if (!b) return undefined;
    const now = this.clock.now();
    const window = this.window(now);
    const mtd = this.usage.spend(b.scope, b.name, monthBounds(now).startMs, now + 1);
    return this.status(b, now, mtd, this.usage.spend(b.scope, b.name, window.startMs, now + 1), window.lengthMs);
  }

  /**
   * Month-end forecast of the tenants and workflows with the highest forecasts, at most `limit` in all, and of every
   * USD budget (the gauges: never past the series limit, whatever the number of tenants).
   */
  topForecasts(limit: number): ForecastRow[] {
    const now = this.clock.now();
    const month = monthBounds(now);
    const window = this.window(now);
    const factor = Math.max(0, month.endMs - now) / window.lengthMs;
    const rows: ForecastRow[] = [];
    for (const scope of FORECAST_SCOPES) {
      for (const r of this.usage.topSpenders(scope, month.startMs, window.startMs, now + 1, factor, limit)) {
        rows.push(this.forecastRow(scope, r.name, r.mtd, r.trend, window.lengthMs, now, month.endMs));
      }
    }
    const top = rows.sort((a, b) => b.forecastUsd - a.forecastUsd).slice(0, limit);
    const kept = new Set(top.map((r) => `${r.scope}\u0000${r.name}`));
    const budgeted = this.config.budgets.filter((b) => b.monthlyUsd !== undefined && !kept.has(`${b.scope}\u0000${b.name}`));
    for (const scope of new Set(budgeted.map((b) => b.scope))) {
      const names = budgeted.filter((b) => b.scope === scope).map((b) => b.name);
      const mtd = this.usage.spendOf(scope, names, month.startMs, now + 1);
      const trend = this.usage.spendOf(scope, names, window.startMs, now + 1);
      for (const name of names) top.push(this.forecastRow(scope, name, mtd.get(name)?.usd ?? 0, trend.get(name)?.usd ?? 0, window.lengthMs, now, month.endMs));
    }
    return top.sort((a, b) => b.forecastUsd - a.forecastUsd);
  }

  /** Month-end forecast of every tenant and workflow with spend this month, and of every USD budget. */
  forecasts(): ForecastRow[] {
    const now = this.clock.now();
    const month = monthBounds(now);
    const window = this.window(now);
    const rows: ForecastRow[] = [];
    const scopes = new Set<BudgetScope>([...FORECAST_SCOPES, ...this.config.budgets.map((b) => b.scope)]);
    for (const scope of scopes) {
      const mtd = this.usage.spendByName(scope, month.startMs, now + 1);
      const trend = this.usage.spendByName(scope, window.startMs, now + 1);
      const names = new Set(FORECAST_SCOPES.includes(scope) ? mtd.keys() : []);
      for (const b of this.config.budgets) if (b.scope === scope && b.monthlyUsd !== undefined) names.add(b.name);
      for (const name of names) rows.push(this.forecastRow(scope, name, mtd.get(name)?.usd ?? 0, trend.get(name)?.usd ?? 0, window.lengthMs, now, month.endMs));
    }
    return rows.sort((a, b) => b.forecastUsd - a.forecastUsd);
  }

  /** Recomputes the gauges. */
  refresh(): void {
    for (const f of [this.ratio, this.budgetUsd, this.forecastUsd]) f.series.clear();
    for (const s of this.statuses()) {
      this.ratio.set([s.scope, s.name], s.ratio);
      if (s.unit === 'usd') this.budgetUsd.set([s.scope, s.name], s.budget);
    }
    for (const f of this.topForecasts(this.gaugeLimit)) this.forecastUsd.set([f.scope, f.name], f.forecastUsd);
  }

  /** /api/v1/budgets (and one path per budget) and /api/v1/forecast. */
  routes(router: Router): void {
    addBudgetRoutes(router, this, () => this.clock.now());
  }

  start(): void {
    const run = () => {
      try {
        this.refresh();
      } catch (err) {
        diag.error('tokenledger budgets: refreshing budget gauges failed', err);
      }
    };
    run();
    this.timer = setInterval(run, this.config.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private forecastRow(scope: BudgetScope, name: string, mtd: number, trend: number, windowMs: number, now: number, monthEndMs: number): ForecastRow {
    const f = forecastMonth(mtd, trend, windowMs, now, monthEndMs);
    const budget = this.config.budgets.find((b) => b.scope === scope && b.name === name)?.monthlyUsd;
    return { scope, name, monthToDateUsd: mtd, dailyRateUsd: f.dailyRate, forecastUsd: f.forecast, ...(budget !== undefined && { budgetUsd: budget }) };
  }

  private window(now: number) {
    return trendWindow(now, this.config.forecastWindowDays, this.usage.firstBucketMs());
  }

  private status(b: Budget, now: number, mtd: Spend | undefined, trend: Spend | undefined, windowMs: number): BudgetStatus {
    const month = monthBounds(now);
    const usd = b.monthlyUsd !== undefined;
    const budget = (usd ? b.monthlyUsd : b.monthlyTokens)!;
    const used = (usd ? mtd?.usd : mtd?.tokens) ?? 0;
    const f = forecastMonth(used, (usd ? trend?.usd : trend?.tokens) ?? 0, windowMs, now, month.endMs);
    return {
      scope: b.scope, name: b.name, unit: usd ? 'usd' : 'tokens', budget, used,
      remaining: Math.max(0, budget - used), ratio: used / budget, exceeded: used >= budget, forecast: f.forecast,
      monthStart: new Date(month.startMs).toISOString(), monthEnd: new Date(month.endMs).toISOString(),
    };
  }
}
