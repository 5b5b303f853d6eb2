import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PriceBook, PriceFileError, defaultPriceBook, resetDefaultPriceBook } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'tokenledger-prices-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(content: unknown): string {
  const path = join(dir, `prices-${n++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const APP_PROFILE = 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6';

describe('overrides', () => {
  it('replace a catalog entry and are marked override', () => {
    const book = PriceBook.load({ pricesFile: file({ models: [
      { id: 'anthropic.claude-3-5-haiku-20241022-v1:0', provider: 'aws.bedrock', input_cost_per_token: 1e-6, output_cost_per_token: 5e-6 },
    ] }) });
    const hit = book.lookup('us.anthropic.claude-3-5-haiku-20241022-v1:0', 'aws.bedrock');
    expect(hit).toMatchObject({ origin: 'override', inputCostPerToken: 1e-6 });
    expect(book.models().filter((m) => m.id === 'anthropic.claude-3-5-haiku-20241022-v1:0')).toHaveLength(1);
    const c = book.cost('anthropic.claude-3-5-haiku-20241022-v1:0', { inputTokens: 100, outputTokens: 10 }, { provider: 'aws.bedrock' });
    expect(c.source).toBe('override');
    expect(c.totalUsd).toBeCloseTo(100 * 1e-6 + 10 * 5e-6, 12);
    expect(PriceBook.fromCatalog().lookup('anthropic.claude-3-5-haiku-20241022-v1:0')?.inputCostPerToken).toBe(0.8e-6);
  });

  it('add new models, regex matches (application inference profiles) and instances', () => {
    const path = file({
      models: [
        { id: 'my-finetune', input_cost_per_token: 2e-6, output_cost_per_token: 3e-6, source: 'contract #42', checked: '2026-11-01' },
        { id: 'support-bot-profile', provider: 'aws.bedrock', match: 'application-inference-profile/a1b2c3d4e5f6$',
          input_cost_per_token: 3e-6, output_cost_per_token: 1.5e-5 },
      ],
      instances: [{ type: 'inf2.xlarge', hourly_usd: 0.5, accelerators: 2 }, { type: 'trn2.48xlarge', hourly_usd: 40 }],
    });
    const book = PriceBook.load({ pricesFile: path });
    expect(book.lookup('my-finetune')).toMatchObject({ source: 'contract #42', checked: '2026-11-01', origin: 'override' });
    expect(book.lookup('My-Finetune', 'openai')?.id).toBe('my-finetune');
    expect(book.lookup(APP_PROFILE, 'aws.bedrock')?.id).toBe('support-bot-profile');
    expect(book.lookup(APP_PROFILE.toUpperCase(), 'aws.bedrock')?.id).toBe('support-bot-profile');
    expect(book.lookup(APP_PROFILE, 'openai')).toBeUndefined();
    expect(book.cost(APP_PROFILE, { inputTokens: 1_000, outputTokens: 100 }, { provider: 'aws.bedrock' }).totalUsd).toBeCloseTo(0.0045, 12);
    const entry = book.lookup('my-finetune')!;
    expect(book.lookup('gpt-4o')?.origin).toBe('catalog');
    expect(book.instance('inf2.xlarge')).toMatchObject({ hourlyUsd: 0.5, origin: 'override', source: `file:${path}` });
    expect(book.instance('trn2.48xlarge')?.hourlyUsd).toBe(40);
    expect(book.instances().filter((i) => i.type === 'inf2.xlarge')).toHaveLength(1);
    expect(entry.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('an override regex wins over a catalog id', () => {
    const book = PriceBook.load({ pricesFile: file({ models: [{ id: 'regional-sonnet', match: '^us\\.anthropic\\.claude-sonnet-4-5', input_cost_per_token: 3.3e-6, output_cost_per_token: 1.65e-5 }] }) });
    expect(book.lookup('us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'aws.bedrock')?.id).toBe('regional-sonnet');
    expect(book.lookup('global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'aws.bedrock')?.id).toBe('anthropic.claude-sonnet-4-5-20250929-v1:0');
  });
});

describe('Provisioned Throughput, from the price file', () => {
  const PT_ARN = 'arn:aws:bedrock:us-east-1:111122223333:provisioned-model/abc123';
  const book = () => PriceBook.load({ pricesFile: file({ provisioned: [
    { id: 'support-bot-pt', provider: 'aws.bedrock', match: 'provisioned-model/abc123$', model_units: 2, hourly_usd_per_model_unit: 39.6, concurrency: 4,
      source: 'our 1-month commitment', checked: '2026-12-01' },
  ] }) });

  it('a call on it is charged its share of the model units for its duration (tier provisioned)', () => {
    // 2 units × $39.60/h × 30 s / 3600 / 4 calls at once = $0.165
    const c = book().cost(PT_ARN, { inputTokens: 5_000, outputTokens: 500 }, { provider: 'aws.bedrock', durationS: 30 });
    expect(c).toMatchObject({ priced: true, tier: 'provisioned', source: 'override', modelPriceId: 'support-bot-pt' });
    expect(c.totalUsd).toBeCloseTo(0.165, 12);
    expect(c.inputUsd).toBeCloseTo(0.165, 12);
  });

  it('without a duration it is unpriced, never per token; other ids are priced as before', () => {
    const b = book();
    expect(b.cost(PT_ARN, { inputTokens: 5_000, outputTokens: 500 }, { provider: 'aws.bedrock' })).toMatchObject({ priced: false, tier: 'provisioned' });
    expect(b.cost('amazon.nova-lite-v1:0', { inputTokens: 1_000, outputTokens: 0 }, { provider: 'aws.bedrock', durationS: 30 }).totalUsd).toBeCloseTo(0.00006, 12);
    expect(b.provisionedThroughput()).toHaveLength(1);
    expect(b.explain(PT_ARN, { provider: 'aws.bedrock' }).provisioned?.id).toBe('support-bot-pt');
  });
});

describe('malformed price files name the file, the entry and the key', () => {
  const cases: [string, unknown, RegExp][] = [
    ['unknown key', { models: [{ id: 'm', input_cost: 1e-6 }] }, /models\[0\] \("m"\): unknown key "input_cost"/],
    ['negative price', { models: [{ id: 'm', input_cost_per_token: -1 }] }, /models\[0\] \("m"\): key "input_cost_per_token" must be a finite number >= 0/],
    ['string price', { models: [{ id: 'm', output_cost_per_token: '3e-6' }] }, /models\[0\] \("m"\): key "output_cost_per_token"/],
    ['empty id', { models: [{ id: 'ok', input_cost_per_token: 1e-6 }, { id: '', input_cost_per_token: 1e-6 }] }, /models\[1\]: key "id" must be a non-empty string/],
    ['missing id', { models: [{ input_cost_per_token: 1e-6 }] }, /models\[0\]: key "id"/],
    ['bad regex', { models: [{ id: 'm', match: '(', input_cost_per_token: 1e-6 }] }, /models\[0\] \("m"\): key "match" is not a valid regular expression/],
    ['no price at all', { models: [{ id: 'm', provider: 'openai' }] }, /models\[0\] \("m"\): needs at least one of/],
    ['entry not an object', { models: ['gpt-4o'] }, /models\[0\]: must be an object/],
    ['models not an array', { models: { id: 'm' } }, /key "models" must be an array/],
    ['unknown top-level key', { model: [] }, /unknown top-level key "model"/],
    ['instance unknown key', { instances: [{ type: 'g5.xlarge', hourly: 1 }] }, /instances\[0\] \("g5.xlarge"\): unknown key "hourly"/],
    ['instance missing price', { instances: [{ type: 'g5.xlarge' }] }, /instances\[0\] \("g5.xlarge"\): missing key "hourly_usd"/],
    ['instance bad accelerators', { instances: [{ type: 'g5.xlarge', hourly_usd: 1, accelerators: 1.5 }] }, /instances\[0\] \("g5.xlarge"\): key "accelerators"/],
    ['invalid JSON', '{ "models": [', /is not valid JSON/],
    ['unknown profile', { models: [{ id: 'm', profiles: ['mars'], input_cost_per_token: 1e-6 }] }, /models\[0\] \("m"\): key "profiles": unknown profile "mars"/],
    ['aliases not a list', { models: [{ id: 'm', aliases: 'm-2025', input_cost_per_token: 1e-6 }] }, /models\[0\] \("m"\): key "aliases" must be a non-empty array/],
    ['bad latency', { models: [{ id: 'm', latency: 'fast', input_cost_per_token: 1e-6 }] }, /models\[0\] \("m"\): key "latency" must be "optimized"/],
    ['long context without its input price', { models: [{ id: 'm', input_cost_per_token: 1e-6, output_cost_per_token_above_200k_tokens: 2e-6 }] },
      /models\[0\] \("m"\): long-context prices need "input_cost_per_token_above_200k_tokens"/],
    ['negative 1-hour write', { models: [{ id: 'm', input_cost_per_token: 1e-6, cache_creation_input_token_cost_above_1hr: -1 }] },
      /models\[0\] \("m"\): key "cache_creation_input_token_cost_above_1hr" must be a finite number >= 0/],
    ['provisioned without units', { provisioned: [{ id: 'pt', match: 'provisioned-model/x', hourly_usd_per_model_unit: 40 }] },
      /provisioned\[0\] \("pt"\): missing key "model_units"/],
    ['provisioned zero price', { provisioned: [{ id: 'pt', match: 'x', model_units: 1, hourly_usd_per_model_unit: 0 }] },
      /provisioned\[0\] \("pt"\): key "hourly_usd_per_model_unit" must be greater than 0/],
    ['provisioned bad regex', { provisioned: [{ id: 'pt', match: '[', model_units: 1, hourly_usd_per_model_unit: 1 }] },
      /provisioned\[0\] \("pt"\): key "match" is not a valid regular expression/],
  ];
  for (const [name, content, message] of cases) {
    it(name, () => {
      const path = file(content);
      let error: unknown;
      try {
        PriceBook.load({ pricesFile: path });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(PriceFileError);
      expect((error as Error).message).toContain(path);
      expect((error as Error).message).toMatch(message);
    });
  }

  it('a missing file', () => {
    const path = join(dir, 'absent.json');
    expect(() => PriceBook.load({ pricesFile: path })).toThrow(PriceFileError);
    expect(() => PriceBook.load({ pricesFile: path })).toThrow(/absent\.json: cannot be read/);
  });
});

describe('TOKENLEDGER_PRICES_FILE and the default book', () => {
  const saved = process.env.TOKENLEDGER_PRICES_FILE;
  afterEach(() => {
    if (saved === undefined) delete process.env.TOKENLEDGER_PRICES_FILE;
    else process.env.TOKENLEDGER_PRICES_FILE = saved;
    resetDefaultPriceBook();
  });

  it('load() reads the variable; defaultPriceBook() reads it once', () => {
    process.env.TOKENLEDGER_PRICES_FILE = file({ models: [{ id: 'env-model', input_cost_per_token: 1e-6 }] });
    resetDefaultPriceBook();
    const first = defaultPriceBook();
    expect(first.lookup('env-model')?.origin).toBe('override');
    process.env.TOKENLEDGER_PRICES_FILE = join(dir, 'absent.json');
    expect(defaultPriceBook()).toBe(first);
    resetDefaultPriceBook();
    expect(() => defaultPriceBook()).toThrow(/TOKENLEDGER_PRICES_FILE=.*absent\.json/);
  });

  it('without the variable the default book is the catalog', () => {
    delete process.env.TOKENLEDGER_PRICES_FILE;
    resetDefaultPriceBook();
    expect(defaultPriceBook().models()).toEqual(PriceBook.fromCatalog().models());
  });
});
