// The service tier Bedrock served (Converse body, stream metadata, InvokeModel response header) sets the
// price tier, and the cost is the catalog's at that tier.
import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { costAttributes, defaultPriceBook } from '@tokenledger/pricing';
import { ATTR_COST_USD, ATTR_GEN_AI_USAGE_INPUT_TOKENS, ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, ATTR_PRICE_TIER, PROVIDER_AWS_BEDROCK, type PriceTier } from '@tokenledger/semconv';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as Bedrock from '@aws-sdk/client-bedrock-runtime';
import { startBedrockEndpoint, type BedrockEndpoint } from '../../local-endpoints/src/bedrock.ts';
import { setUpTracing } from '../../../test/support/otel.ts';
import { createBedrockInstrumentations } from '../src/index.ts';

const telemetry = setUpTracing();
registerInstrumentations({ instrumentations: createBedrockInstrumentations() });
const sdk = createRequire(import.meta.url)('@aws-sdk/client-bedrock-runtime') as typeof Bedrock;

let endpoint: BedrockEndpoint;
let client: Bedrock.BedrockRuntimeClient;
const MODEL = 'amazon.nova-lite-v1:0';
const messages = [{ role: 'user' as const, content: [{ text: 'Hello there' }] }];

beforeAll(async () => {
  endpoint = await startBedrockEndpoint();
  client = new sdk.BedrockRuntimeClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
});
afterAll(async () => {
  client.destroy();
  await endpoint.close();
});
beforeEach(() => telemetry.exporter.reset());

function expectTier(modelId: string, tier: PriceTier) {
  const spans = telemetry.exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  const a = spans[0]!.attributes;
  expect(a[ATTR_PRICE_TIER]).toBe(tier);
  const usage = { inputTokens: a[ATTR_GEN_AI_USAGE_INPUT_TOKENS] as number, outputTokens: a[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] as number, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 };
  const expected = costAttributes(defaultPriceBook().cost(modelId, usage, { provider: PROVIDER_AWS_BEDROCK, tier }));
  expect(a[ATTR_COST_USD]).toBe(expected[ATTR_COST_USD]);
}

describe('service tier → price tier', () => {
  it('Converse flex → flex', async () => {
    await client.send(new sdk.ConverseCommand({ modelId: MODEL, messages, serviceTier: { type: 'flex' } }));
    expectTier(MODEL, 'flex');
  });

  it('ConverseStream priority (from the metadata event) → priority', async () => {
    const res = await client.send(new sdk.ConverseStreamCommand({ modelId: MODEL, messages, serviceTier: { type: 'priority' } }));
    for await (const _ of res.stream!);
    expectTier(MODEL, 'priority');
  });

  it('InvokeModel reserved (response header) → provisioned, also when there is no per-token price for it', async () => {
    const body = new TextEncoder().encode(JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }));
    const res = await client.send(new sdk.InvokeModelCommand({ modelId: MODEL, body, serviceTier: 'reserved' }));
    expect(res.serviceTier).toBe('reserved');
    expectTier(MODEL, 'provisioned');
  });

  it('no tier asked → on_demand', async () => {
    await client.send(new sdk.ConverseCommand({ modelId: MODEL, messages }));
    expectTier(MODEL, 'on_demand');
  });
});
