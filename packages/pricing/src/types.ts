import type { PriceTier } from '@tokenledger/semconv';

/** One model's prices, USD per token (the price-file shape of the design, camel-cased in memory). */
export interface ModelPrice {
  /** Canonical model id, e.g. `anthropic.claude-3-5-haiku-20241022-v1:0` or `gpt-4o-mini`. */
  id: string;
  /** Provider name (gen_ai.provider.name value) this entry applies to (`aws.bedrock`, `openai`, `anthropic`, …); any provider when absent. */
  provider?: string;
  /** Optional case-insensitive regex matched against the (normalised) model id. */
  match?: RegExp;
  /** Other ids of the same model at the same price (dated snapshots, documented aliases). */
  aliases?: string[];
  /**
   * Inference-profile classes this entry prices (Bedrock): `global`, `us`, `eu`, `apac`, `au`, `jp`, `ca`,
   * `in`, `us-gov`, or `in_region` (no profile prefix). Absent: every class no other entry of the model claims.
   */
  profiles?: string[];
  /** AWS regions this entry prices (`eu-central-1`, or a prefix ending in `*`, e.g. `eu-*`); absent: any. */
  regions?: string[];
  /** `optimized`: the price of latency-optimized inference (Bedrock `performanceConfig.latency`). */
  latency?: 'optimized';
  inputCostPerToken?: number;
  outputCostPerToken?: number;
  cacheReadInputTokenCost?: number;
  cacheCreationInputTokenCost?: number;
  /** 1-hour prompt-cache writes (Anthropic `ephemeral_1h`, Bedrock `cacheDetails` ttl `1h`); else the cache-write price. */
  cacheCreationInputTokenCost1h?: number;
  inputCostPerTokenBatches?: number;
  outputCostPerTokenBatches?: number;
  inputCostPerTokenFlex?: number;
  outputCostPerTokenFlex?: number;
  inputCostPerTokenPriority?: number;
  outputCostPerTokenPriority?: number;
  /** Rerank and similar per-request prices (USD per query/search unit). */
  costPerQuery?: number;
  /** Prices of a call whose input (cache tokens included) exceeds `thresholdTokens`: the whole call, every part. */
  longContext?: LongContextPrice;
  /** Where the figure comes from (URL or document) and the day it was checked (YYYY-MM-DD). */
  source: string;
  checked: string;
  /** `catalog` for bundled entries, `override` for TOKENLEDGER_PRICES_FILE, `maintained` for @pydantic/genai-prices. */
  origin: 'catalog' | 'override' | 'maintained';
}

/** Long-context prices (Claude Sonnet 4/4.5 above 200k input tokens, GPT-5.4 above 272k, …). */
export interface LongContextPrice {
  /** The tier applies when input tokens (cache tokens included) are greater than this. */
  thresholdTokens: number;
  inputCostPerToken?: number;
  outputCostPerToken?: number;
  cacheReadInputTokenCost?: number;
  cacheCreationInputTokenCost?: number;
  cacheCreationInputTokenCost1h?: number;
}

/** A Bedrock Provisioned Throughput (or other capacity bought by the hour) that serves some model ids. */
export interface ProvisionedPrice {
  id: string;
  /** Case-insensitive regex matched against the model id (e.g. the provisioned-model ARN). */
  match: RegExp;
  provider?: string;
  modelUnits: number;
  hourlyUsdPerModelUnit: number;
  /** Calls served at once; a call is charged its duration / concurrency of the hourly price. Default 1. */
  concurrency: number;
  source: string;
  checked: string;
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
  /** Part of cacheCreationInputTokens written with a 1-hour TTL. */
  cacheCreation1hInputTokens?: number;
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
  /** `catalog:<version>`, `override`, `genai-prices:<version>` or `unpriced`. */
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
  /** AWS region the call was made in (aws-sdk request region): selects regional prices. */
  region?: string;
  /** Bedrock `performanceConfig.latency` the call ran with (the response's, else the request's). */
  latency?: string;
  /** Seconds the call took: its share of Provisioned Throughput it ran on. */
  durationS?: number;
}
