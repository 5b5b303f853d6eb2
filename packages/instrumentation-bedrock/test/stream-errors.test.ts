// A stream that fails after its 200 (Bedrock sends an exception event mid-stream): the app gets the SDK's
// error after the events that came before it, and the span ends with error status and `error.type`.
import { createRequire } from 'node:module';
import { SpanStatusCode } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ATTR_ERROR_TYPE, METRIC_GEN_AI_CLIENT_OPERATION_DURATION } from '@tokenledger/semconv';
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

beforeAll(async () => {
  endpoint = await startBedrockEndpoint({ faults: { streamErrorAfter: 2 } });
  client = new sdk.BedrockRuntimeClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
});
afterAll(async () => {
  client.destroy();
  await endpoint.close();
});
beforeEach(() => telemetry.exporter.reset());

async function drain(stream: AsyncIterable<unknown>): Promise<{ events: number; error?: Error }> {
  let events = 0;
  try {
    for await (const _ of stream) events++;
    return { events };
  } catch (error) {
    return { events, error: error as Error };
  }
}

function failedSpan() {
  const spans = telemetry.exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  const s = spans[0]!;
  expect(s.status.code).toBe(SpanStatusCode.ERROR);
  expect(s.attributes[ATTR_ERROR_TYPE]).toBe('ModelStreamErrorException');
  expect(s.events.some((e) => e.name === 'exception')).toBe(true);
  return s;
}

describe('an exception event mid-stream', () => {
  it('ConverseStream: the app sees the events before it, then the error; the span is an error', async () => {
    const res = await client.send(new sdk.ConverseStreamCommand({ modelId: 'amazon.nova-lite-v1:0', messages: [{ role: 'user', content: [{ text: 'Hello' }] }] }));
    const { events, error } = await drain(res.stream!);
    expect(events).toBe(2);
    expect(error?.name).toBe('ModelStreamErrorException');
    failedSpan();
    const points = await telemetry.histogram(METRIC_GEN_AI_CLIENT_OPERATION_DURATION);
    expect(points.some((p) => p.attributes[ATTR_ERROR_TYPE] === 'ModelStreamErrorException')).toBe(true);
  });

  it('InvokeModelWithResponseStream: the same', async () => {
    const body = new TextEncoder().encode(JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 50, messages: [{ role: 'user', content: 'Hello' }] }));
    const res = await client.send(new sdk.InvokeModelWithResponseStreamCommand({ modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0', body }));
    const { events, error } = await drain(res.body!);
    expect(events).toBe(2);
    expect(error?.name).toBe('ModelStreamErrorException');
    failedSpan();
  });
});
