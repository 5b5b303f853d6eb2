// An InvokeModelWithResponseStream the app leaves after the first chunk: the span still ends, with the
// time to first chunk and the usage known so far (Anthropic's message_start has the input tokens; the
// invocation metrics of the last chunk never arrived).
import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ATTR_COST_USD, ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, ATTR_GEN_AI_USAGE_INPUT_TOKENS, ATTR_PROVIDER_LATENCY_MS, ATTR_USAGE_ESTIMATED } from '@tokenledger/semconv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Bedrock from '@aws-sdk/client-bedrock-runtime';
import { startBedrockEndpoint, type BedrockEndpoint } from '../../local-endpoints/src/bedrock.ts';
import { setUpTracing } from '../../../test/support/otel.ts';
import { createBedrockInstrumentations } from '../src/index.ts';

const telemetry = setUpTracing();
registerInstrumentations({ instrumentations: createBedrockInstrumentations() });
const sdk = createRequire(import.meta.url)('@aws-sdk/client-bedrock-runtime') as typeof Bedrock;

let endpoint: BedrockEndpoint;
let client: Bedrock.BedrockRuntimeClient;

beforeAll(async () => {
  endpoint = await startBedrockEndpoint({ faults: { streamDelayMs: 5 } });
  client = new sdk.BedrockRuntimeClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
});
afterAll(async () => {
  client.destroy();
  await endpoint.close();
});

describe('InvokeModelWithResponseStream abandoned by the app', () => {
  it('ends the span with what was known', async () => {
    const request = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 500, messages: [{ role: 'user', content: 'Tell me a long story' }] };
    const body = new TextEncoder().encode(JSON.stringify(request));
    const res = await client.send(new sdk.InvokeModelWithResponseStreamCommand({ modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0', body }));
    let first: any;
    for await (const e of res.body!) {
      first = JSON.parse(new TextDecoder().decode(e.chunk!.bytes));
      break;
    }
    expect(first.type).toBe('message_start');
    const spans = telemetry.exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    const a = spans[0]!.attributes;
    expect(a[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK]).toBeGreaterThan(0);
    expect(a[ATTR_USAGE_ESTIMATED]).toBeUndefined();
    expect(a[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(first.message.usage.input_tokens + first.message.usage.cache_read_input_tokens + first.message.usage.cache_creation_input_tokens);
    expect(a[ATTR_COST_USD]).toBeGreaterThan(0);
    expect(a[ATTR_PROVIDER_LATENCY_MS]).toBeUndefined(); // only the last chunk carries it
  });
});
