// Content is recorded only when opted in (here through the config; the default is the
// OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT variable, and off: see bedrock.test.ts).
import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ATTR_GEN_AI_INPUT_MESSAGES, ATTR_GEN_AI_OUTPUT_MESSAGES, ATTR_GEN_AI_SYSTEM_INSTRUCTIONS } from '@tokenledger/semconv';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as Bedrock from '@aws-sdk/client-bedrock-runtime';
import { startBedrockEndpoint, type BedrockEndpoint } from '../../local-endpoints/src/bedrock.ts';
import { setUpTracing } from '../../../test/support/otel.ts';
import { createBedrockInstrumentations } from '../src/index.ts';

const telemetry = setUpTracing();
registerInstrumentations({ instrumentations: createBedrockInstrumentations({ captureMessageContent: true }) });
const sdk = createRequire(import.meta.url)('@aws-sdk/client-bedrock-runtime') as typeof Bedrock;

let endpoint: BedrockEndpoint;
let client: Bedrock.BedrockRuntimeClient;
const ANSWER = 'Thanks for reaching out. Here is what the knowledge base says.';

beforeAll(async () => {
  endpoint = await startBedrockEndpoint();
  client = new sdk.BedrockRuntimeClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
});
afterAll(async () => {
  client.destroy();
  await endpoint.close();
});
beforeEach(() => telemetry.exporter.reset());

function attributes() {
  const spans = telemetry.exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!.attributes;
}

describe('content capture, opted in', () => {
  it('Converse: system instructions, input and output messages', async () => {
    const system = [{ text: 'You are a support assistant.' }];
    const messages = [{ role: 'user' as const, content: [{ text: 'Where is my parcel?' }] }];
    await client.send(new sdk.ConverseCommand({ modelId: 'amazon.nova-lite-v1:0', system, messages }));
    const a = attributes();
    expect(JSON.parse(a[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] as string)).toEqual(system);
    expect(JSON.parse(a[ATTR_GEN_AI_INPUT_MESSAGES] as string)).toEqual(messages);
    expect(a[ATTR_GEN_AI_OUTPUT_MESSAGES]).toContain(ANSWER);
  });

  it('InvokeModel with an Anthropic body: the same from the native body', async () => {
    const request = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 50, system: 'Be brief.', messages: [{ role: 'user', content: 'Where is my parcel?' }] };
    await client.send(new sdk.InvokeModelCommand({ modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0', body: new TextEncoder().encode(JSON.stringify(request)) }));
    const a = attributes();
    expect(JSON.parse(a[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] as string)).toBe('Be brief.');
    expect(JSON.parse(a[ATTR_GEN_AI_INPUT_MESSAGES] as string)).toEqual(request.messages);
    expect(a[ATTR_GEN_AI_OUTPUT_MESSAGES]).toContain(ANSWER);
  });
});
