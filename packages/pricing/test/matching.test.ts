import { describe, expect, it } from 'vitest';
import { PriceBook, normaliseModelId } from '../src/index.ts';

const book = PriceBook.fromCatalog();
const PROFILE_PREFIXES = ['us.', 'eu.', 'apac.', 'au.', 'jp.', 'global.', 'us-gov.', 'ca.'];

describe('every catalog entry is found', () => {
  for (const entry of book.models()) {
    it(`${entry.id} by its own id, upper-cased, and with and without its provider`, () => {
      expect(book.lookup(entry.id)).toBe(entry);
      expect(book.lookup(entry.id.toUpperCase())).toBe(entry);
      expect(book.lookup(entry.id, entry.provider)).toBe(entry);
    });
  }
  for (const entry of book.models().filter((m) => m.provider === 'aws.bedrock')) {
    it(`${entry.id} with each inference-profile prefix and as ARNs`, () => {
      for (const prefix of PROFILE_PREFIXES) expect(book.lookup(prefix + entry.id, 'aws.bedrock')?.id).toBe(entry.id);
      expect(book.lookup(`arn:aws:bedrock:us-east-1::foundation-model/${entry.id}`, 'aws.bedrock')?.id).toBe(entry.id);
      expect(book.lookup(`arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.${entry.id}`, 'aws.bedrock')?.id).toBe(entry.id);
      expect(book.lookup(`arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:inference-profile/us-gov.${entry.id}`)?.id).toBe(entry.id);
    });
  }
  for (const instance of book.instances()) {
    it(`instance ${instance.type}`, () => {
      expect(book.instance(instance.type)).toBe(instance);
      expect(book.instance(instance.type.toUpperCase())).toBe(instance);
    });
  }
});

describe('specificity', () => {
  const cases: [string, string | undefined, string | undefined][] = [
    ['gpt-4o-mini-2024-07-18', 'openai', 'gpt-4o-mini'],
    ['gpt-4o-2024-08-06', 'openai', 'gpt-4o'],
    ['gpt-4o-2024-11-20', undefined, 'gpt-4o'],
    ['gpt-4.1-mini-2025-04-14', 'openai', 'gpt-4.1-mini'],
    ['gpt-4.1-nano-2025-04-14', 'openai', 'gpt-4.1-nano'],
    ['gpt-4.1-2025-04-14', 'openai', 'gpt-4.1'],
    ['o3-mini', 'openai', 'o3-mini'],
    ['o3-mini-2025-01-31', 'openai', 'o3-mini'],
    ['o3', 'openai', 'o3'],
    ['o3-2025-04-16', 'openai', 'o3'],
    ['o4-mini-2025-04-16', 'openai', 'o4-mini'],
    ['o1-2024-12-17', 'openai', 'o1'],
    ['anthropic.claude-3-5-haiku-20241022-v1:0', 'aws.bedrock', 'anthropic.claude-3-5-haiku-20241022-v1:0'],
    ['anthropic.claude-3-5-haiku-20241022-v1', 'aws.bedrock', 'anthropic.claude-3-5-haiku-20241022-v1:0'],
    ['us.anthropic.claude-3-5-haiku-20241022-v1', 'aws.bedrock', 'anthropic.claude-3-5-haiku-20241022-v1:0'],
    ['anthropic.claude-sonnet-4-6-v1:0', 'aws.bedrock', 'anthropic.claude-sonnet-4-6'],
    ['claude-3-5-haiku-20241022', 'anthropic', 'claude-3-5-haiku'],
    ['claude-3-5-haiku-latest', 'anthropic', 'claude-3-5-haiku'],
    ['claude-sonnet-4-20250514', 'anthropic', 'claude-sonnet-4'],
    ['claude-sonnet-4-5-20250929', 'anthropic', 'claude-sonnet-4-5'],
    ['claude-opus-4-1-20250805', 'anthropic', 'claude-opus-4-1'],
    ['claude-opus-4-20250514', 'anthropic', 'claude-opus-4'],
    ['claude-haiku-4-5-20251001', 'anthropic', 'claude-haiku-4-5'],
    // A different model must never borrow a neighbour's price.
    ['claude-opus-4-6', 'anthropic', undefined],
    ['o3-pro', 'openai', undefined],
    ['gpt-4o-realtime-preview', 'openai', undefined],
    ['amazon.titan-embed-text-v2', 'aws.bedrock', 'amazon.titan-embed-text-v2:0'],
    ['amazon.titan-embed-text-v1', 'aws.bedrock', 'amazon.titan-embed-text-v1'],
  ];
  for (const [id, provider, expected] of cases) {
    it(`${id} (${provider ?? 'any provider'}) → ${expected ?? 'unpriced'}`, () => {
      expect(book.lookup(id, provider)?.id).toBe(expected);
    });
  }

  it('an entry with a provider only prices calls from that provider', () => {
    expect(book.lookup('gpt-4o', 'aws.bedrock')).toBeUndefined();
    expect(book.lookup('claude-sonnet-4', 'aws.bedrock')).toBeUndefined();
    expect(book.lookup('anthropic.claude-sonnet-4-20250514-v1:0', 'anthropic')).toBeUndefined();
    expect(book.lookup('gpt-4o')?.id).toBe('gpt-4o');
  });

  it('memoised lookups return the same answer', () => {
    expect(book.lookup('us.amazon.nova-pro-v1:0', 'aws.bedrock')).toBe(book.lookup('us.amazon.nova-pro-v1:0', 'aws.bedrock'));
    expect(book.lookup('no-such-model')).toBeUndefined();
    expect(book.lookup('no-such-model')).toBeUndefined();
  });
});

describe('normaliseModelId', () => {
  it('strips foundation-model and inference-profile ARNs and profile prefixes, lower-cases', () => {
    expect(normaliseModelId('arn:aws:bedrock:us-east-1::foundation-model/Amazon.Nova-Pro-v1:0')).toBe('amazon.nova-pro-v1:0');
    expect(normaliseModelId('arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.anthropic.claude-sonnet-4-20250514-v1:0'))
      .toBe('anthropic.claude-sonnet-4-20250514-v1:0');
    expect(normaliseModelId('global.anthropic.claude-haiku-4-5-20251001-v1:0')).toBe('anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(normaliseModelId('apac.amazon.nova-lite-v1:0')).toBe('amazon.nova-lite-v1:0');
    expect(normaliseModelId(' GPT-4o ')).toBe('gpt-4o');
  });
  it('leaves ids that only look like a prefix alone', () => {
    expect(normaliseModelId('us.my-model')).toBe('us.my-model');
  });
  it('keeps application-inference-profile ARNs whole: they name no model', () => {
    const arn = 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6';
    expect(normaliseModelId(arn)).toBe(arn);
    expect(book.lookup(arn, 'aws.bedrock')).toBeUndefined();
  });
});
