// Savings Plans from the capacity ledger, on a synthetic 30-day ledger whose figures are computed by hand.
import * as sc from '@tokenledger/semconv';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatSavingsPlans, SAVINGS_PLANS_PATH } from '../src/capacity/index.ts';
import { HourlySpendLedger, HOUR_MS } from '../src/capacity/hourly-spend.ts';
import { CapacityLedger } from '../src/capacity/ledger.ts';
import type { SavingsPlansReport } from '../src/capacity/savings-plans.ts';
import { report } from '../src/cli/commands/report.ts';
import type { Collector } from '../src/collector.ts';
import { FakeClock, testCollector } from './helpers.ts';

let collector: Collector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

const NOW = Date.UTC(2026, 10, 22, 12, 30); // half past: the current hour is not complete
const END = Date.UTC(2026, 10, 22, 12); // the window ends at the last complete hour
const START = END - 30 * 24 * HOUR_MS;

/**
 * inf2: i-a at $1 every hour, i-b at $2 from 08:00 to 19:59 UTC (12 hours a day); g5: i-c at $4 for the last
 * 10 days only; ml.g5 (SageMaker) is left out. Outside the window: an hour before it and the current hour.
 */
function syntheticLedger(ledger: HourlySpendLedger): void {
  const rows = [];
  for (let h = 0; h < 720; h++) {
    const hourMs = START + h * HOUR_MS;
    rows.push({ hourMs, instanceType: 'inf2.xlarge', instanceId: 'i-a', usd: 1 });
    const hourOfDay = new Date(hourMs).getUTCHours();
    if (hourOfDay >= 8 && hourOfDay < 20) rows.push({ hourMs, instanceType: 'inf2.8xlarge', instanceId: 'i-b', usd: 2 });
    if (h >= 480) rows.push({ hourMs, instanceType: 'g5.xlarge', instanceId: 'i-c', usd: 4 });
    rows.push({ hourMs, instanceType: 'ml.g5.xlarge', instanceId: 'endpoint-x', usd: 1.5 });
  }
  rows.push({ hourMs: START - HOUR_MS, instanceType: 'inf2.xlarge', instanceId: 'i-a', usd: 100 });
  rows.push({ hourMs: END, instanceType: 'inf2.xlarge', instanceId: 'i-a', usd: 100 });
  ledger.record(rows);
}

describe('Savings Plans from a synthetic 30-day capacity ledger', () => {
  it('baseline (p10), commitment and saving per plan, computed by hand', async () => {
    const clock = new FakeClock(NOW);
    ({ collector } = testCollector({ TOKENLEDGER_SAVINGS_PLAN_RATES: JSON.stringify({ inf2: { compute: 0.2, ec2_instance: 0.3 }, g5: { compute: 0.1 } }) }, clock));
    syntheticLedger(new HourlySpendLedger(collector.db));
    const { http } = await collector.listen();
    const r = (await (await fetch(`http://127.0.0.1:${http.port}${SAVINGS_PLANS_PATH}`)).json()) as SavingsPlansReport;

    expect(r.hours).toBe(720);
    expect(r.windowStart).toBe(new Date(START).toISOString());
    expect(r.windowEnd).toBe(new Date(END).toISOString());
    expect(r.percentile).toBe(10);
    expect(r.excluded).toEqual(['ml.g5']);

    // inf2 by hour: $1 in 360 hours, $3 in 360. p10 by nearest rank is the 72nd of 720 sorted: $1.
    // EC2 Instance at 30%: commitment 1 × 0.7 = $0.70/h; saving Σ min(s, 1) − 720 × 0.7 = 720 − 504 = $216.
    const inf2 = r.ec2Instance.find((p) => p.family === 'inf2')!;
    expect(inf2.onDemandUsd).toBe(360 * 1 + 360 * 3);
    expect(inf2.baselineUsdPerHour).toBe(1);
    expect(inf2.commitmentUsdPerHour).toBeCloseTo(0.7, 12);
    expect(inf2.savingUsd).toBeCloseTo(216, 9);
    expect(inf2.savingUsdPerHour).toBeCloseTo(0.3, 12);
    // g5: $4 in 240 hours, $0 in 480: p10 is $0, and no EC2 Instance rate.
    const g5 = r.ec2Instance.find((p) => p.family === 'g5')!;
    expect(g5).toMatchObject({ baselineUsdPerHour: 0, onDemandUsd: 960 });
    expect(g5.commitmentUsdPerHour).toBeUndefined();
    // Compute: inf2 + g5 by hour ($1/$3 for 480 hours, $5/$7 for 240): p10 = $1. Discount weighted by spend:
    // (1440 × 0.2 + 960 × 0.1) / 2400 = 0.16; commitment $0.84/h; saving 720 − 720 × 0.84 = $115.20.
    expect(r.compute!.baselineUsdPerHour).toBe(1);
    expect(r.compute!.discount).toBeCloseTo(0.16, 12);
    expect(r.compute!.commitmentUsdPerHour).toBeCloseTo(0.84, 12);
    expect(r.compute!.savingUsd).toBeCloseTo(115.2, 9);
    expect(r.onDemandUsd).toBe(2400);

    // The same on /metrics for the capacity dashboard.
    const text = collector.metrics.registry.expose();
    const gauge = (metric: string, plan: string, family: string) => Number(new RegExp(`^${metric}\\{plan="${plan}",family="${family}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(gauge(sc.METRIC_SAVINGS_PLAN_BASELINE_USD_PER_HOUR, 'ec2_instance', 'inf2')).toBe(1);
    expect(gauge(sc.METRIC_SAVINGS_PLAN_COMMITMENT_USD_PER_HOUR, 'compute', 'all')).toBeCloseTo(0.84, 12);
    expect(gauge(sc.METRIC_SAVINGS_PLAN_SAVING_USD_PER_HOUR, 'compute', 'all')).toBeCloseTo(0.16, 12);

    // tokenledger report --savings-plans prints the same table.
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    try {
      expect(await report.run(['--savings-plans', '--url', `http://127.0.0.1:${http.port}`])).toBe(0);
    } finally {
      log.mockRestore();
    }
    const table = printed.join('\n');
    expect(table).toBe(formatSavingsPlans(r));
    expect(table).toMatch(/Compute\s+all\s+\$2400\.00\s+\$1\.0000\s+16\.0%\s+\$0\.8400\s+\$115\.20\s+\$0\.1600/);
    expect(table).toMatch(/EC2 Instance\s+inf2\s+\$1440\.00\s+\$1\.0000\s+30\.0%\s+\$0\.7000\s+\$216\.00\s+\$0\.3000/);
    expect(table).toMatch(/EC2 Instance\s+g5\s+\$960\.00\s+\$0\.0000\s+no rate/);
  });

  it('a younger ledger: the window starts at its first hour', async () => {
    const clock = new FakeClock(NOW);
    ({ collector } = testCollector({}, clock));
    const ledger = new HourlySpendLedger(collector.db);
    ledger.record([{ hourMs: END - 3 * HOUR_MS, instanceType: 'inf2.xlarge', instanceId: 'i-a', usd: 2 }, { hourMs: END - HOUR_MS, instanceType: 'inf2.xlarge', instanceId: 'i-a', usd: 4 }]);
    const { http } = await collector.listen();
    const r = (await (await fetch(`http://127.0.0.1:${http.port}${SAVINGS_PLANS_PATH}`)).json()) as SavingsPlansReport;
    // Hours 09:00, 10:00 (no data: $0) and 11:00: p10 of [2, 0, 4] is the 1st sorted, $0.
    expect(r.hours).toBe(3);
    expect(r.ec2Instance[0]).toMatchObject({ family: 'inf2', baselineUsdPerHour: 0, onDemandUsd: 6 });
  });

  it('settling the capacity ledger adds each instance\'s capacity cost to its hour', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 22, 0, 0));
    ({ collector } = testCollector({
      TOKENLEDGER_CAPACITY_INTERVAL_MS: String(30 * 60_000), TOKENLEDGER_CAPACITY_LAG_MS: '0',
      TOKENLEDGER_CAPACITY_INSTANCES: JSON.stringify([{ id: 'i-a', type: 'inf2.xlarge', hourly_usd: 0.8 }]),
    }, clock));
    clock.advance(3 * HOUR_MS);
    collector.component(CapacityLedger)!.settle();
    const rows = new HourlySpendLedger(collector.db).hours(0, Number.MAX_SAFE_INTEGER);
    // Six half-hour intervals at $0.40, two to an hour.
    expect(rows.map((r) => [new Date(r.hourMs).getUTCHours(), r.instanceId, Number(r.usd.toFixed(12))])).toEqual([[0, 'i-a', 0.8], [1, 'i-a', 0.8], [2, 'i-a', 0.8]]);
  });
});
