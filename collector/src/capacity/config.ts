// TOKENLEDGER_CAPACITY_* variables; a bad value stops start-up naming the variable.
import { ConfigError } from '../config/env.ts';
import type { CapacityConfig, CapacityInstance } from './types.ts';

const ENV_INTERVAL = 'TOKENLEDGER_CAPACITY_INTERVAL_MS';
const ENV_LAG = 'TOKENLEDGER_CAPACITY_LAG_MS';
const ENV_INSTANCES = 'TOKENLEDGER_CAPACITY_INSTANCES';
const ENV_BEDROCK_MODEL = 'TOKENLEDGER_CAPACITY_BEDROCK_MODEL';

export function capacityConfigFromEnv(env: Record<string, string | undefined> = process.env): CapacityConfig {
  return {
    intervalMs: integer(env, ENV_INTERVAL, 60_000, 1_000),
    lagMs: integer(env, ENV_LAG, 15_000, 0),
    instances: instances(env[ENV_INSTANCES]),
    bedrockModel: env[ENV_BEDROCK_MODEL]?.trim() || undefined,
  };
}

function integer(env: Record<string, string | undefined>, name: string, fallback: number, min: number): number {
  const v = env[name]?.trim();
  if (!v) return fallback;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) throw new ConfigError(name, v, `an integer ≥ ${min}`);
  return n;
}

function instances(text: string | undefined): CapacityInstance[] {
  if (!text?.trim()) return [];
  const expected = 'a JSON array of {"id": string, "type": string, "hourly_usd"?: positive number}';
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ConfigError(ENV_INSTANCES, text, expected);
  }
  if (!Array.isArray(doc)) throw new ConfigError(ENV_INSTANCES, text, expected);
  return doc.map((e: unknown) => {
    const o = (e ?? {}) as Record<string, unknown>;
    const hourly = o.hourly_usd;
    if (typeof o.id !== 'string' || !o.id || typeof o.type !== 'string' || !o.type
      || (hourly !== undefined && !(typeof hourly === 'number' && hourly > 0))) {
      throw new ConfigError(ENV_INSTANCES, text, expected);
    }
    return { id: o.id, type: o.type, ...(hourly !== undefined ? { hourlyUsd: hourly as number } : {}) };
  });
}
