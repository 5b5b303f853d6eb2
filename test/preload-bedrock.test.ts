// The first slice end to end: an app calling Bedrock Converse with the real AWS SDK, under
// `node --require @tokenledger/node/register`, against a local endpoint in Bedrock's wire format (HTTP/2).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBedrockEndpoint } from '@tokenledger/local-endpoints';
import type { BedrockEndpoint } from '@tokenledger/local-endpoints';
import {
  ATTR_COST_SOURCE,
  ATTR_COST_USD,
  ATTR_FEATURE,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_OUTCOME,
  ATTR_ROUTE,
  ATTR_ROUTE_REASON,
  ATTR_TENANT,
  ATTR_WORKFLOW,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
  PROVIDER_AWS_BEDROCK,
} from '@tokenledger/semconv';
import { startReceiver } from './fixtures/preload/otlp-receiver.ts';
import type { Receiver } from './fixtures/preload/otlp-receiver.ts';
import { byName, preloadEnv, run } from './fixtures/preload/run.ts';

const MODEL = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';

describe('preloaded app calling Bedrock Converse', () => {
  let receiver: Receiver;
  let bedrock: BedrockEndpoint;
  beforeEach(async () => {
    [receiver, bedrock] = await Promise.all([startReceiver(), startBedrockEndpoint({ port: 0 })]);
  });
  afterEach(async () => {
    await Promise.all([receiver.close(), bedrock.close()]);
  });

  it.each([
    ['--require', 'bedrock-app.cjs'],
    ['--import', 'bedrock-app.mjs'],
  ] as const)('%s %s: a model span with tokens, cost, route and attribution', async (flag, app) => {
    const result = await run(
      flag,
      app,
      preloadEnv(receiver.url, { BEDROCK_URL: bedrock.url, MODEL_ID: MODEL, OTEL_SERVICE_NAME: 'support-bot' }),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const usage = JSON.parse(/usage=(.*)/.exec(result.stdout)![1]) as { inputTokens: number; outputTokens: number };
    expect(bedrock.requests.map((r) => r.status)).toEqual([200]);

    const root = byName(receiver.spans, 'answer-ticket');
    const model = receiver.spans.find((s) => s.attributes[ATTR_GEN_AI_PROVIDER_NAME] === PROVIDER_AWS_BEDROCK);
    expect(model, receiver.spans.map((s) => s.name).join(', ')).toBeDefined();
    expect(model!.parentSpanId).toBe(root.spanId);
    expect(model!.attributes).toMatchObject({
      [ATTR_GEN_AI_REQUEST_MODEL]: MODEL,
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: usage.inputTokens,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: usage.outputTokens,
      [ATTR_ROUTE]: 'classification',
      [ATTR_ROUTE_REASON]: 'short_input',
      [ATTR_TENANT]: 'acme',
      [ATTR_FEATURE]: 'support',
      [ATTR_WORKFLOW]: 'triage',
    });
    expect(model!.attributes[ATTR_COST_USD]).toBeGreaterThan(0);
    expect(String(model!.attributes[ATTR_COST_SOURCE])).toMatch(/^catalog:/);
    expect(root.attributes[ATTR_OUTCOME]).toBe('ticket_classified');
    // The preload's meter provider reaches the instrumentation: GenAI metrics exported at exit.
    expect(receiver.metricNames).toEqual(
      expect.arrayContaining([METRIC_GEN_AI_CLIENT_TOKEN_USAGE, METRIC_GEN_AI_CLIENT_OPERATION_DURATION]),
    );
  });
});
