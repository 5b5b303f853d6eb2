// Instrumentation failures must never reach the app: here every GenAI metric record throws (standing in
// for any failure while the response side is written), and the upstream hook meets a body it cannot parse.
// The app must get exactly what the endpoint sent, and the spans must still end.
import { createRequire } from 'node:module';
import { context, metrics, trace, type Meter, type MeterProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_GEN_AI_PROVIDER_NAME, PROVIDER_AWS_BEDROCK } from '@tokenledger/semconv';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as Bedrock from '@aws-sdk/client-bedrock-runtime';
import { startBedrockEndpoint, type BedrockEndpoint } from '../../local-endpoints/src/bedrock.ts';
import { createBedrockInstrumentations } from '../src/index.ts';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }));
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
let recordCalls = 0;
const throwing = {
  record() {
    recordCalls++;
    throw new Error('metrics pipeline broken');
  },
};
const meter = new Proxy({}, { get: () => () => throwing }) as Meter;
metrics.setGlobalMeterProvider({ getMeter: () => meter } as MeterProvider);
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
beforeEach(() => {
  exporter.reset();
  recordCalls = 0;
});

function endedBedrockSpan() {
  const spans = exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  expect(spans[0]!.attributes[ATTR_GEN_AI_PROVIDER_NAME]).toBe(PROVIDER_AWS_BEDROCK);
}

describe('a failing instrumentation never breaks the call', () => {
  it('Converse returns the response unchanged', async () => {
    const res = await client.send(new sdk.ConverseCommand({ modelId: MODEL, messages }));
    expect(recordCalls).toBeGreaterThan(0); // the failure did happen
    expect(res.output?.message?.content?.[0]?.text).toBe('Thanks for reaching out. Here is what the knowledge base says.');
    expect(res.usage?.inputTokens).toBeGreaterThan(0);
    endedBedrockSpan();
  });

  it('ConverseStream delivers every event and ends the span', async () => {
    const res = await client.send(new sdk.ConverseStreamCommand({ modelId: MODEL, messages }));
    const kinds: string[] = [];
    let text = '';
    for await (const e of res.stream!) {
      kinds.push(Object.keys(e)[0]!);
      text += e.contentBlockDelta?.delta?.text ?? '';
    }
    expect(recordCalls).toBeGreaterThan(0);
    expect(text).toBe('Thanks for reaching out. Here is what the knowledge base says.');
    expect(kinds.at(-1)).toBe('metadata');
    endedBedrockSpan();
  });

  it('InvokeModelWithResponseStream delivers every chunk and ends the span', async () => {
    const body = new TextEncoder().encode(JSON.stringify({ prompt: 'Hi' }));
    const res = await client.send(new sdk.InvokeModelWithResponseStreamCommand({ modelId: 'meta.llama3-1-8b-instruct-v1:0', body }));
    let chunks = 0;
    for await (const e of res.body!) if (e.chunk?.bytes) chunks++;
    expect(recordCalls).toBeGreaterThan(0);
    expect(chunks).toBeGreaterThan(1);
    endedBedrockSpan();
  });

  it('an InvokeModel body the hooks cannot parse fails with the service error, not ours', async () => {
    const body = new TextEncoder().encode('not json');
    const err = await client.send(new sdk.InvokeModelCommand({ modelId: 'meta.llama3-1-8b-instruct-v1:0', body })).then(() => undefined, (e: Error) => e);
    expect(err?.name).toBe('ValidationException');
    endedBedrockSpan();
  });
});
