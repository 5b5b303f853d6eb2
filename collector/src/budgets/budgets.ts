// Budget status and month-end forecasts, from the store, on demand (the API) and as gauges (/metrics).
import { diag } from '@opentelemetry/api';
import * as sc from '@tokenledger/semconv';
import type { CollectorComponent } from '../components/types.ts';
import type { Budget, BudgetScope, BudgetsConfig } from '../config/budgets.ts';
import type { Clock } from '../config/types.ts';
import type { Router } from '../http/router.ts';
import type { MetricFamily, Registry } from '../metrics/registry.ts';
import type { Sql } from '../store/sql.ts';
import { forecastMonth, monthBounds, trendWindow } from './forecast.ts';
import { addBudgetRoutes } from './routes.ts';
import type { BudgetSource, BudgetStatus, ForecastRow } from './types.ts';
import { firstBucketMs, type Spend, spendByName, spendOf, spendOfNames, topSpenders } from './usage.ts';

/** Scopes forecast for every name seen this month (budgeted names of other scopes are added). */
export const FORECAST_SCOPES: readonly BudgetScope[] = ['tenant', 'workflow'];

export class Budgets implements CollectorComponent, BudgetSource {
  readonly config: BudgetsConfig;
  private readonly read: <T>(gen: Sql<T>) => Promise<T>;
  private readonly clock: Clock;
  private readonly ratio: MetricFamily;
  private readonly budgetUsd: MetricFamily;
  private readonly forecastUsd: MetricFamily;
  /** Forecast gauges kept: the top spenders, at most the registry's series limit. */
  private readonly gaugeLimit: number;
  private timer?: NodeJS.Timeout;

  constructor(o: { config: BudgetsConfig; read: <T>(gen: Sql<T>) => Promise<T>; clock: Clock; registry: Registry }) {
    this.config = o.config;
    this.gaugeLimit = o.registry.cardinalityLimit;
    this.read = o.read;
    this.clock = o.clock;
    const labels = [sc.LABEL_SCOPE, sc.LABEL_NAME];
    this.ratio = o.registry.gaugeFamily(sc.METRIC_BUDGET_USED_RATIO, 'Month-to-date spend (USD or tokens) ÷ monthly budget.', labels);
    this.budgetUsd = o.registry.gaugeFamily(sc.METRIC_BUDGET_USD, 'Monthly budget in USD.', labels);
    this.forecastUsd = o.registry.gaugeFamily(sc.METRIC_FORECAST_MONTH_USD, 'Month-end spend forecast in USD: month to date + trailing daily rate × days left.', labels);
  }

  /** Every budget's status now. */
  async statuses(): Promise<BudgetStatus[]> {
    const now = this.clock.now();
    const month = monthBounds(now);
    const window = await this.window(now);
    const cache = new Map<BudgetScope, { mtd: Map<string, Spend>; trend: Map<string, Spend> }>();
    const out: BudgetStatus[] = [];
    for (const b of this.config.budgets) {
      let s = cache.get(b.scope);
      if (!s) {
        // The budgeted names only: however many tenants there are.
        const names = this.config.budgets.filter((x) => x.scope === b.scope).map((x) => x.name);
        s = {
          mtd: await this.read(spendOfNames(b.scope, names, month.startMs, now + 1)),
          trend: await this.read(spendOfNames(b.scope, names, window.startMs, now + 1)),
        };
        cache.set(b.scope, s);
      }
      out.push(this.status(b, now, s.mtd.get(b.name), s.trend.get(b.name), window.lengthMs));
    }
    return out;
  }

  /** One budget's status now, or undefined when there is no such budget. */
  async statusOf(scope: string, name: string): Promise<BudgetStatus | undefined> {
    const b = this.config.budgets.find((x) => x.scope === scope && x.name === name);
    if (!b) return undefined;
    const now = this.clock.now();
    const window = await this.window(now);
    const mtd = await this.read(spendOf(b.scope, b.name, monthBounds(now).startMs, now + 1));
    return this.status(b, now, mtd, await this.read(spendOf(b.scope, b.name, window.startMs, now + 1)), window.lengthMs);
  }

  /**
   * Month-end forecast of the tenants and workflows with the highest forecasts, at most `limit` in all, and of every
   * USD budget (the gauges: never past the series limit, whatever the number of tenants).
   */
  async topForecasts(limit: number): Promise<ForecastRow[]> {
    const now = this.clock.now();
    const month = monthBounds(now);
    const window = await this.window(now);
    const factor = Math.max(0, month.endMs - now) / window.lengthMs;
    const rows: ForecastRow[] = [];
    for (const scope of FORECAST_SCOPES) {
      for (const r of await this.read(topSpenders(scope, month.startMs, window.startMs, now + 1, factor, limit))) {
        rows.push(this.forecastRow(scope, r.name, r.mtd, r.trend, window.lengthMs, now, month.endMs));
      }
    }
    const top = rows.sort((a, b) => b.forecastUsd - a.forecastUsd).slice(0, limit);
    const kept = new Set(top.map((r) => `${r.scope}\u0000${r.name}`));
    const budgeted = this.config.budgets.filter((b) => b.monthlyUsd !== undefined && !kept.has(`${b.scope}\u0000${b.name}`));
    for (const scope of new Set(budgeted.map((b) => b.scope))) {
      const names = budgeted.filter((b) => b.scope === scope).map((b) => b.name);
      const mtd = await this.read(spendOfNames(scope, names, month.startMs, now + 1));
      const trend = await this.read(spendOfNames(scope, names, window.startMs, now + 1));
      for (const name of names) top.push(this.forecastRow(scope, name, mtd.get(name)?.usd ?? 0, trend.get(name)?.usd ?? 0, window.lengthMs, now, month.endMs));
    }
    return top.sort((a, b) => b.forecastUsd - a.forecastUsd);
  }

  /** Month-end forecast of every tenant and workflow with spend this month, and of every USD budget. */
  async forecasts(): Promise<ForecastRow[]> {
    const now = this.clock.now();
    const month = monthBounds(now);
    const window = await this.window(now);
    const rows: ForecastRow[] = [];
    const scopes = new Set<BudgetScope>([...FORECAST_SCOPES, ...this.config.budgets.map((b) => b.scope)]);
    for (const scope of scopes) {
      const mtd = await this.read(spendByName(scope, month.startMs, now + 1));
      const trend = await this.read(spendByName(scope, window.startMs, now + 1));
      const names = new Set(FORECAST_SCOPES.includes(scope) ? mtd.keys() : []);
      for (const b of this.config.budgets) if (b.scope === scope && b.monthlyUsd !== undefined) names.add(b.name);
      for (const name of names) rows.push(this.forecastRow(scope, name, mtd.get(name)?.usd ?? 0, trend.get(name)?.usd ?? 0, window.lengthMs, now, month.endMs));
    }
    return rows.sort((a, b) => b.forecastUsd - a.forecastUsd);
  }

  /** Recomputes the gauges (all at once, after every read: a scrape never sees them half done). */
  async refresh(): Promise<void> {
    const statuses = await this.statuses();
    const forecasts = await this.topForecasts(this.gaugeLimit);
    for (const f of [this.ratio, this.budgetUsd, this.forecastUsd]) f.series.clear();
    for (const s of statuses) {
      this.ratio.set([s.scope, s.name], s.ratio);
      if (s.unit === 'usd') this.budgetUsd.set([s.scope, s.name], s.budget);
    }
    for (const f of forecasts) this.forecastUsd.set([f.scope, f.name], f.forecastUsd);
  }

  /** /api/v1/budgets (and one path per budget) and /api/v1/forecast. */
  routes(router: Router): void {
    addBudgetRoutes(router, this, () => this.clock.now());
  }

  start(): void {
    let running = false;
    const run = () => {
      if (running) return;
      running = true;
      this.refresh().then(
        () => {
          running = false;
        },
        (err: unknown) => {
          running = false;
          diag.error('tokenledger budgets: refreshing budget gauges failed', err);
        },
      );
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

  private async window(now: number) {
    return trendWindow(now, this.config.forecastWindowDays, await this.read(firstBucketMs()));
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
