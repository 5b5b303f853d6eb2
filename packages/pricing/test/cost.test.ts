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
