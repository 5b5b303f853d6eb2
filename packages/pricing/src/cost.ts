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
import type { CostBreakdown, ModelPrice, Usage } from './types.ts';

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
 * uncached = input − cacheRead − cacheCreation. Missing cache prices fall back to the input
 * price; cache prices follow the tier's discount of the input price (batch/flex/priority).
 */
export function priceUsage(p: ModelPrice, usage: Usage, tier: PriceTier, source: string, provider?: string): CostBreakdown {
  const prices = tierPrices(p, tier, provider);
  if (!prices) return unpriced(tier);
  const [inputPrice, outputPrice] = prices;
  const onDemandInput = p.inputCostPerToken ?? 0;
  const scale = onDemandInput > 0 ? inputPrice / onDemandInput : 1;
  const readPrice = (p.cacheReadInputTokenCost ?? onDemandInput) * scale;
  const writePrice = (p.cacheCreationInputTokenCost ?? onDemandInput) * scale;

  const cacheRead = count(usage.cacheReadInputTokens);
  const cacheWrite = count(usage.cacheCreationInputTokens);
  // Never negative, even if a caller passed an input count that excludes cache tokens.
  const uncached = Math.max(0, count(usage.inputTokens) - cacheRead - cacheWrite);

  const inputUsd = uncached * inputPrice;
  const outputUsd = count(usage.outputTokens) * outputPrice;
  const cacheReadUsd = cacheRead * readPrice;
  const cacheWriteUsd = cacheWrite * writePrice;
  const queryUsd = count(usage.queries) * (p.costPerQuery ?? 0);
  return {
    priced: true,
    totalUsd: inputUsd + outputUsd + cacheReadUsd + cacheWriteUsd + queryUsd,
    inputUsd,
    outputUsd,
    cacheReadUsd,
    cacheWriteUsd,
    cacheSavingsUsd: cacheRead * (inputPrice - readPrice) - cacheWrite * (writePrice - inputPrice),
    queryUsd,
    source,
    tier,
    modelPriceId: p.id,
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
