// What the app gets is what it would get without TokenLedger: the same response, to the byte, for every
// operation, also when our own hook code throws; and no content on the spans unless opted in (opted in:
// content-opt-in.test.ts). "Without" is the same process after the instrumentation is disabled (its
// patches of the SDK undone), against the same deterministic local endpoint.
import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import {
  ATTR_COST_USD,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_PROMPT_TOKENS_SYSTEM,
  ATTR_USAGE_ESTIMATED,
  PROVIDER_AWS_BEDROCK,
} from '@tokenledger/semconv';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Bedrock from '@aws-sdk/client-bedrock-runtime';
import { startBedrockEndpoint, type BedrockEndpoint } from '../../local-endpoints/src/bedrock.ts';
import { setUpTracing } from '../../../test/support/otel.ts';
import { createBedrockInstrumentations } from '../src/index.ts';

// Our helpers made to throw on demand: `promptChars` runs in the request hook, `promptTokenAttributes`
// while the response side is written (inside the span, before the app gets its result).
const fail = vi.hoisted(() => ({ request: false, response: false, thrown: 0 }));
vi.mock('../src/runtime/prompt-breakdown.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/runtime/prompt-breakdown.ts')>();
  const boom = (where: string) => {
    fail.thrown++;
    throw new Error(`tokenledger test: ${where} hook fails`);
  };
  return {
    ...real,
    promptChars: (...a: Parameters<typeof real.promptChars>) => (fail.request ? boom('request') : real.promptChars(...a)),
    promptTokenAttributes: (...a: Parameters<typeof real.promptTokenAttributes>) => (fail.response ? boom('response') : real.promptTokenAttributes(...a)),
  };
});

const telemetry = setUpTracing();
const unregister = registerInstrumentations({ instrumentations: createBedrockInstrumentations() });
// Loaded after the instrumentation is registered, as the preload does.
const sdk = createRequire(import.meta.url)('@aws-sdk/client-bedrock-runtime') as typeof Bedrock;

let endpoint: BedrockEndpoint;
const HAIKU = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const SYSTEM = 'You are a support assistant. '.repeat(20);
const messages: Bedrock.Message[] = [
  { role: 'user', content: [{ text: 'My invoice is wrong.' }] },
  { role: 'assistant', content: [{ text: 'Which invoice?' }] },
  { role: 'user', content: [{ text: 'The one from March, please.' }] },
];
const anthropicBody = () => new TextEncoder().encode(JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 100, system: SYSTEM, messages: [{ role: 'user', content: 'Where is my parcel?' }] }));

/** Every call of the app, with everything it gets back (stream events read to the end). */
const CALLS: Record<string, (c: Bedrock.BedrockRuntimeClient) => Promise<unknown>> = {
  Converse: (c) => c.send(new sdk.ConverseCommand({ modelId: HAIKU, system: [{ text: SYSTEM }, { cachePoint: { type: 'default' } }], messages })),
  ConverseStream: async (c) => {
    const res = await c.send(new sdk.ConverseStreamCommand({ modelId: HAIKU, system: [{ text: SYSTEM }], messages }));
    const events: unknown[] = [];
    for await (const e of res.stream!) events.push(e);
    return { ...res, stream: events };
  },
  InvokeModel: (c) => c.send(new sdk.InvokeModelCommand({ modelId: HAIKU, contentType: 'application/json', body: anthropicBody() })),
  'InvokeModel (Cohere, estimated)': (c) => c.send(new sdk.InvokeModelCommand({ modelId: 'cohere.command-r-v1:0', body: new TextEncoder().encode(JSON.stringify({ message: 'Hi' })) })),
  InvokeModelWithResponseStream: async (c) => {
    const res = await c.send(new sdk.InvokeModelWithResponseStreamCommand({ modelId: HAIKU, body: anthropicBody() }));
    const events: unknown[] = [];
    for await (const e of res.body!) events.push(e);
    return { ...res, body: events };
  },
};

/** The response as bytes-exact text: binary parts in hex, own keys in order; the per-call request id left out. */
function serialise(v: unknown): string {
  return JSON.stringify(v, function (key, value) {
    if (key === 'requestId' && this && typeof this === 'object' && 'httpStatusCode' in this) return '<per call>';
    if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString('hex'), type: value.constructor.name };
    return value;
  });
}

const newClient = () => new sdk.BedrockRuntimeClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
const instrumented: Record<string, string> = {};
const failing: Record<string, string> = {};
const bare: Record<string, string> = {};

function endedSpan() {
  const spans = telemetry.exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!.attributes;
}

beforeAll(async () => {
  endpoint = await startBedrockEndpoint();
});
afterAll(async () => {
  await endpoint.close();
});
beforeEach(() => {
  telemetry.exporter.reset();
  fail.request = fail.response = false;
  fail.thrown = 0;
});

describe('instrumented, content capture off (the default)', () => {
  for (const [name, call] of Object.entries(CALLS)) {
    it(`${name}: usage and cost on the span, no content`, async () => {
      const client = newClient();
      instrumented[name] = serialise(await call(client));
      client.destroy();
      const a = endedSpan();
      expect(a[ATTR_GEN_AI_PROVIDER_NAME]).toBe(PROVIDER_AWS_BEDROCK);
      expect(a[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBeGreaterThan(0);
      if (name.includes('Cohere')) expect(a[ATTR_USAGE_ESTIMATED]).toBe(true); // reports no usage (and is unpriced)
      else {
        expect(a[ATTR_COST_USD]).toBeGreaterThan(0);
        expect(a[ATTR_PROMPT_TOKENS_SYSTEM]).toBeGreaterThan(0);
      }
      for (const key of [ATTR_GEN_AI_INPUT_MESSAGES, ATTR_GEN_AI_SYSTEM_INSTRUCTIONS, ATTR_GEN_AI_OUTPUT_MESSAGES]) expect(a[key]).toBeUndefined();
      // Nor anywhere else on the span: no attribute value holds the prompt or the answer.
      const values = JSON.stringify(Object.values(a));
      expect(values).not.toContain('support assistant');
      expect(values).not.toContain('knowledge base');
    });
  }
});

describe('our hook code throws', () => {
  for (const [name, call] of Object.entries(CALLS)) {
    if (name.includes('Cohere')) continue; // no prompt breakdown for Cohere bodies: nothing would throw
    it(`${name}: in the request hook and in the response side, the app still gets its result, the span still ends`, async () => {
      const client = newClient();
      fail.request = true;
      const first = serialise(await call(client));
      expect(fail.thrown).toBe(1);
      expect(endedSpan()[ATTR_COST_USD]).toBeUndefined(); // the hook stopped before marking the call
      telemetry.exporter.reset();
      fail.request = false;
      fail.response = true;
      failing[name] = serialise(await call(client));
      expect(fail.thrown).toBe(2);
      expect(endedSpan()[ATTR_GEN_AI_PROVIDER_NAME]).toBe(PROVIDER_AWS_BEDROCK);
      client.destroy();
      expect(first).toBe(failing[name]);
    });
  }
});

describe('without the instrumentation', () => {
  it('the same process, its patches undone, records nothing', async () => {
    unregister();
    for (const [name, call] of Object.entries(CALLS)) {
      const client = newClient();
      bare[name] = serialise(await call(client));
      client.destroy();
    }
    expect(telemetry.exporter.getFinishedSpans()).toHaveLength(0);
  });

  for (const name of Object.keys(CALLS)) {
    it(`${name}: the app got byte-identical responses with and without it (failing hooks too)`, () => {
      expect(bare[name]).toMatch(/knowledge base|"bytes":"[0-9a-f]{40,}/); // a real answer was compared
      expect(instrumented[name]).toBe(bare[name]);
      if (failing[name] !== undefined) expect(failing[name]).toBe(bare[name]);
    });
  }
});
