import { describe, expect, it } from 'vitest';
import { CATALOG_VERSION, PriceBook, normaliseModelId, parseModelId, type ModelPrice } from '../src/index.ts';

const GENAI_VERSION = '0.1.8';
const CATALOG = `catalog:${CATALOG_VERSION}`;
const MAINTAINED = `genai-prices:${GENAI_VERSION}`;
/** The curated catalog alone, so these tests say which entry the catalog itself picks. */
const curated = PriceBook.fromCatalog({ maintained: false });
const book = PriceBook.fromCatalog();
const PROFILE_PREFIXES = ['us', 'eu', 'apac', 'au', 'jp', 'global', 'us-gov', 'ca'];

/** The id a call would carry to be priced by `entry`, and its latency. */
function callFor(entry: ModelPrice): { id: string; latency?: string } {
  const profile = entry.profiles?.find((p) => p !== 'in_region');
  return { id: profile ? `${profile}.${entry.id}` : entry.id, latency: entry.latency };
}

describe('every catalog entry is found', () => {
  for (const entry of curated.models()) {
    const { id, latency } = callFor(entry);
    it(`${id}${latency ? ` (latency ${latency})` : ''} by its id and aliases, upper-cased, with and without its provider`, () => {
      for (const name of [id, ...(entry.aliases ?? [])]) {
        expect(curated.lookup(name, entry.provider, { latency })).toBe(entry);
        expect(curated.lookup(name.toUpperCase(), entry.provider, { latency })).toBe(entry);
        expect(curated.lookup(name, undefined, { latency })).toBe(entry);
      }
    });
  }
  for (const entry of curated.models().filter((m) => m.provider === 'aws.bedrock' && !m.profiles && !m.latency)) {
    it(`${entry.id}: profile prefixes and ARNs pick this entry unless one for that profile exists`, () => {
      const claimed = new Set(curated.models().filter((m) => m.id === entry.id && !m.latency).flatMap((m) => m.profiles ?? []));
      for (const prefix of PROFILE_PREFIXES) {
        const hit = curated.lookup(`${prefix}.${entry.id}`, 'aws.bedrock');
        expect(hit?.id, prefix).toBe(entry.id);
        expect(hit === entry, prefix).toBe(!claimed.has(prefix));
      }
      expect(curated.lookup(`arn:aws:bedrock:us-east-1::foundation-model/${entry.id}`, 'aws.bedrock')).toBe(entry);
      expect(curated.lookup(`arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.${entry.id}`, 'aws.bedrock')?.id).toBe(entry.id);
      expect(curated.lookup(`arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:inference-profile/us-gov.${entry.id}`)?.id).toBe(entry.id);
    });
  }
  for (const instance of curated.instances()) {
    it(`instance ${instance.type}`, () => {
      expect(curated.instance(instance.type)).toBe(instance);
      expect(curated.instance(instance.type.toUpperCase())).toBe(instance);
    });
  }
});

/**
 * Realistic ids → the entry and the source that must price them, and the input price they get.
 * [id, provider, call context, entry id, source, USD per input token]
 */
type Row = [string, string | undefined, { region?: string; latency?: string }, string, string, number];
const PRICED: Row[] = [
  // OpenAI: dated snapshots are their family only where the catalog says so.
  ['gpt-4o-2024-05-13', 'openai', {}, 'gpt-4o-2024-05-13', CATALOG, 5e-6],
  ['gpt-4o-2024-08-06', 'openai', {}, 'gpt-4o', CATALOG, 2.5e-6],
  ['gpt-4o-2024-11-20', undefined, {}, 'gpt-4o', CATALOG, 2.5e-6],
  ['openai/gpt-4o-mini-2024-07-18', undefined, {}, 'gpt-4o-mini', CATALOG, 0.15e-6],
  ['gpt-4.1-nano-2025-04-14', 'openai', {}, 'gpt-4.1-nano', CATALOG, 0.1e-6],
  ['gpt-5-2025-08-07', 'openai', {}, 'gpt-5', CATALOG, 1.25e-6],
  ['gpt-5-mini', 'openai', {}, 'gpt-5-mini', CATALOG, 0.25e-6],
  ['o3-2025-04-16', 'openai', {}, 'o3', CATALOG, 2e-6],
  ['text-embedding-ada-002', 'openai', {}, 'text-embedding-ada-002', CATALOG, 0.1e-6],
  ['gpt-5.2', 'openai', {}, 'gpt-5.2', MAINTAINED, 1.75e-6],
  ['gpt-5.4-2026-03-05', 'openai', {}, 'gpt-5.4', MAINTAINED, 2.5e-6],
  ['o3-pro', 'openai', {}, 'o3-pro', MAINTAINED, 20e-6],
  ['gpt-4o-realtime-preview', 'openai', {}, 'gpt-4o-realtime-preview', MAINTAINED, 5e-6],
  // Anthropic: documented aliases and dated ids.
  ['claude-sonnet-4-0', 'anthropic', {}, 'claude-sonnet-4-20250514', CATALOG, 3e-6],
  ['claude-sonnet-4-20250514', 'anthropic', {}, 'claude-sonnet-4-20250514', CATALOG, 3e-6],
  ['claude-3-5-haiku-latest', 'anthropic', {}, 'claude-3-5-haiku-20241022', CATALOG, 0.8e-6],
  ['claude-3-7-sonnet-latest', 'anthropic', {}, 'claude-3-7-sonnet-20250219', CATALOG, 3e-6],
  ['claude-opus-4-1', 'anthropic', {}, 'claude-opus-4-1-20250805', CATALOG, 15e-6],
  ['claude-opus-4-0', 'anthropic', {}, 'claude-opus-4-20250514', CATALOG, 15e-6],
  ['claude-opus-4-6', 'anthropic', {}, 'claude-opus-4-6', CATALOG, 5e-6],
  ['anthropic/claude-haiku-4-5', undefined, {}, 'claude-haiku-4-5-20251001', CATALOG, 1e-6],
  ['claude-sonnet-4.5', 'anthropic', {}, 'claude-sonnet-4-5', MAINTAINED, 3e-6],
  ['claude-sonnet-5', 'anthropic', {}, 'claude-sonnet-5', MAINTAINED, 2e-6],
  // Bedrock: profile-aware entries.
  ['anthropic.claude-sonnet-4-5-20250929-v1:0', 'aws.bedrock', {}, 'anthropic.claude-sonnet-4-5-20250929-v1:0', CATALOG, 3.3e-6],
  ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'aws.bedrock', {}, 'anthropic.claude-sonnet-4-5-20250929-v1:0', CATALOG, 3.3e-6],
  ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'aws.bedrock', {}, 'anthropic.claude-sonnet-4-5-20250929-v1:0', CATALOG, 3e-6],
  ['arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0', 'aws.bedrock', {}, 'anthropic.claude-haiku-4-5-20251001-v1:0', CATALOG, 1.1e-6],
  ['arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0', 'aws.bedrock', {}, 'anthropic.claude-haiku-4-5-20251001-v1:0', CATALOG, 1.1e-6],
  ['global.anthropic.claude-haiku-4-5-20251001-v1:0', 'aws.bedrock', {}, 'anthropic.claude-haiku-4-5-20251001-v1:0', CATALOG, 1e-6],
  ['us-gov.anthropic.claude-haiku-4-5-20251001-v1:0', 'aws.bedrock', {}, 'anthropic.claude-haiku-4-5-20251001-v1:0', CATALOG, 1.2e-6],
  ['anthropic.claude-haiku-4-5-20251001-v1:0', 'aws.bedrock', { region: 'us-gov-west-1' }, 'anthropic.claude-haiku-4-5-20251001-v1:0', CATALOG, 1.2e-6],
  ['arn:aws-us-gov:bedrock:us-gov-east-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0', undefined, {}, 'anthropic.claude-haiku-4-5-20251001-v1:0', CATALOG, 1.2e-6],
  ['anthropic.claude-sonnet-4-20250514-v1:0', 'aws.bedrock', {}, 'anthropic.claude-sonnet-4-20250514-v1:0', CATALOG, 3e-6],
  ['global.anthropic.claude-sonnet-4-20250514-v1:0', 'aws.bedrock', {}, 'anthropic.claude-sonnet-4-20250514-v1:0', CATALOG, 3e-6],
  ['us.anthropic.claude-3-7-sonnet-20250219-v1:0', 'aws.bedrock', {}, 'anthropic.claude-3-7-sonnet-20250219-v1:0', CATALOG, 3e-6],
  ['anthropic.claude-3-5-sonnet-20241022-v2:0', 'aws.bedrock', {}, 'anthropic.claude-3-5-sonnet-20241022-v2:0', CATALOG, 3e-6],
  ['eu.amazon.nova-lite-v1:0', 'aws.bedrock', {}, 'amazon.nova-lite-v1:0', CATALOG, 0.078e-6],
  ['apac.amazon.nova-pro-v1:0', 'aws.bedrock', {}, 'amazon.nova-pro-v1:0', CATALOG, 0.84e-6],
  ['us.amazon.nova-pro-v1:0', 'aws.bedrock', {}, 'amazon.nova-pro-v1:0', CATALOG, 0.8e-6],
  ['us.amazon.nova-pro-v1:0', 'aws.bedrock', { latency: 'optimized' }, 'amazon.nova-pro-v1:0', CATALOG, 1e-6],
  ['us.amazon.nova-pro-v1:0', 'aws.bedrock', { latency: 'standard' }, 'amazon.nova-pro-v1:0', CATALOG, 0.8e-6],
  ['meta.llama3-1-70b-instruct-v1:0', 'aws.bedrock', { latency: 'optimized' }, 'meta.llama3-1-70b-instruct-v1:0', CATALOG, 0.9e-6],
  ['global.amazon.nova-2-lite-v1:0', 'aws.bedrock', {}, 'amazon.nova-2-lite-v1:0', CATALOG, 0.3e-6],
  ['us.amazon.nova-2-lite-v1:0', 'aws.bedrock', {}, 'amazon.nova-2-lite-v1:0', CATALOG, 0.33e-6],
  ['bedrock/us.meta.llama3-3-70b-instruct-v1:0', undefined, {}, 'meta.llama3-3-70b-instruct-v1:0', CATALOG, 0.72e-6],
  ['bedrock/converse/us.amazon.nova-micro-v1:0', undefined, {}, 'amazon.nova-micro-v1:0', CATALOG, 0.035e-6],
  ['bedrock/us-gov-west-1/amazon.nova-pro-v1:0', 'openai', {}, 'amazon.nova-pro-v1:0', CATALOG, 0.96e-6],
  ['us.meta.llama4-scout-17b-instruct-v1:0', 'aws.bedrock', {}, 'meta.llama4-scout-17b-instruct-v1:0', CATALOG, 0.17e-6],
  ['openai.gpt-oss-120b-1:0', 'aws.bedrock', {}, 'openai.gpt-oss-120b-1:0', CATALOG, 0.15e-6],
  ['us.deepseek.r1-v1:0', 'aws.bedrock', {}, 'deepseek.r1-v1:0', CATALOG, 1.35e-6],
  ['cohere.embed-v4:0', 'aws.bedrock', {}, 'cohere.embed-v4:0', CATALOG, 0.12e-6],
  ['amazon.titan-embed-text-v2', 'aws.bedrock', {}, 'amazon.titan-embed-text-v2:0', CATALOG, 0.02e-6],
  // Bedrock models the catalog lacks: the maintained source, profile-aware too.
  ['anthropic.claude-opus-4-7', 'aws.bedrock', {}, 'regional.anthropic.claude-opus-4-7-v1:0', MAINTAINED, 5.5e-6],
  ['global.anthropic.claude-opus-4-7', 'aws.bedrock', {}, 'global.anthropic.claude-opus-4-7-v1:0', MAINTAINED, 5e-6],
  ['qwen.qwen3-32b-v1:0', 'aws.bedrock', {}, 'qwen.qwen3-32b-v1:0', MAINTAINED, 0.15e-6],
  ['bedrock/us.writer.palmyra-x5-v1:0', undefined, {}, 'writer.palmyra-x5-v1:0', MAINTAINED, 0.6e-6],
];

/** Ids that must stay unpriced rather than borrow a neighbour's price. [id, provider, context, why] */
const UNPRICED: [string, string | undefined, { region?: string; latency?: string }, string][] = [
  ['gpt-4o-2099-01-01', 'openai', {}, 'an unknown snapshot is not gpt-4o'],
  ['gpt-4o-mini-tts-2099', 'openai', {}, 'not gpt-4o-mini'],
  ['claude-opus-4-9', 'anthropic', {}, 'not Opus 4 or 4.8'],
  ['claude-haiku-4-5-turbo', 'anthropic', {}, 'the maintained source would match it by prefix'],
  ['amazon.titan-embed-text-v3:0', 'aws.bedrock', {}, 'the maintained source would price it as v1'],
  ['amazon.nova-lite-v2:0', 'aws.bedrock', {}, 'the maintained source would price it as Nova Lite v1'],
  ['meta.llama3-3-70b-instruct-v1:0', 'aws.bedrock', { latency: 'optimized' }, 'no latency-optimized price is known'],
  ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'aws.bedrock', { latency: 'optimized' }, 'no latency-optimized price is known'],
  ['llama-3-70b-instruct', 'vllm', {}, 'self-hosted: priced by instance time, never by an API price'],
  ['llama-3-70b-instruct', undefined, {}, 'no provider, and the id names none'],
  ['gpt-4o', 'aws.bedrock', {}, 'an OpenAI model id under another provider'],
  ['anthropic.claude-sonnet-4-20250514-v1:0', 'anthropic', {}, 'a Bedrock id under Anthropic direct'],
  ['arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6', 'aws.bedrock', {}, 'names no model'],
];

describe('realistic ids resolve to the entry and source they must', () => {
  for (const [id, provider, ctx, entry, source, input] of PRICED) {
    it(`${id} (${provider ?? 'no provider'}${ctx.region ? `, ${ctx.region}` : ''}${ctx.latency ? `, latency ${ctx.latency}` : ''}) → ${entry} from ${source.split(':')[0]}`, () => {
      const resolved = book.resolve(id, { provider, ...ctx });
      expect(resolved?.price.id).toBe(entry);
      expect(resolved?.source).toBe(source);
      expect(resolved?.price.inputCostPerToken).toBeCloseTo(input, 15);
      const cost = book.cost(id, { inputTokens: 100_000, outputTokens: 0 }, { provider, ...ctx });
      expect(cost.source).toBe(source);
      expect(cost.inputUsd).toBeCloseTo(input * 1e5, 10);
    });
  }
  for (const [id, provider, ctx, why] of UNPRICED) {
    it(`${id} (${provider ?? 'no provider'}${ctx.latency ? `, latency ${ctx.latency}` : ''}) stays unpriced: ${why}`, () => {
      expect(book.resolve(id, { provider, ...ctx })).toBeUndefined();
      expect(book.cost(id, { inputTokens: 1_000, outputTokens: 10 }, { provider, ...ctx })).toMatchObject({ priced: false, source: 'unpriced', totalUsd: 0 });
    });
  }

  it('the maintained source says why it refused a match', () => {
    expect(book.explain('amazon.titan-embed-text-v3:0', { provider: 'aws.bedrock' }).refused).toMatch(/amazon\.titan-embed-text-v1 matches by a shorter name/);
  });

  it('an entry with a provider only prices calls from that provider', () => {
    expect(curated.lookup('gpt-4o', 'aws.bedrock')).toBeUndefined();
    expect(curated.lookup('claude-sonnet-4', 'aws.bedrock')).toBeUndefined();
    expect(curated.lookup('anthropic.claude-sonnet-4-20250514-v1:0', 'anthropic')).toBeUndefined();
    expect(curated.lookup('gpt-4o')?.id).toBe('gpt-4o');
  });

  it('matches a Bedrock id written without its vendor (OpenLLMetry) to the entry with it, only for Bedrock calls', () => {
    expect(curated.lookup('claude-haiku-4-5-20251001-v1:0', 'aws.bedrock')?.id).toBe('anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(curated.lookup('claude-haiku-4-5-20251001-v1', 'aws.bedrock')?.id).toBe('anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(curated.lookup('us.claude-haiku-4-5-20251001-v1:0', 'aws.bedrock')).toBeUndefined();
    expect(curated.lookup('nova-micro-v1:0', 'aws.bedrock')?.id).toBe('amazon.nova-micro-v1:0');
    expect(curated.lookup('llama3-1-8b-instruct-v1:0', 'aws.bedrock')?.id).toBe('meta.llama3-1-8b-instruct-v1:0');
    // A different model, or not a Bedrock call, is no match.
    expect(curated.lookup('claude-haiku-4-5-20251001-v2:0', 'aws.bedrock')).toBeUndefined();
    expect(curated.lookup('nova-micro-v1:0', 'openai')).toBeUndefined();
  });

  it('memoised lookups return the same answer, per call context', () => {
    expect(book.lookup('us.amazon.nova-pro-v1:0', 'aws.bedrock')).toBe(book.lookup('us.amazon.nova-pro-v1:0', 'aws.bedrock'));
    expect(book.lookup('us.amazon.nova-pro-v1:0', 'aws.bedrock', { latency: 'optimized' })?.latency).toBe('optimized');
    expect(book.lookup('us.amazon.nova-pro-v1:0', 'aws.bedrock')?.latency).toBeUndefined();
    expect(book.lookup('no-such-model')).toBeUndefined();
    expect(book.lookup('no-such-model')).toBeUndefined();
  });
});

describe('parseModelId / normaliseModelId', () => {
  it('strips foundation-model and inference-profile ARNs and profile prefixes, lower-cases', () => {
    expect(normaliseModelId('arn:aws:bedrock:us-east-1::foundation-model/Amazon.Nova-Pro-v1:0')).toBe('amazon.nova-pro-v1:0');
    expect(normaliseModelId('arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.anthropic.claude-sonnet-4-20250514-v1:0'))
      .toBe('anthropic.claude-sonnet-4-20250514-v1:0');
    expect(normaliseModelId('global.anthropic.claude-haiku-4-5-20251001-v1:0')).toBe('anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(normaliseModelId('apac.amazon.nova-lite-v1:0')).toBe('amazon.nova-lite-v1:0');
    expect(normaliseModelId(' GPT-4o ')).toBe('gpt-4o');
  });
  it('keeps what the id says about the call: profile, region, router provider', () => {
    expect(parseModelId('arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.anthropic.claude-sonnet-4-20250514-v1:0'))
      .toEqual({ id: 'anthropic.claude-sonnet-4-20250514-v1:0', profile: 'eu', region: 'eu-west-1' });
    expect(parseModelId('bedrock/converse/us-gov-east-1/us-gov.anthropic.claude-haiku-4-5-20251001-v1:0'))
      .toEqual({ id: 'anthropic.claude-haiku-4-5-20251001-v1:0', profile: 'us-gov', region: 'us-gov-east-1', provider: 'aws.bedrock' });
    expect(parseModelId('openai/gpt-5')).toEqual({ id: 'gpt-5', provider: 'openai' });
    expect(parseModelId('anthropic/claude-sonnet-4.5')).toEqual({ id: 'claude-sonnet-4.5', provider: 'anthropic' });
    expect(parseModelId('meta-llama/llama-3.3-70b-instruct')).toEqual({ id: 'meta-llama/llama-3.3-70b-instruct' });
  });
  it('leaves ids that only look like a prefix alone', () => {
    expect(normaliseModelId('us.my-model')).toBe('us.my-model');
  });
  it('keeps application-inference-profile ARNs whole: they name no model', () => {
    const arn = 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6';
    expect(normaliseModelId(arn)).toBe(arn);
    expect(curated.lookup(arn, 'aws.bedrock')).toBeUndefined();
  });
});
