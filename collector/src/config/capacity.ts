// TOKENLEDGER_CAPACITY_*: self-hosted capacity cost (collector/src/capacity).
import { ConfigError, type Env, integer, json, number, text } from './parse.ts';

/** Self-hosted capacity settings of the collector read from TOKENLEDGER_CAPACITY_* at start. */
export interface CapacityConfig {
  /** Width of the settlement intervals. Env TOKENLEDGER_CAPACITY_INTERVAL_MS, default 60000. */
  intervalMs: number;
  /** An interval is settled this long after it ends, so spans exported late still count in it. Env TOKENLEDGER_CAPACITY_LAG_MS, default 15000. */
  lagMs: number;
  /**
   * Instances always charged, busy or idle. Env TOKENLEDGER_CAPACITY_INSTANCES, a JSON array of
   * `{"id": "i-…", "type": "inf2.xlarge", "hourly_usd": 0.7582}` (`hourly_usd` optional: the price book's). Default none.
   */
  instances: CapacityInstance[];
  /** The Bedrock model the self-hosted tokens are compared with (on-demand price). Env TOKENLEDGER_CAPACITY_BEDROCK_MODEL, default none. */
  bedrockModel?: string;
  /** Savings Plans from the capacity ledger's hourly spend. */
  savingsPlans: SavingsPlansConfig;
}

export interface SavingsPlansConfig {
  /**
   * Discount off on-demand (0–1) per instance family (`inf2`, `g5`, `ml.g5`, …) and plan. Env
   * TOKENLEDGER_SAVINGS_PLAN_RATES, JSON `{"inf2": {"compute": 0.2, "ec2_instance": 0.35}}`; default none
   * (baselines are computed, commitments and savings need a rate).
   */
  rates: Record<string, { compute?: number; ec2_instance?: number }>;
  /** The percentile of hourly spend taken as the baseline. Env TOKENLEDGER_SAVINGS_PLAN_PERCENTILE, default 10. */
  percentile: number;
  /** Days of hourly spend looked at. Env TOKENLEDGER_SAVINGS_PLAN_WINDOW_DAYS, default 30. */
  windowDays: number;
}

export interface CapacityInstance {
  id: string;
  type: string;
  /** Overrides the price book's instance-hour price. */
  hourlyUsd?: number;
}

const ENV_INSTANCES = 'TOKENLEDGER_CAPACITY_INSTANCES';
const INSTANCES_EXPECTED = 'a JSON array of {"id": string, "type": string, "hourly_usd"?: positive number}';

export function capacityConfigFromEnv(env: Env = process.env): CapacityConfig {
  return {
    intervalMs: integer(env, 'TOKENLEDGER_CAPACITY_INTERVAL_MS', 60_000, 1_000),
    lagMs: integer(env, 'TOKENLEDGER_CAPACITY_LAG_MS', 15_000, 0),
    instances: json(env, ENV_INSTANCES, INSTANCES_EXPECTED, instances) ?? [],
    bedrockModel: text(env, 'TOKENLEDGER_CAPACITY_BEDROCK_MODEL'),
    savingsPlans: {
      rates: json(env, 'TOKENLEDGER_SAVINGS_PLAN_RATES', RATES_EXPECTED, rates) ?? {},
      percentile: percentile(env),
      windowDays: integer(env, 'TOKENLEDGER_SAVINGS_PLAN_WINDOW_DAYS', 30, 1),
    },
  };
}

const RATES_EXPECTED = 'a JSON object {"<family>": {"compute"?: 0–1, "ec2_instance"?: 0–1}}';

function rates(doc: unknown): SavingsPlansConfig['rates'] | undefined {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const out: SavingsPlansConfig['rates'] = {};
  for (const [family, r] of Object.entries(doc as Record<string, unknown>)) {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) return undefined;
    const entry: { compute?: number; ec2_instance?: number } = {};
    for (const [plan, v] of Object.entries(r as Record<string, unknown>)) {
      if ((plan !== 'compute' && plan !== 'ec2_instance') || typeof v !== 'number' || !(v >= 0 && v < 1)) return undefined;
      entry[plan] = v;
    }
    out[family] = entry;
  }
  return out;
}

/** The instances of the JSON document, or undefined when any is malformed. */
function instances(doc: unknown): CapacityInstance[] | undefined {
  if (!Array.isArray(doc)) return undefined;
  const out: CapacityInstance[] = [];
  for (const e of doc as unknown[]) {
    const o = (e ?? {}) as Record<string, unknown>;
    const hourly = o.hourly_usd;
    if (typeof o.id !== 'string' || !o.id || typeof o.type !== 'string' || !o.type || (hourly !== undefined && !(typeof hourly === 'number' && hourly > 0))) {
      return undefined;
    }
    out.push({ id: o.id, type: o.type, ...(hourly !== undefined ? { hourlyUsd: hourly as number } : {}) });
  }
  return out;
}

function percentile(env: Env): number {
  const p = number(env, 'TOKENLEDGER_SAVINGS_PLAN_PERCENTILE', 10, 0);
  if (p > 100) throw new ConfigError('TOKENLEDGER_SAVINGS_PLAN_PERCENTILE', String(p), 'a percentile, 0–100');
  return p;
}
