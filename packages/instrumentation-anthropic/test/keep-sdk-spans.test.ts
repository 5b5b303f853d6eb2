import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type AnthropicType from '@anthropic-ai/sdk';
import { startAnthropicEndpoint, type AnthropicEndpoint } from '../../local-endpoints/src/anthropic.ts';
import { setUpTracing } from '../../../test/support/otel.ts';
import { createAnthropicInstrumentations } from '../src/index.ts';

const telemetry = setUpTracing();
registerInstrumentations({ instrumentations: createAnthropicInstrumentations({ keepSdkSpans: true }) });
const { Anthropic } = createRequire(import.meta.url)('@anthropic-ai/sdk') as { Anthropic: typeof AnthropicType };

let endpoint: AnthropicEndpoint;
beforeAll(async () => {
  endpoint = await startAnthropicEndpoint({ usage: { input: 10, output: 5 } });
});
afterAll(() => endpoint.close());

describe('keepSdkSpans', () => {
  it("keeps the SDK's own span beside ours when asked", async () => {
    const client = new Anthropic({ apiKey: 'k', baseURL: endpoint.baseURL });
    await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });
    const scopes = telemetry.exporter.getFinishedSpans().map((s) => s.instrumentationScope.name).sort();
    expect(scopes).toEqual(['@tokenledger/instrumentation-anthropic', 'com.anthropic.sdk.typescript']);
  });
});
