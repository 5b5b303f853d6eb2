// TOKENLEDGER_QUOTAS: the Bedrock tokens-per-minute quotas quota pressure is measured against (collector/src/quota).
import { type Env, json } from './parse.ts';

/** One tokens-per-minute quota, as shown in Service Quotas for the model (and the region, when given). */
export interface TokenQuota {
  /** The model id as called (an inference profile such as `us.anthropic…` has its own cross-Region quota). */
  model: string;
  /** AWS region; unset: the quota applies in every region the model is called in (each region separately). */
  region?: string;
  tokensPerMinute: number;
  /** Output burndown rate overriding the documented one (AWS may change it per model). */
  outputBurndown?: number;
}

export interface QuotaConfig {
  /** Env TOKENLEDGER_QUOTAS, a JSON array of `{"model", "region"?, "tokens_per_minute", "output_burndown"?}`; default none. */
  quotas: TokenQuota[];
}

const EXPECTED = 'a JSON array of {"model": string, "region"?: string, "tokens_per_minute": positive number, "output_burndown"?: positive number}';

export function quotaConfigFromEnv(env: Env = process.env): QuotaConfig {
  return { quotas: json(env, 'TOKENLEDGER_QUOTAS', EXPECTED, quotas) ?? [] };
}

function quotas(doc: unknown): TokenQuota[] | undefined {
  if (!Array.isArray(doc)) return undefined;
  const out: TokenQuota[] = [];
  for (const e of doc as unknown[]) {
    const o = (e ?? {}) as Record<string, unknown>;
    const positive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;
    if (typeof o.model !== 'string' || !o.model || !positive(o.tokens_per_minute)) return undefined;
    if (o.region !== undefined && (typeof o.region !== 'string' || !o.region)) return undefined;
    if (o.output_burndown !== undefined && !positive(o.output_burndown)) return undefined;
    out.push({
      model: o.model,
      tokensPerMinute: o.tokens_per_minute as number,
      ...(o.region !== undefined && { region: o.region as string }),
      ...(o.output_burndown !== undefined && { outputBurndown: o.output_burndown as number }),
    });
  }
  return out;
}
