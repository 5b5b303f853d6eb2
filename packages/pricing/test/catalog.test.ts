import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOG_VERSION, PriceBook } from '../src/index.ts';

const book = PriceBook.fromCatalog();
const DATE = /^\d{4}-\d{2}-\d{2}$/;

describe('catalog', () => {
  it('its data file carries the same version', () => {
    const raw = JSON.parse(readFileSync(new URL('../src/catalog.json', import.meta.url), 'utf8')) as { version: string };
    expect(raw.version).toBe(CATALOG_VERSION);
    expect(CATALOG_VERSION).toMatch(DATE);
  });

  it('every entry names its source and the day it was checked, and has a provider', () => {
    for (const entry of [...book.models(), ...book.instances()]) {
      expect(entry.source.length, JSON.stringify(entry)).toBeGreaterThan(10);
      expect(entry.checked, JSON.stringify(entry)).toMatch(DATE);
      expect(entry.origin).toBe('catalog');
    }
    for (const m of book.models()) expect(m.provider, m.id).toMatch(/^(aws\.bedrock|openai|anthropic)$/);
  });

  it('prices are per token (no per-1M figure slipped in) and each model has a price', () => {
    for (const m of book.models()) {
      for (const v of [m.inputCostPerToken, m.outputCostPerToken, m.cacheReadInputTokenCost, m.cacheCreationInputTokenCost]) {
        if (v !== undefined) expect(v, m.id).toBeLessThan(1e-3);
      }
      expect((m.inputCostPerToken ?? 0) + (m.outputCostPerToken ?? 0) + (m.costPerQuery ?? 0), m.id).toBeGreaterThan(0);
    }
  });

  it('Claude cache prices are 1.25× (write), 2× (1-hour write) and 0.1× (read) input, long-context ones too', () => {
    // Claude 3 Haiku is the documented exception: its 5-minute write is $0.30 (1.2×), not $0.3125.
    const claude = book.models().filter((e) => /claude/.test(e.id) && !/claude-3-haiku/.test(e.id) && e.cacheReadInputTokenCost !== undefined);
    expect(claude.length).toBeGreaterThan(20);
    for (const m of claude) {
      const what = `${m.id} ${m.profiles?.join(',') ?? ''}`;
      expect(m.cacheCreationInputTokenCost, what).toBeCloseTo(m.inputCostPerToken! * 1.25, 15);
      expect(m.cacheReadInputTokenCost, what).toBeCloseTo(m.inputCostPerToken! * 0.1, 15);
      if (m.cacheCreationInputTokenCost1h !== undefined) expect(m.cacheCreationInputTokenCost1h, what).toBeCloseTo(m.inputCostPerToken! * 2, 15);
      const lc = m.longContext;
      if (lc) {
        expect(lc.thresholdTokens).toBe(200_000);
        expect(lc.inputCostPerToken, what).toBeCloseTo(m.inputCostPerToken! * 2, 15);
        expect(lc.outputCostPerToken, what).toBeCloseTo(m.outputCostPerToken! * 1.5, 15);
        expect(lc.cacheReadInputTokenCost, what).toBeCloseTo(m.cacheReadInputTokenCost! * 2, 15);
        expect(lc.cacheCreationInputTokenCost, what).toBeCloseTo(m.cacheCreationInputTokenCost! * 2, 15);
      }
    }
  });

  it('Claude 4.5 and later on Bedrock: the default (in-Region/geographic) entry is 10% over the global one', () => {
    const bedrock = book.models().filter((e) => e.provider === 'aws.bedrock');
    const global = bedrock.filter((e) => e.profiles?.includes('global') && /claude/.test(e.id));
    expect(global.map((e) => e.id).sort()).toEqual([
      'anthropic.claude-haiku-4-5-20251001-v1:0', 'anthropic.claude-opus-4-5-20251101-v1:0', 'anthropic.claude-opus-4-6-v1',
      'anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic.claude-sonnet-4-6',
    ]);
    for (const g of global) {
      const regional = bedrock.find((e) => e.id === g.id && !e.profiles && !e.latency)!;
      for (const k of ['inputCostPerToken', 'outputCostPerToken', 'cacheReadInputTokenCost', 'cacheCreationInputTokenCost'] as const) {
        expect(regional[k], `${g.id} ${k}`).toBeCloseTo(g[k]! * 1.1, 15);
      }
    }
  });

  it('the entries of one model differ in what they apply to (no two alike)', () => {
    const keys = book.models().map((m) => `${m.provider}|${m.id}|${m.profiles ?? ''}|${m.regions ?? ''}|${m.latency ?? ''}`);
    expect(keys.length).toBe(new Set(keys).size);
  });

  it('covers the required models and instances', () => {
    const required = [
      'anthropic.claude-3-5-haiku-20241022-v1:0', 'anthropic.claude-haiku-4-5-20251001-v1:0', 'anthropic.claude-sonnet-4-20250514-v1:0',
      'anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic.claude-opus-4-20250514-v1:0', 'anthropic.claude-opus-4-1-20250805-v1:0',
      'amazon.nova-micro-v1:0', 'amazon.nova-lite-v1:0', 'amazon.nova-pro-v1:0', 'meta.llama3-1-8b-instruct-v1:0',
      'meta.llama3-1-70b-instruct-v1:0', 'meta.llama3-2-1b-instruct-v1:0', 'meta.llama3-2-3b-instruct-v1:0',
      'meta.llama3-2-11b-instruct-v1:0', 'meta.llama3-2-90b-instruct-v1:0', 'meta.llama3-3-70b-instruct-v1:0',
      'mistral.mistral-7b-instruct-v0:2', 'mistral.mixtral-8x7b-instruct-v0:1', 'mistral.mistral-large-2407-v1:0',
      'amazon.titan-embed-text-v2:0', 'amazon.titan-embed-text-v1', 'cohere.embed-english-v3', 'cohere.embed-multilingual-v3',
      'cohere.rerank-v3-5:0', 'gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'o1', 'o3', 'o3-mini', 'o4-mini',
      'text-embedding-3-small', 'text-embedding-3-large', 'claude-3-5-haiku', 'claude-haiku-4-5', 'claude-sonnet-4',
      'claude-sonnet-4-5', 'claude-opus-4', 'claude-opus-4-1',
      // issue 14: models users call today
      'gpt-5', 'gpt-5-mini', 'gpt-5-nano', 'gpt-4o-2024-05-13', 'text-embedding-ada-002', 'claude-opus-4-5', 'claude-opus-4-6',
      'claude-opus-4-7', 'claude-opus-4-8', 'claude-sonnet-4-6', 'claude-sonnet-4-0', 'claude-opus-4-0', 'claude-3-7-sonnet-latest',
      'anthropic.claude-3-7-sonnet-20250219-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0', 'anthropic.claude-3-5-sonnet-20241022-v2:0',
      'amazon.nova-2-lite-v1:0', 'meta.llama4-maverick-17b-instruct-v1:0', 'meta.llama4-scout-17b-instruct-v1:0',
      'openai.gpt-oss-120b-1:0', 'openai.gpt-oss-20b-1:0', 'deepseek.r1-v1:0', 'cohere.embed-v4:0',
    ];
    const ids = new Set(book.models().flatMap((m) => [m.id, ...(m.aliases ?? [])]));
    expect(required.filter((id) => !ids.has(id))).toEqual([]);
    const types = ['inf2.xlarge', 'inf2.8xlarge', 'inf2.24xlarge', 'inf2.48xlarge', 'trn1.2xlarge', 'trn1.32xlarge', 'g5.xlarge',
      'g5.2xlarge', 'g5.12xlarge', 'g5.48xlarge', 'g6.xlarge', 'g6.2xlarge', 'g6.12xlarge', 'g6.48xlarge', 'p4d.24xlarge', 'p5.48xlarge'];
    for (const t of types) expect(book.instance(t)?.accelerators, t).toBeGreaterThan(0);
    expect(book.instance('inf2.xlarge')).toMatchObject({ hourlyUsd: 0.7582, accelerators: 2 });
    // Stale before issue 14 ($32.77/h): AWS cut P4d in June 2025.
    expect(book.instance('p4d.24xlarge')).toMatchObject({ hourlyUsd: 21.96, accelerators: 8, checked: '2026-12-04' });
  });

  it('OpenAI entries carry batch and cached-input prices', () => {
    for (const m of book.models().filter((e) => e.provider === 'openai')) {
      expect(m.inputCostPerTokenBatches, m.id).toBeGreaterThan(0);
      // gpt-4o-2024-05-13 has no cached-input price (OpenAI lists none).
      if (!m.id.startsWith('text-embedding') && m.id !== 'gpt-4o-2024-05-13') expect(m.cacheReadInputTokenCost, m.id).toBeGreaterThan(0);
    }
  });
});
