// Savings Plans from the capacity ledger: what commitment the self-hosted fleet's steady part would carry.
//
// Method. Hourly on-demand spend over the window (the last N days of complete hours, from the ledger's first
// hour if later; an hour without rows spent 0). The baseline B is a low percentile of those hourly figures
// (nearest rank; default the 10th: the plan is fully used in 90% of hours). A plan at discount d covers B of
// on-demand usage for a commitment C = B × (1 − d) $/h, paid every hour. In hour h it saves min(s_h, B) − C
// (negative when usage fell below the baseline), so over the window: Σ min(s_h, B) − hours × C.
// EC2 Instance Savings Plans apply to one instance family: one baseline per family. Compute Savings Plans
// apply across families: the baseline is over the spend of every family with a compute rate, at their
// spend-weighted mean discount. SageMaker (`ml.*`) capacity takes SageMaker Savings Plans, which this leaves out.
import type { SavingsPlansConfig } from '../config/capacity.ts';
import { HOUR_MS, type HourlySpend } from './hourly-spend.ts';

const DAY_MS = 86_400_000;

export interface PlanFigures {
  /** `all` for a Compute Savings Plan. */
  family: string;
  baselineUsdPerHour: number;
  /** Fraction off on-demand; undefined without a configured rate (no commitment or saving then). */
  discount?: number;
  commitmentUsdPerHour?: number;
  /** Σ min(spend, baseline) − hours × commitment over the window. */
  savingUsd?: number;
  savingUsdPerHour?: number;
  onDemandUsd: number;
}

export interface SavingsPlansReport {
  asOf: string;
  windowStart: string;
  windowEnd: string;
  hours: number;
  percentile: number;
  method: string;
  onDemandUsd: number;
  compute?: PlanFigures;
  ec2Instance: PlanFigures[];
  /** SageMaker instance families (`ml.*`): not covered by Compute or EC2 Instance Savings Plans. */
  excluded: string[];
}

export const METHOD =
  'hourly on-demand capacity spend over the window (hours without data count 0); baseline = the given percentile (nearest rank) of those hours; commitment = baseline × (1 − discount) $/h; saving = Σ min(hourly spend, baseline) − hours × commitment. EC2 Instance plans per family; the Compute plan over every family with a compute rate, at their spend-weighted mean discount.';

/** The instance family of a type: `inf2.xlarge` → `inf2`, `ml.g5.2xlarge` → `ml.g5`. */
export function instanceFamily(type: string): string {
  const i = type.lastIndexOf('.');
  return i > 0 ? type.slice(0, i) : type;
}

/** The window of complete hours ending before `nowMs`, starting no earlier than the first data. */
export function savingsWindow(nowMs: number, windowDays: number, firstHourMs: number | undefined): { startMs: number; endMs: number } {
  const endMs = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  const startMs = Math.max(endMs - windowDays * DAY_MS, firstHourMs ?? endMs);
  return { startMs, endMs };
}

/** Nearest-rank percentile of `values` (0 when empty). */
export function percentileOf(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function savingsPlans(rows: readonly HourlySpend[], window: { startMs: number; endMs: number }, config: SavingsPlansConfig, nowMs: number): SavingsPlansReport {
  const hours = Math.max(0, Math.round((window.endMs - window.startMs) / HOUR_MS));
  const byFamily = new Map<string, number[]>();
  const excluded = new Set<string>();
  for (const r of rows) {
    if (r.hourMs < window.startMs || r.hourMs >= window.endMs) continue;
    const family = instanceFamily(r.instanceType);
    if (family.startsWith('ml.')) {
      excluded.add(family);
      continue;
    }
    let hourly = byFamily.get(family);
    if (!hourly) byFamily.set(family, (hourly = new Array<number>(hours).fill(0)));
    hourly[Math.floor((r.hourMs - window.startMs) / HOUR_MS)]! += r.usd;
  }
  const ec2Instance = [...byFamily].map(([family, hourly]) => plan(family, hourly, config.rates[family]?.ec2_instance, config.percentile));
  const computeFamilies = [...byFamily].filter(([f]) => config.rates[f]?.compute !== undefined);
  let compute: PlanFigures | undefined;
  if (computeFamilies.length > 0) {
    const total = new Array<number>(hours).fill(0);
    let weighted = 0;
    let spend = 0;
    for (const [f, hourly] of computeFamilies) {
      const s = sum(hourly);
      for (let i = 0; i < hours; i++) total[i]! += hourly[i]!;
      weighted += s * config.rates[f]!.compute!;
      spend += s;
    }
    compute = plan('all', total, spend > 0 ? weighted / spend : config.rates[computeFamilies[0]![0]]!.compute!, config.percentile);
  }
  return {
    asOf: new Date(nowMs).toISOString(),
    windowStart: new Date(window.startMs).toISOString(),
    windowEnd: new Date(window.endMs).toISOString(),
    hours,
    percentile: config.percentile,
    method: METHOD,
    onDemandUsd: [...byFamily.values()].reduce((t, h) => t + sum(h), 0),
    ...(compute && { compute }),
    ec2Instance: ec2Instance.sort((a, b) => b.onDemandUsd - a.onDemandUsd),
    excluded: [...excluded].sort(),
  };
}

function plan(family: string, hourly: readonly number[], discount: number | undefined, percentile: number): PlanFigures {
  const baseline = percentileOf(hourly, percentile);
  const out: PlanFigures = { family, baselineUsdPerHour: baseline, onDemandUsd: sum(hourly) };
  if (discount === undefined) return out;
  const commitment = baseline * (1 - discount);
  const saving = hourly.reduce((t, s) => t + Math.min(s, baseline), 0) - hourly.length * commitment;
  return { ...out, discount, commitmentUsdPerHour: commitment, savingUsd: saving, savingUsdPerHour: hourly.length ? saving / hourly.length : 0 };
}

function sum(values: readonly number[]): number {
  return values.reduce((t, v) => t + v, 0);
}
