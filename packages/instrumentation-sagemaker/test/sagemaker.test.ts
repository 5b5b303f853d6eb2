import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { estimateTokens } from '@tokenledger/pricing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as SageMakerModule from '@aws-sdk/client-sagemaker-runtime';
import { startSageMakerEndpoint, type SageMakerEndpoint } from '../../local-endpoints/src/sagemaker.ts';
import { setUpTracing } from '../../../test/support/otel.ts';
import { dispatchAwsHooks } from '../../instrumentation-core/src/index.ts';
import { sageMakerHooks } from '../src/index.ts';

const telemetry = setUpTracing();
process.env.TOKENLEDGER_SAGEMAKER_ENDPOINTS = JSON.stringify([
  { endpoint: 'llama-tgi', instanceType: 'ml.g5.2xlarge', model: 'meta-llama-3-8b', route: 'faq', concurrency: 2 },
  { endpoint: 'qwen-vllm', hourlyUsd: 3.6, model: 'qwen2.5-7b' },
]);
// The one AwsInstrumentation of the process, dispatching to the SageMakerRuntime hooks.
registerInstrumentations({ instrumentations: [new AwsInstrumentation({ ...dispatchAwsHooks([sageMakerHooks()]) })] });
const sm = createRequire(import.meta.url)('@aws-sdk/client-sagemaker-runtime') as typeof SageMakerModule;

let endpoint: SageMakerEndpoint;
let client: SageMakerModule.SageMakerRuntimeClient;
const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const decode = (b: Uint8Array) => new TextDecoder().decode(b);
const PROMPT = 'What is the refund window for gift cards?';

beforeAll(async () => {
  endpoint = await startSageMakerEndpoint({
    containers: { 'llama-tgi': 'tgi', 'qwen-vllm': 'vllm', 'djl-lmi': 'lmi', 'custom': 'plain' },
    usage: { prompt: 11, completion: 7 },
  });
  client = new sm.SageMakerRuntimeClient({
    endpoint: endpoint.url, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
  });
});
afterAll(async () => {
  delete process.env.TOKENLEDGER_SAGEMAKER_ENDPOINTS;
  await endpoint.close();
});
beforeEach(() => telemetry.exporter.reset());

function onlySpan(): ReadableSpan {
  const spans = telemetry.exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}
const durationS = (s: ReadableSpan) => s.duration[0] + s.duration[1] / 1e9;

describe('InvokeEndpoint', () => {
  it('reads TGI usage (prefill and generated tokens) and prices instance time from the catalog', async () => {
    const out = await client.send(new sm.InvokeEndpointCommand({
      EndpointName: 'llama-tgi', ContentType: 'application/json',
      Body: encode({ inputs: PROMPT, parameters: { max_new_tokens: 64, details: true, decoder_input_details: true } }),
    }));
    expect(JSON.parse(decode(out.Body!))[0].generated_text).toBe('Hi there!'); // the app's body is untouched
    const span = onlySpan();
    expect(span.name).toBe('text_completion meta-llama-3-8b');
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'aws.sagemaker',
      'gen_ai.operation.name': 'text_completion',
      'gen_ai.request.model': 'meta-llama-3-8b',
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.response.finish_reasons': ['eos_token'],
      'tokenledger.route': 'faq',
      'tokenledger.instance.type': 'ml.g5.2xlarge',
      'tokenledger.price.tier': 'self_hosted',
      'rpc.service': 'SageMakerRuntime',
    });
    expect(span.attributes['tokenledger.usage.estimated']).toBeUndefined();
    const tokens = await telemetry.histogram('gen_ai.client.token.usage');
    expect(tokens.find((p) => p.attributes['gen_ai.provider.name'] === 'aws.sagemaker' && p.attributes['gen_ai.token.type'] === 'output')?.sum).toBe(7);
    // ml.g5.2xlarge falls back to the g5.2xlarge catalog price, 1.212 USD/h, shared by 2 concurrent calls.
    // The priced time is the call's, measured inside the span: positive and never longer than the span
    // (an exact match would depend on scheduling on a loaded machine).
    const pricedS = (Number(span.attributes['tokenledger.cost.usd']) * 3600 * 2) / 1.212;
    expect(pricedS).toBeGreaterThan(0);
    expect(pricedS).toBeLessThanOrEqual(durationS(span) + 1e-6);
  });

  it('reads OpenAI-shaped usage from a vLLM body, priced at the configured hourly rate', async () => {
    await client.send(new sm.InvokeEndpointCommand({
      EndpointName: 'qwen-vllm', ContentType: 'application/json',
      Body: encode({ messages: [{ role: 'user', content: PROMPT }], max_tokens: 50 }),
    }));
    const span = onlySpan();
    expect(span.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 11, 'gen_ai.usage.output_tokens': 7, 'tokenledger.cost.source': 'override' });
    const pricedS = (Number(span.attributes['tokenledger.cost.usd']) * 3600) / 3.6;
    expect(pricedS).toBeGreaterThan(0);
    expect(pricedS).toBeLessThanOrEqual(durationS(span) + 1e-6);
  });

  it('estimates the input an LMI container does not report, and marks it', async () => {
    await client.send(new sm.InvokeEndpointCommand({ EndpointName: 'djl-lmi', ContentType: 'application/json', Body: encode({ inputs: PROMPT }) }));
    const span = onlySpan();
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(estimateTokens(PROMPT));
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(7);
    expect(span.attributes['tokenledger.usage.estimated']).toBe(true);
    // Not configured: tokens recorded, but no hourly price to share.
    expect(span.attributes['tokenledger.cost.source']).toBe('unpriced');
    expect(span.attributes['gen_ai.request.model']).toBe('djl-lmi');
  });

  it('estimates both sides for a container with no usage at all', async () => {
    await client.send(new sm.InvokeEndpointCommand({ EndpointName: 'custom', ContentType: 'application/json', Body: encode({ inputs: PROMPT }) }));
    const span = onlySpan();
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(estimateTokens(PROMPT));
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(estimateTokens('Hi there!'));
    expect(span.attributes['tokenledger.usage.estimated']).toBe(true);
  });

  it('records a ModelError and rethrows it unchanged', async () => {
    endpoint.failNext(424, 'ModelError', 'container crashed');
    const err = await client.send(new sm.InvokeEndpointCommand({ EndpointName: 'llama-tgi', Body: encode({ inputs: 'x' }) })).catch((e) => e);
    expect(err).toBeInstanceOf(sm.ModelError);
    const span = onlySpan();
    expect(span.status.code).toBe(2);
    expect(span.attributes['error.type']).toBe('ModelError');
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });
});

describe('InvokeEndpointWithResponseStream', () => {
  async function readAll(name: string, body: unknown) {
    const out = await client.send(new sm.InvokeEndpointWithResponseStreamCommand({ EndpointName: name, ContentType: 'application/json', Body: encode(body) }));
    let text = '';
    for await (const event of out.Body!) text += decode(event.PayloadPart!.Bytes!);
    return text;
  }

  it('keeps the span open until the stream is read, with TGI usage from the last event and TTFT', async () => {
    const text = await readAll('llama-tgi', { inputs: PROMPT, stream: true });
    expect(text).toContain('"generated_text":"Hi there!"'); // the app reads every byte
    const span = onlySpan();
    expect(span.attributes).toMatchObject({ 'gen_ai.request.stream': true, 'gen_ai.usage.output_tokens': 7, 'gen_ai.response.finish_reasons': ['eos_token'] });
    // TGI streams do not repeat the prompt length: input is estimated.
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(estimateTokens(PROMPT));
    expect(span.attributes['tokenledger.usage.estimated']).toBe(true);
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    expect(span.attributes['tokenledger.cost.usd']).toBeGreaterThan(0);
  });

  it('reads vLLM stream usage across PayloadParts cut mid-line', async () => {
    await readAll('qwen-vllm', { messages: [{ role: 'user', content: PROMPT }], stream: true });
    const span = onlySpan();
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(11);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(7);
    expect(span.attributes['tokenledger.usage.estimated']).toBeUndefined();
  });

  it('ends the span when the app abandons the stream', async () => {
    const out = await client.send(new sm.InvokeEndpointWithResponseStreamCommand({ EndpointName: 'custom', Body: encode({ inputs: PROMPT }) }));
    for await (const _ of out.Body!) break;
    const span = onlySpan();
    expect(span.ended).toBe(true);
    expect(span.status.code).toBe(0);
    expect(span.attributes['tokenledger.usage.estimated']).toBe(true);
  });

  it('records a ModelStreamError that arrives mid-stream, and the app still gets it', async () => {
    endpoint.breakNextStream('CUDA out of memory');
    const out = await client.send(new sm.InvokeEndpointWithResponseStreamCommand({ EndpointName: 'llama-tgi', Body: encode({ inputs: PROMPT }) }));
    let parts = 0;
    const err = await (async () => {
      for await (const _ of out.Body!) parts++;
    })().catch((e) => e);
    expect(parts).toBe(1);
    expect(err).toBeInstanceOf(sm.ModelStreamError);
    const span = onlySpan();
    expect(span.status.code).toBe(2);
    expect(span.attributes['error.type']).toBe('ModelStreamError');
  });
});
