// TOKENLEDGER_CAPACITY_*: self-hosted capacity cost (collector/src/capacity).
import { type Env, integer, json, text } from './parse.ts';

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
  };
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
