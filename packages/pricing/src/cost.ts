// Cost arithmetic: one call's usage × one price entry, per tier; and its span attributes.
import {
  ATTR_COST_CACHE_READ_USD,
  ATTR_COST_CACHE_WRITE_USD,
  ATTR_COST_INPUT_USD,
  ATTR_COST_OUTPUT_USD,
  ATTR_COST_SOURCE,
  ATTR_COST_USD,
  ATTR_PRICE_TIER,
  COST_SOURCE_UNPRICED,
  PROVIDER_ANTHROPIC,
  PROVIDER_AWS_BEDROCK,
  PROVIDER_OPENAI,
  type PriceTier,
} from '@tokenledger/semconv';
import type { CostBreakdown, ModelPrice, ProvisionedPrice, Usage } from './types.ts';

/** Providers whose batch APIs are documented at 50% of on-demand (Bedrock, OpenAI, Anthropic). */
const HALF_PRICE_BATCH_PROVIDERS = new Set([PROVIDER_AWS_BEDROCK, PROVIDER_OPENAI, PROVIDER_ANTHROPIC]);

/** A breakdown that says "no price": all zero, never to be reported as free. */
export function unpriced(tier: PriceTier): CostBreakdown {
  return {
    priced: false, totalUsd: 0, inputUsd: 0, outputUsd: 0, cacheReadUsd: 0, cacheWriteUsd: 0,
    cacheSavingsUsd: 0, queryUsd: 0, source: COST_SOURCE_UNPRICED, tier,
  };
}

/** Per-token input/output prices of `tier`, or undefined when the tier is not priced per token. */
function tierPrices(p: ModelPrice, tier: PriceTier, provider: string | undefined): [number, number] | undefined {
  const input = p.inputCostPerToken ?? 0;
  const output = p.outputCostPerToken ?? 0;
  switch (tier) {
    case 'on_demand':
      return [input, output];
    case 'batch': {
      const factor = HALF_PRICE_BATCH_PROVIDERS.has(p.provider ?? provider ?? '') ? 0.5 : 1;
      return [p.inputCostPerTokenBatches ?? input * factor, p.outputCostPerTokenBatches ?? output * factor];
    }
    case 'flex':
      return [p.inputCostPerTokenFlex ?? input, p.outputCostPerTokenFlex ?? output];
    case 'priority':
      return [p.inputCostPerTokenPriority ?? input, p.outputCostPerTokenPriority ?? output];
    case 'provisioned':
    case 'self_hosted':
      return undefined; // paid by the hour, not per token
  }
}

/**
 * Prices one call. Input tokens include cache tokens, so each part is priced once:
 * uncached = input − cacheRead − cacheCreation; 1-hour cache writes (part of cacheCreation) at their own
 * price. Above the entry's long-context threshold (input tokens, cache included) every part is priced at
 * the long-context prices. Missing cache prices fall back to the input price (1-hour writes to the cache-write
 * price); a tier (batch/flex/priority) scales cache and long-context prices by its ratio to on-demand.
 */
export function priceUsage(p: ModelPrice, usage: Usage, tier: PriceTier, source: string, provider?: string): CostBreakdown {
  const prices = tierPrices(p, tier, provider);
  if (!prices) return unpriced(tier);
  const baseInput = p.inputCostPerToken ?? 0;
  const baseOutput = p.outputCostPerToken ?? 0;
  const inScale = baseInput > 0 ? prices[0] / baseInput : 1;
  const outScale = baseOutput > 0 ? prices[1] / baseOutput : 1;

  const totalInput = count(usage.inputTokens);
  const lc = p.longContext && totalInput > p.longContext.thresholdTokens ? p.longContext : undefined;
  let inputPrice = prices[0];
  let outputPrice = prices[1];
  let readBase = p.cacheReadInputTokenCost ?? baseInput;
  let writeBase = p.cacheCreationInputTokenCost ?? baseInput;
  let write1hBase = p.cacheCreationInputTokenCost1h ?? writeBase;
  if (lc) {
    const lcInput = lc.inputCostPerToken ?? baseInput;
    const ratio = baseInput > 0 ? lcInput / baseInput : 1;
    inputPrice = lcInput * inScale;
    outputPrice = (lc.outputCostPerToken ?? baseOutput) * outScale;
    readBase = lc.cacheReadInputTokenCost ?? readBase * ratio;
    writeBase = lc.cacheCreationInputTokenCost ?? writeBase * ratio;
    write1hBase = lc.cacheCreationInputTokenCost1h ?? write1hBase * ratio;
  }
  const readPrice = readBase * inScale;
  const writePrice = writeBase * inScale;
  const write1hPrice = write1hBase * inScale;

  const cacheRead = count(usage.cacheReadInputTokens);
  const cacheWrite = count(usage.cacheCreationInputTokens);
  const cacheWrite1h = Math.min(count(usage.cacheCreation1hInputTokens), cacheWrite);
  // Never negative, even if a caller passed an input count that excludes cache tokens.
  const uncached = Math.max(0, totalInput - cacheRead - cacheWrite);

  const inputUsd = uncached * inputPrice;
  const outputUsd = count(usage.outputTokens) * outputPrice;
  const cacheReadUsd = cacheRead * readPrice;
  const cacheWriteUsd = (cacheWrite - cacheWrite1h) * writePrice + cacheWrite1h * write1hPrice;
  const queryUsd = count(usage.queries) * (p.costPerQuery ?? 0);
  return {
    priced: true,
    totalUsd: inputUsd + outputUsd + cacheReadUsd + cacheWriteUsd + queryUsd,
    inputUsd,
    outputUsd,
    cacheReadUsd,
    cacheWriteUsd,
    cacheSavingsUsd: cacheRead * (inputPrice - readPrice) - (cacheWriteUsd - cacheWrite * inputPrice),
    queryUsd,
    source,
    tier,
    modelPriceId: p.id,
  };
}

/** A call's share of capacity bought by the hour: units × hourly × duration / 3600 / concurrency, tier `provisioned`. */
export function priceProvisioned(p: ProvisionedPrice, durationS: number, source: string): CostBreakdown {
  const totalUsd = (p.modelUnits * p.hourlyUsdPerModelUnit * Math.max(0, durationS)) / 3600 / p.concurrency;
  // The capacity serves the whole call; it is reported as the call's input part (no per-token split exists).
  return {
    priced: true, totalUsd, inputUsd: totalUsd, outputUsd: 0, cacheReadUsd: 0, cacheWriteUsd: 0, cacheSavingsUsd: 0,
    queryUsd: 0, source, tier: 'provisioned', modelPriceId: p.id,
  };
}

function count(n: number | undefined): number {
  return n !== undefined && Number.isFinite(n) && n > 0 ? n : 0;
}

/** The cost and price-tier span attributes (ATTR_COST_*, ATTR_PRICE_TIER) of a breakdown; only the source when unpriced. */
export function costAttributes(breakdown: CostBreakdown): Record<string, number | string> {
  if (!breakdown.priced) return { [ATTR_COST_SOURCE]: COST_SOURCE_UNPRICED };
  return {
    [ATTR_COST_USD]: breakdown.totalUsd,
    [ATTR_COST_INPUT_USD]: breakdown.inputUsd,
    [ATTR_COST_OUTPUT_USD]: breakdown.outputUsd,
    [ATTR_COST_CACHE_READ_USD]: breakdown.cacheReadUsd,
    [ATTR_COST_CACHE_WRITE_USD]: breakdown.cacheWriteUsd,
    [ATTR_COST_SOURCE]: breakdown.source,
    [ATTR_PRICE_TIER]: breakdown.tier,
  };
}
