// What the call itself says selects its price: the region the client calls, the inference-profile prefix,
// the latency Bedrock served (performanceConfig), 1-hour cache writes (cacheDetails) and configured
// Provisioned Throughput — each priced exactly, through the real SDK against the local endpoint.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { resetDefaultPriceBook } from '@tokenledger/pricing';
import { ATTR_COST_CACHE_WRITE_USD, ATTR_COST_SOURCE, ATTR_COST_USD, ATTR_PRICE_TIER } from '@tokenledger/semconv';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as Bedrock from '@aws-sdk/client-bedrock-runtime';
import { startBedrockEndpoint, type BedrockEndpoint } from '../../local-endpoints/src/bedrock.ts';
import { setUpTracing } from '../../../test/support/otel.ts';
import { createBedrockInstrumentations } from '../src/index.ts';

const telemetry = setUpTracing();
registerInstrumentations({ instrumentations: createBedrockInstrumentations() });
const sdk = createRequire(import.meta.url)('@aws-sdk/client-bedrock-runtime') as typeof Bedrock;

let endpoint: BedrockEndpoint;
const clients: Bedrock.BedrockRuntimeClient[] = [];
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
const client = (region: string) => {
  const c = new sdk.BedrockRuntimeClient({ endpoint: endpoint.url, region, credentials });
  clients.push(c);
  return c;
};
// 'Hello there' → 3 input tokens; the default answer (62 characters) → 16 output tokens (local endpoint: ceil(chars / 4)).
const messages = [{ role: 'user' as const, content: [{ text: 'Hello there' }] }];
const IN = 3;
const OUT = 16;

beforeAll(async () => {
  endpoint = await startBedrockEndpoint();
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await endpoint.close();
});
beforeEach(() => telemetry.exporter.reset());

function onlySpan(): ReadableSpan {
  const spans = telemetry.exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

describe('latency-optimized inference (performanceConfig)', () => {
  const MODEL = 'us.amazon.nova-pro-v1:0';

  it('Converse: optimized at $1.00/$4.00 per M, standard at $0.80/$3.20', async () => {
    const c = client('us-east-2');
    const res = await c.send(new sdk.ConverseCommand({ modelId: MODEL, messages, performanceConfig: { latency: 'optimized' } }));
    expect(res.performanceConfig?.latency).toBe('optimized');
    expect(onlySpan().attributes[ATTR_COST_USD]).toBeCloseTo(IN * 1e-6 + OUT * 4e-6, 15);
    telemetry.exporter.reset();
    await c.send(new sdk.ConverseCommand({ modelId: MODEL, messages, performanceConfig: { latency: 'standard' } }));
    expect(onlySpan().attributes[ATTR_COST_USD]).toBeCloseTo(IN * 0.8e-6 + OUT * 3.2e-6, 15);
  });

  it('ConverseStream: the latency from the metadata event', async () => {
    const res = await client('us-east-2').send(new sdk.ConverseStreamCommand({ modelId: MODEL, messages, performanceConfig: { latency: 'optimized' } }));
    for await (const _ of res.stream!);
    expect(onlySpan().attributes[ATTR_COST_USD]).toBeCloseTo(IN * 1e-6 + OUT * 4e-6, 15);
  });

  it('InvokeModel: the latency from the response header', async () => {
    const body = new TextEncoder().encode(JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }));
    const res = await client('us-east-2').send(new sdk.InvokeModelCommand({ modelId: MODEL, body, performanceConfigLatency: 'optimized' }));
    expect(res.performanceConfigLatency).toBe('optimized');
    const a = onlySpan().attributes;
    const input = a['gen_ai.usage.input_tokens'] as number;
    expect(a[ATTR_COST_USD]).toBeCloseTo(input * 1e-6 + (a['gen_ai.usage.output_tokens'] as number) * 4e-6, 15);
  });

  it('a model with no latency-optimized price stays unpriced when served optimized', async () => {
    await client('us-east-2').send(new sdk.ConverseCommand({ modelId: 'us.meta.llama3-3-70b-instruct-v1:0', messages, performanceConfig: { latency: 'optimized' } }));
    const a = onlySpan().attributes;
    expect(a[ATTR_COST_SOURCE]).toBe('unpriced');
    expect(a[ATTR_COST_USD]).toBeUndefined();
  });
});

describe('regional and profile prices', () => {
  const HAIKU = 'anthropic.claude-haiku-4-5-20251001-v1:0';

  it('Claude Haiku 4.5: in-Region $1.10/$5.50, global. $1.00/$5.00, GovCloud region $1.20/$6.00 per M', async () => {
    const cases: [string, string, number, number][] = [
      ['us-east-1', HAIKU, 1.1e-6, 5.5e-6],
      ['us-east-1', `global.${HAIKU}`, 1e-6, 5e-6],
      ['eu-west-1', `eu.${HAIKU}`, 1.1e-6, 5.5e-6],
      ['us-gov-west-1', HAIKU, 1.2e-6, 6e-6],
      ['us-gov-west-1', `us-gov.${HAIKU}`, 1.2e-6, 6e-6],
    ];
    for (const [region, modelId, input, output] of cases) {
      telemetry.exporter.reset();
      await client(region).send(new sdk.ConverseCommand({ modelId, messages }));
      expect(onlySpan().attributes[ATTR_COST_USD], `${region} ${modelId}`).toBeCloseTo(IN * input + OUT * output, 15);
    }
  });
});

describe('1-hour prompt-cache writes (cacheDetails ttl 1h)', () => {
  it('are charged at 2× input, 5-minute writes at 1.25×', async () => {
    const MODEL = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
    // 36 characters before the cache point → 9 tokens: an odd count, which the local endpoint reports as a write.
    const system = (ttl?: '1h') => [{ text: 'You answer questions about invoices.' }, { cachePoint: { type: 'default' as const, ...(ttl ? { ttl } : {}) } }];
    const c = client('us-east-1');
    const res = await c.send(new sdk.ConverseCommand({ modelId: MODEL, messages, system: system('1h') as any }));
    expect(res.usage?.cacheDetails).toEqual([{ ttl: '1h', inputTokens: 9 }]);
    expect(onlySpan().attributes[ATTR_COST_CACHE_WRITE_USD]).toBeCloseTo(9 * 6e-6, 15);
    telemetry.exporter.reset();
    await c.send(new sdk.ConverseCommand({ modelId: MODEL, messages, system: system() as any }));
    expect(onlySpan().attributes[ATTR_COST_CACHE_WRITE_USD]).toBeCloseTo(9 * 3.75e-6, 15);
  });
});

describe('Provisioned Throughput (price file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenledger-pt-'));
  const saved = process.env.TOKENLEDGER_PRICES_FILE;
  const PT = 'arn:aws:bedrock:us-east-1:111122223333:provisioned-model/abc123';
  beforeAll(() => {
    const file = join(dir, 'prices.json');
    writeFileSync(file, JSON.stringify({ provisioned: [{ id: 'support-pt', match: 'provisioned-model/abc123$', model_units: 2, hourly_usd_per_model_unit: 39.6 }] }));
    process.env.TOKENLEDGER_PRICES_FILE = file;
    resetDefaultPriceBook();
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.TOKENLEDGER_PRICES_FILE;
    else process.env.TOKENLEDGER_PRICES_FILE = saved;
    resetDefaultPriceBook();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a call on a provisioned model is charged its time on the model units, not per token', async () => {
    await client('us-east-1').send(new sdk.ConverseCommand({ modelId: PT, messages }));
    const span = onlySpan();
    const a = span.attributes;
    expect(a[ATTR_PRICE_TIER]).toBe('provisioned');
    expect(a[ATTR_COST_SOURCE]).toBe('override');
    // 2 units × $39.60/h × the call's seconds; the call is timed inside the span, so at most the span's duration.
    const spanSeconds = span.duration[0] + span.duration[1] / 1e9;
    expect(a[ATTR_COST_USD]).toBeGreaterThan(0);
    expect(a[ATTR_COST_USD]).toBeLessThanOrEqual((2 * 39.6 * spanSeconds) / 3600);
  });
});
