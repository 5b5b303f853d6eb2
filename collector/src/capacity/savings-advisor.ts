// Savings Plans from the capacity ledger, served: GET /api/v1/savings-plans, gauges on /metrics, and the
// `tokenledger report --savings-plans` text.
import * as sc from '@tokenledger/semconv';
import type { SavingsPlansConfig } from '../config/capacity.ts';
import type { Clock } from '../config/types.ts';
import { type Router, sendJson } from '../http/router.ts';
import type { MetricFamily, Registry } from '../metrics/registry.ts';
import type { HourlySpendLedger } from './hourly-spend.ts';
import { type PlanFigures, type SavingsPlansReport, savingsPlans, savingsWindow } from './savings-plans.ts';

export const SAVINGS_PLANS_PATH = '/api/v1/savings-plans';
/** The gauges read 30 days of hourly rows: recomputed at most this often. */
const GAUGE_REFRESH_MS = 60_000;

export class SavingsPlanAdvisor {
  private readonly config: SavingsPlansConfig;
  private readonly hourly: HourlySpendLedger;
  private readonly clock: Clock;
  private readonly baseline: MetricFamily;
  private readonly commitment: MetricFamily;
  private readonly saving: MetricFamily;
  private refreshedAt = -Infinity;

  constructor(o: { config: SavingsPlansConfig; hourly: HourlySpendLedger; clock: Clock; registry: Registry }) {
    this.config = o.config;
    this.hourly = o.hourly;
    this.clock = o.clock;
    const labels = [sc.LABEL_PLAN, sc.LABEL_FAMILY];
    const r = o.registry;
    this.baseline = r.gaugeFamily(sc.METRIC_SAVINGS_PLAN_BASELINE_USD_PER_HOUR, 'Hourly on-demand capacity spend a Savings Plan should cover: a low percentile of the last 30 days of hours.', labels);
    this.commitment = r.gaugeFamily(sc.METRIC_SAVINGS_PLAN_COMMITMENT_USD_PER_HOUR, 'Savings Plan commitment covering the baseline at the configured discount, USD per hour.', labels);
    this.saving = r.gaugeFamily(sc.METRIC_SAVINGS_PLAN_SAVING_USD_PER_HOUR, 'What that commitment would have saved over the window, USD per hour on average.', labels);
    r.beforeExpose(() => {
      const now = this.clock.now();
      if (now - this.refreshedAt < GAUGE_REFRESH_MS) return;
      this.refreshedAt = now;
      this.refreshGauges(this.report(now));
    });
  }

  report(nowMs = this.clock.now()): SavingsPlansReport {
    const window = savingsWindow(nowMs, this.config.windowDays, this.hourly.firstHourMs());
    return savingsPlans(this.hourly.hours(window.startMs, window.endMs), window, this.config, nowMs);
  }

  routes(router: Router): void {
    router.add('GET', SAVINGS_PLANS_PATH, (_req, res) => sendJson(res, 200, this.report()));
  }

  private refreshGauges(r: SavingsPlansReport): void {
    for (const f of [this.baseline, this.commitment, this.saving]) f.series.clear();
    const set = (plan: string, p: PlanFigures) => {
      this.baseline.set([plan, p.family], p.baselineUsdPerHour);
      if (p.commitmentUsdPerHour !== undefined) this.commitment.set([plan, p.family], p.commitmentUsdPerHour);
      if (p.savingUsdPerHour !== undefined) this.saving.set([plan, p.family], p.savingUsdPerHour);
    };
    if (r.compute) set('compute', r.compute);
    for (const p of r.ec2Instance) set('ec2_instance', p);
  }
}

/** The report as text: one line per plan. */
export function formatSavingsPlans(r: SavingsPlansReport): string {
  const title = `Savings Plans from the capacity ledger (${r.hours} complete hours, ${r.windowStart} to ${r.windowEnd}; baseline = p${r.percentile} of hourly on-demand spend)`;
  if (r.hours === 0 || (r.ec2Instance.length === 0 && !r.compute)) return `${title}\n\nNo self-hosted capacity spend in the window.`;
  const money = (v: number | undefined, digits = 4) => (v === undefined ? '—' : `$${v.toFixed(digits)}`);
  const header = ['plan', 'family', 'on-demand', 'baseline $/h', 'discount', 'commitment $/h', 'saving', 'saving $/h'];
  const row = (plan: string, p: PlanFigures) => [
    plan, p.family, money(p.onDemandUsd, 2), money(p.baselineUsdPerHour), p.discount === undefined ? 'no rate' : `${(100 * p.discount).toFixed(1)}%`,
    money(p.commitmentUsdPerHour), money(p.savingUsd, 2), money(p.savingUsdPerHour),
  ];
  const cells = [...(r.compute ? [row('Compute', r.compute)] : []), ...r.ec2Instance.map((p) => row('EC2 Instance', p))];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((s, i) => (i < 2 ? s.padEnd(widths[i]!) : s.padStart(widths[i]!))).join('  ').trimEnd();
  const notes = [`Method: ${r.method}`];
  if (r.excluded.length) notes.push(`Not covered (SageMaker Savings Plans apply): ${r.excluded.join(', ')}.`);
  return [title, '', line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line), '', ...notes].join('\n');
}
