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

  it('Claude cache prices are 1.25× (write) and 0.1× (read) input', () => {
    for (const m of book.models().filter((e) => /claude/.test(e.id))) {
      expect(m.cacheCreationInputTokenCost, m.id).toBeCloseTo(m.inputCostPerToken! * 1.25, 15);
      expect(m.cacheReadInputTokenCost, m.id).toBeCloseTo(m.inputCostPerToken! * 0.1, 15);
    }
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
    ];
    const ids = new Set(book.models().map((m) => m.id));
    expect(required.filter((id) => !ids.has(id))).toEqual([]);
    const types = ['inf2.xlarge', 'inf2.8xlarge', 'inf2.24xlarge', 'inf2.48xlarge', 'trn1.2xlarge', 'trn1.32xlarge', 'g5.xlarge',
      'g5.2xlarge', 'g5.12xlarge', 'g5.48xlarge', 'g6.xlarge', 'g6.2xlarge', 'g6.12xlarge', 'g6.48xlarge', 'p4d.24xlarge', 'p5.48xlarge'];
    for (const t of types) expect(book.instance(t)?.accelerators, t).toBeGreaterThan(0);
    expect(book.instance('inf2.xlarge')).toMatchObject({ hourlyUsd: 0.7582, accelerators: 2 });
  });

  it('OpenAI entries carry batch and cached-input prices', () => {
    for (const m of book.models().filter((e) => e.provider === 'openai')) {
      expect(m.inputCostPerTokenBatches, m.id).toBeGreaterThan(0);
      if (!m.id.startsWith('text-embedding')) expect(m.cacheReadInputTokenCost, m.id).toBeGreaterThan(0);
    }
  });
});
