import type { PriceTier } from '@tokenledger/semconv';

/** One model's prices, USD per token (the price-file shape of the design, camel-cased in memory). */
export interface ModelPrice {
  /** Canonical model id, e.g. `anthropic.claude-3-5-haiku-20241022-v1:0` or `gpt-4o-mini`. */
  id: string;
  /** Provider name (gen_ai.provider.name value) this entry applies to (`aws.bedrock`, `openai`, `anthropic`, …); any provider when absent. */
  provider?: string;
  /** Optional case-insensitive regex matched against the (normalised) model id. */
  match?: RegExp;
  inputCostPerToken?: number;
  outputCostPerToken?: number;
  cacheReadInputTokenCost?: number;
  cacheCreationInputTokenCost?: number;
  inputCostPerTokenBatches?: number;
  outputCostPerTokenBatches?: number;
  inputCostPerTokenFlex?: number;
  outputCostPerTokenFlex?: number;
  inputCostPerTokenPriority?: number;
  outputCostPerTokenPriority?: number;
  /** Rerank and similar per-request prices (USD per query/search unit). */
  costPerQuery?: number;
  /** Where the figure comes from (URL or document) and the day it was checked (YYYY-MM-DD). */
  source: string;
  checked: string;
  /** `catalog` for bundled entries, `override` for entries from TOKENLEDGER_PRICES_FILE. */
  origin: 'catalog' | 'override';
}

/** An instance type's on-demand hourly price, for self-hosted capacity. */
export interface InstancePrice {
  type: string;
  hourlyUsd: number;
  accelerators?: number;
  source: string;
  checked: string;
  origin: 'catalog' | 'override';
}

/** Token usage of one call. `inputTokens` INCLUDES cache-read and cache-creation tokens (GenAI convention). */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  /** Part of outputTokens; priced as output. */
  reasoningOutputTokens?: number;
  /** Rerank queries (search units), priced by `costPerQuery`. */
  queries?: number;
}

/** The price of one call, split into the design's parts. */
export interface CostBreakdown {
  /** False when no price was found: all amounts are 0 and `source` is `unpriced`; never report it as free. */
  priced: boolean;
  totalUsd: number;
  inputUsd: number;
  outputUsd: number;
  cacheReadUsd: number;
  cacheWriteUsd: number;
  /** What the cached tokens would have cost at the input price, minus what they did cost (may be negative for writes). */
  cacheSavingsUsd: number;
  /** Per-query part (rerank), included in `totalUsd`; no attribute of its own. */
  queryUsd?: number;
  /** `catalog:<version>`, `override` or `unpriced`. */
  source: string;
  tier: PriceTier;
  /** The entry used, when priced. */
  modelPriceId?: string;
}

export interface CostOptions {
  /** Provider name of the call; entries of another provider never match. Default: none (any entry matches). */
  provider?: string;
  /**
   * Price tier. Default `on_demand`. `batch` uses *_batches prices, else 50% of on-demand for aws.bedrock,
   * openai and anthropic; `flex`/`priority` use their prices, else on-demand; `provisioned` and
   * `self_hosted` are not per-token and come back unpriced.
   */
  tier?: PriceTier;
}
