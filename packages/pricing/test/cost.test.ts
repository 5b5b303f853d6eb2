import {
  ATTR_COST_CACHE_READ_USD, ATTR_COST_CACHE_WRITE_USD, ATTR_COST_INPUT_USD, ATTR_COST_OUTPUT_USD,
  ATTR_COST_SOURCE, ATTR_COST_USD, ATTR_PRICE_TIER,
} from '@tokenledger/semconv';
import { describe, expect, it } from 'vitest';
import { CATALOG_VERSION, PriceBook, costAttributes } from '../src/index.ts';

const book = PriceBook.fromCatalog();
const close = (actual: number, expected: number) => expect(actual).toBeCloseTo(expected, 12);

describe('arithmetic (hand-computed)', () => {
  it('Claude 3.5 Haiku on Bedrock: each part priced once, input includes cache tokens', () => {
    // 10,000 input of which 6,000 cache read and 1,000 cache write → 3,000 uncached.
    const c = book.cost('us.anthropic.claude-3-5-haiku-20241022-v1:0',
      { inputTokens: 10_000, outputTokens: 500, cacheReadInputTokens: 6_000, cacheCreationInputTokens: 1_000 },
      { provider: 'aws.bedrock' });
    expect(c.priced).toBe(true);
    expect(c.source).toBe(`catalog:${CATALOG_VERSION}`);
    expect(c.tier).toBe('on_demand');
    expect(c.modelPriceId).toBe('anthropic.claude-3-5-haiku-20241022-v1:0');
    close(c.inputUsd, 3_000 * 0.8e-6); // 0.0024
    close(c.cacheReadUsd, 6_000 * 0.08e-6); // 0.00048
    close(c.cacheWriteUsd, 1_000 * 1e-6); // 0.001
    close(c.outputUsd, 500 * 4e-6); // 0.002
    close(c.totalUsd, 0.0024 + 0.00048 + 0.001 + 0.002);
    // savings = 6000 × (0.8 − 0.08)e-6 − 1000 × (1.0 − 0.8)e-6 = 0.00432 − 0.0002
    close(c.cacheSavingsUsd, 0.00412);
  });

  it('reasoning tokens are part of output and not priced twice', () => {
    const c = book.cost('o3-2025-04-16', { inputTokens: 1_000, outputTokens: 2_000, reasoningOutputTokens: 1_500 }, { provider: 'openai' });
    close(c.outputUsd, 2_000 * 8e-6);
    close(c.totalUsd, 1_000 * 2e-6 + 2_000 * 8e-6);
  });

  it('OpenAI cached input at the cached price; missing cache-write price falls back to input', () => {
    const c = book.cost('gpt-4o-mini', { inputTokens: 2_000, outputTokens: 100, cacheReadInputTokens: 1_024, cacheCreationInputTokens: 100 });
    close(c.inputUsd, 876 * 0.15e-6);
    close(c.cacheReadUsd, 1_024 * 0.075e-6);
    close(c.cacheWriteUsd, 100 * 0.15e-6);
    close(c.outputUsd, 100 * 0.6e-6);
    close(c.cacheSavingsUsd, 1_024 * 0.075e-6);
  });

  it('Nova: cache read priced, cache write at the input price (no surcharge)', () => {
    const c = book.cost('amazon.nova-pro-v1:0', { inputTokens: 4_000, outputTokens: 0, cacheReadInputTokens: 3_000, cacheCreationInputTokens: 1_000 });
    close(c.inputUsd, 0);
    close(c.cacheReadUsd, 3_000 * 0.2e-6);
    close(c.cacheWriteUsd, 1_000 * 0.8e-6);
    close(c.totalUsd, 0.0006 + 0.0008);
  });

  it('never negative when cache tokens exceed the input count', () => {
    const c = book.cost('claude-sonnet-4', { inputTokens: 10, outputTokens: 0, cacheReadInputTokens: 100 }, { provider: 'anthropic' });
    expect(c.inputUsd).toBe(0);
    close(c.cacheReadUsd, 100 * 0.3e-6);
  });

  it('rerank priced per query', () => {
    const c = book.cost('cohere.rerank-v3-5:0', { inputTokens: 0, outputTokens: 0, queries: 3 }, { provider: 'aws.bedrock' });
    close(c.queryUsd ?? NaN, 0.006);
    close(c.totalUsd, 0.006);
  });

  it('embeddings: input only', () => {
    const c = book.cost('amazon.titan-embed-text-v2:0', { inputTokens: 1_000_000, outputTokens: 0 });
    close(c.totalUsd, 0.02);
  });
});

describe('tiers', () => {
  const usage = { inputTokens: 1_000, outputTokens: 1_000, cacheReadInputTokens: 400 };

  it('batch uses the entry batch prices and scales cache prices alike', () => {
    const c = book.cost('gpt-4.1', usage, { provider: 'openai', tier: 'batch' });
    expect(c.tier).toBe('batch');
    close(c.inputUsd, 600 * 1e-6);
    close(c.outputUsd, 1_000 * 4e-6);
    close(c.cacheReadUsd, 400 * 0.25e-6); // 0.50 × (1.00 / 2.00)
  });

  it('batch without batch prices is 50% of on-demand for Bedrock', () => {
    const c = book.cost('meta.llama3-3-70b-instruct-v1:0', { inputTokens: 1_000, outputTokens: 1_000 }, { provider: 'aws.bedrock', tier: 'batch' });
    close(c.totalUsd, 2_000 * 0.36e-6);
  });

  it('batch for Anthropic direct: 50%, cache prices too', () => {
    const c = book.cost('claude-haiku-4-5', { inputTokens: 1_000, outputTokens: 100, cacheReadInputTokens: 500, cacheCreationInputTokens: 500 },
      { provider: 'anthropic', tier: 'batch' });
    close(c.inputUsd, 0);
    close(c.cacheReadUsd, 500 * 0.05e-6);
    close(c.cacheWriteUsd, 500 * 0.625e-6);
    close(c.outputUsd, 100 * 2.5e-6);
  });

  it('flex and priority use their prices when present, else on-demand', () => {
    close(book.cost('o3', { inputTokens: 1_000, outputTokens: 1_000 }, { tier: 'flex' }).totalUsd, 1_000 * 1e-6 + 1_000 * 4e-6);
    close(book.cost('o3', { inputTokens: 1_000, outputTokens: 1_000 }, { tier: 'priority' }).totalUsd, 1_000 * 3.5e-6 + 1_000 * 14e-6);
    const flexFallback = book.cost('amazon.nova-lite-v1:0', { inputTokens: 1_000, outputTokens: 1_000 }, { tier: 'flex' });
    expect(flexFallback.tier).toBe('flex');
    close(flexFallback.totalUsd, 1_000 * 0.06e-6 + 1_000 * 0.24e-6);
  });

  it('provisioned and self_hosted are not per-token: unpriced', () => {
    for (const tier of ['provisioned', 'self_hosted'] as const) {
      const c = book.cost('gpt-4o', usage, { tier });
      expect(c).toMatchObject({ priced: false, source: 'unpriced', totalUsd: 0, tier });
    }
  });
});

describe('unpriced', () => {
  it('a model with no price is unpriced with all amounts 0', () => {
    const c = book.cost('acme-llm-9000', { inputTokens: 10, outputTokens: 10 }, { provider: 'openai' });
    expect(c).toMatchObject({
      priced: false, source: 'unpriced', tier: 'on_demand',
      totalUsd: 0, inputUsd: 0, outputUsd: 0, cacheReadUsd: 0, cacheWriteUsd: 0, cacheSavingsUsd: 0,
    });
    expect(c.modelPriceId).toBeUndefined();
  });
});

describe('costAttributes', () => {
  it('maps a priced breakdown onto the contract names', () => {
    const c = book.cost('gpt-4o', { inputTokens: 1_000, outputTokens: 100, cacheReadInputTokens: 200 });
    expect(costAttributes(c)).toEqual({
      [ATTR_COST_USD]: c.totalUsd,
      [ATTR_COST_INPUT_USD]: c.inputUsd,
      [ATTR_COST_OUTPUT_USD]: c.outputUsd,
      [ATTR_COST_CACHE_READ_USD]: c.cacheReadUsd,
      [ATTR_COST_CACHE_WRITE_USD]: 0,
      [ATTR_COST_SOURCE]: `catalog:${CATALOG_VERSION}`,
      [ATTR_PRICE_TIER]: 'on_demand',
    });
    close(c.totalUsd, 800 * 2.5e-6 + 200 * 1.25e-6 + 100 * 10e-6);
  });
  it('only the source when unpriced', () => {
    expect(costAttributes(book.cost('nope', { inputTokens: 1, outputTokens: 1 }))).toEqual({ [ATTR_COST_SOURCE]: 'unpriced' });
  });
});

describe('issue 14: fixed and new entries, hand-computed', () => {
  it('gpt-4o-2024-05-13 is priced at its own $5/$15, not at gpt-4o’s $2.50/$10', () => {
    const c = book.cost('gpt-4o-2024-05-13', { inputTokens: 1_000, outputTokens: 500 }, { provider: 'openai' });
    expect(c.modelPriceId).toBe('gpt-4o-2024-05-13');
    close(c.totalUsd, 0.005 + 0.0075); // 1,000 × $5/M + 500 × $15/M (was 0.0025 + 0.005)
    close(book.cost('gpt-4o-2024-08-06', { inputTokens: 1_000, outputTokens: 500 }, { provider: 'openai' }).totalUsd, 0.0025 + 0.005);
  });

  it('Claude Sonnet 4.5 on Bedrock: a geographic profile costs 10% more than global, every part', () => {
    const usage = { inputTokens: 10_000, outputTokens: 1_000, cacheReadInputTokens: 2_000, cacheCreationInputTokens: 1_000 };
    const us = book.cost('us.anthropic.claude-sonnet-4-5-20250929-v1:0', usage, { provider: 'aws.bedrock' });
    // 7,000 × 3.30 + 2,000 × 0.33 + 1,000 × 4.125 + 1,000 × 16.50 (per M)
    close(us.inputUsd, 0.0231);
    close(us.cacheReadUsd, 0.00066);
    close(us.cacheWriteUsd, 0.004125);
    close(us.outputUsd, 0.0165);
    close(us.totalUsd, 0.044385);
    const global = book.cost('global.anthropic.claude-sonnet-4-5-20250929-v1:0', usage, { provider: 'aws.bedrock' });
    close(global.totalUsd, 0.021 + 0.0006 + 0.00375 + 0.015); // 0.04035
    // In-Region (no prefix) is the regional price too.
    close(book.cost('anthropic.claude-sonnet-4-5-20250929-v1:0', usage, { provider: 'aws.bedrock', region: 'eu-west-1' }).totalUsd, 0.044385);
  });

  it('Claude Haiku 4.5 in GovCloud: 20% over global, by profile or by region', () => {
    const usage = { inputTokens: 1_000, outputTokens: 1_000 };
    close(book.cost('us-gov.anthropic.claude-haiku-4-5-20251001-v1:0', usage, { provider: 'aws.bedrock' }).totalUsd, 0.0012 + 0.006);
    close(book.cost('anthropic.claude-haiku-4-5-20251001-v1:0', usage, { provider: 'aws.bedrock', region: 'us-gov-west-1' }).totalUsd, 0.0072);
    close(book.cost('global.anthropic.claude-haiku-4-5-20251001-v1:0', usage, { provider: 'aws.bedrock' }).totalUsd, 0.006);
  });

  it('Nova on eu. and apac. profiles costs more than in us-east-1', () => {
    const usage = { inputTokens: 10_000, outputTokens: 1_000 };
    close(book.cost('eu.amazon.nova-lite-v1:0', usage, { provider: 'aws.bedrock' }).totalUsd, 10_000 * 0.078e-6 + 1_000 * 0.312e-6);
    close(book.cost('apac.amazon.nova-lite-v1:0', usage, { provider: 'aws.bedrock' }).totalUsd, 10_000 * 0.063e-6 + 1_000 * 0.252e-6);
    close(book.cost('us.amazon.nova-lite-v1:0', usage, { provider: 'aws.bedrock' }).totalUsd, 0.0006 + 0.00024);
  });

  it('Llama 3.x on Bedrock at AWS’s own price, batch at its listed half', () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 };
    close(book.cost('meta.llama3-1-70b-instruct-v1:0', usage, { provider: 'aws.bedrock' }).totalUsd, 1.44);
    close(book.cost('meta.llama3-1-405b-instruct-v1:0', usage, { provider: 'aws.bedrock', tier: 'batch' }).totalUsd, 2.4);
    close(book.cost('meta.llama3-2-90b-instruct-v1:0', usage, { provider: 'aws.bedrock' }).totalUsd, 1.44);
  });

  it('1-hour cache writes at 2× input, 5-minute writes at 1.25× (Anthropic direct)', () => {
    // 10,000 input = 2,000 uncached + 3,000 written for 5 minutes + 5,000 written for 1 hour.
    const c = book.cost('claude-sonnet-4-5-20250929',
      { inputTokens: 10_000, outputTokens: 100, cacheCreationInputTokens: 8_000, cacheCreation1hInputTokens: 5_000 }, { provider: 'anthropic' });
    close(c.inputUsd, 0.006);
    close(c.cacheWriteUsd, 3_000 * 3.75e-6 + 5_000 * 6e-6); // 0.01125 + 0.03
    close(c.outputUsd, 0.0015);
    close(c.totalUsd, 0.04875);
    // what the writes cost above the input price is a negative saving
    close(c.cacheSavingsUsd, -(0.04125 - 8_000 * 3e-6));
  });

  it('long context: above 200k input tokens (cache included) the whole call is at the long-context prices', () => {
    const over = book.cost('claude-sonnet-4-5', { inputTokens: 250_000, outputTokens: 2_000, cacheReadInputTokens: 50_000 }, { provider: 'anthropic' });
    close(over.inputUsd, 200_000 * 6e-6);
    close(over.cacheReadUsd, 50_000 * 0.6e-6);
    close(over.outputUsd, 2_000 * 22.5e-6);
    close(over.totalUsd, 1.2 + 0.03 + 0.045);
    const at = book.cost('claude-sonnet-4-5', { inputTokens: 200_000, outputTokens: 2_000 }, { provider: 'anthropic' });
    close(at.totalUsd, 200_000 * 3e-6 + 2_000 * 15e-6); // exactly 200k is not above it
    // Bedrock Sonnet 4: same rates; a geographic profile of Sonnet 4.5 adds its 10%.
    close(book.cost('anthropic.claude-sonnet-4-20250514-v1:0', { inputTokens: 250_000, outputTokens: 2_000 }, { provider: 'aws.bedrock' }).totalUsd, 1.5 + 0.045);
    close(book.cost('eu.anthropic.claude-sonnet-4-5-20250929-v1:0', { inputTokens: 250_000, outputTokens: 2_000 }, { provider: 'aws.bedrock' }).totalUsd, 250_000 * 6.6e-6 + 2_000 * 24.75e-6);
    // batch halves the long-context prices too
    close(book.cost('claude-sonnet-4-5', { inputTokens: 250_000, outputTokens: 0 }, { provider: 'anthropic', tier: 'batch' }).totalUsd, 0.75);
  });

  it('latency-optimized inference at its own price', () => {
    const usage = { inputTokens: 1_000, outputTokens: 1_000 };
    close(book.cost('us.amazon.nova-pro-v1:0', usage, { provider: 'aws.bedrock', latency: 'optimized' }).totalUsd, 0.001 + 0.004);
    close(book.cost('us.amazon.nova-pro-v1:0', usage, { provider: 'aws.bedrock', latency: 'standard' }).totalUsd, 0.0008 + 0.0032);
    close(book.cost('meta.llama3-1-405b-instruct-v1:0', usage, { provider: 'aws.bedrock', latency: 'optimized' }).totalUsd, 0.006);
  });

  it('a model the catalog lacks is priced by the maintained source, long-context tier included', () => {
    const c = book.cost('gpt-5.4', { inputTokens: 100_000, outputTokens: 1_000 }, { provider: 'openai' });
    expect(c.source).toBe('genai-prices:0.1.8');
    close(c.totalUsd, 100_000 * 2.5e-6 + 1_000 * 15e-6);
    // OpenAI's long-context rates start at 272K input tokens
    close(book.cost('gpt-5.4', { inputTokens: 300_000, outputTokens: 1_000 }, { provider: 'openai' }).totalUsd, 300_000 * 5e-6 + 1_000 * 22.5e-6);
    expect(costAttributes(c)[ATTR_COST_SOURCE]).toBe('genai-prices:0.1.8');
  });
});
