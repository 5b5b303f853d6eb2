import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as AgentRuntime from '@aws-sdk/client-bedrock-agent-runtime';
import { startBedrockAgentRuntimeEndpoint, type BedrockAgentRuntimeEndpoint } from '../../local-endpoints/src/bedrock-agent-runtime.ts';
import { dispatchAwsHooks } from '../../instrumentation-core/src/index.ts';
import { bedrockAgentRuntimeHooks } from '../src/index.ts';
import { setUpTracing } from '../../../test/support/otel.ts';

const telemetry = setUpTracing();
registerInstrumentations({ instrumentations: [new AwsInstrumentation({ ...dispatchAwsHooks([bedrockAgentRuntimeHooks()]) })] });
const ar = createRequire(import.meta.url)('@aws-sdk/client-bedrock-agent-runtime') as typeof AgentRuntime;

const HAIKU = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const ANSWER = 'Your refund was issued today.';
const STEPS = [
  { trace: 'preProcessingTrace', inputTokens: 310, outputTokens: 25 },
  { trace: 'orchestrationTrace', inputTokens: 1450, outputTokens: 62 },
  { trace: 'orchestrationTrace', inputTokens: 1900, outputTokens: 40 },
];

let endpoint: BedrockAgentRuntimeEndpoint;
let client: AgentRuntime.BedrockAgentRuntimeClient;
beforeAll(async () => {
  endpoint = await startBedrockAgentRuntimeEndpoint({ knowledgeBases: {}, agents: { AGENT1: HAIKU }, agentSteps: STEPS, answer: ANSWER });
  client = new ar.BedrockAgentRuntimeClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 's' } });
});
afterAll(() => endpoint.close());
beforeEach(() => telemetry.exporter.reset());

const invoke = (enableTrace: boolean) =>
  client.send(new ar.InvokeAgentCommand({ agentId: 'AGENT1', agentAliasId: 'TSTALIASID', sessionId: 'sess-1', inputText: 'Where is my refund?', enableTrace }));

async function readAnswer(out: AgentRuntime.InvokeAgentCommandOutput): Promise<string> {
  let text = '';
  for await (const e of out.completion!) if (e.chunk?.bytes) text += Buffer.from(e.chunk.bytes).toString('utf8');
  return text;
}

const agentSpan = (spans: ReadableSpan[]) => spans.find((s) => s.attributes['gen_ai.operation.name'] === 'invoke_agent')!;

describe('Bedrock InvokeAgent', () => {
  it('turns each model call the trace reports into a priced chat span under the invoke_agent span', async () => {
    const out = await invoke(true);
    expect(telemetry.exporter.getFinishedSpans().filter((s) => s.attributes['gen_ai.operation.name'] === 'invoke_agent')).toHaveLength(0); // held open
    expect(await readAnswer(out)).toBe(ANSWER);
    const spans = telemetry.exporter.getFinishedSpans();
    const agent = agentSpan(spans);
    expect(agent.name).toBe('invoke_agent AGENT1');
    expect(agent.attributes).toMatchObject({ 'gen_ai.provider.name': 'aws.bedrock', 'gen_ai.agent.id': 'AGENT1', 'gen_ai.conversation.id': 'sess-1' });
    expect(agent.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    expect(agent.attributes['tokenledger.cost.usd']).toBeUndefined(); // the children carry the cost: counted once

    const calls = spans.filter((s) => s.parentSpanContext?.spanId === agent.spanContext().spanId);
    expect(calls.map((c) => [c.name, c.attributes['gen_ai.usage.input_tokens'], c.attributes['gen_ai.usage.output_tokens']])).toEqual(
      STEPS.map((s) => [`chat ${HAIKU}`, s.inputTokens, s.outputTokens]),
    );
    for (const [i, c] of calls.entries()) {
      // Claude 3.5 Haiku: 0.80 in, 4.00 out USD per 1M tokens.
      expect(c.attributes['tokenledger.cost.usd']).toBeCloseTo(STEPS[i]!.inputTokens * 0.8e-6 + STEPS[i]!.outputTokens * 4e-6, 12);
      expect(c.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': HAIKU, 'gen_ai.agent.id': 'AGENT1' });
      expect(c.spanContext().traceId).toBe(agent.spanContext().traceId);
      // Timed from the reported metadata: 50 ms each.
      const ms = (t: [number, number]) => t[0] * 1000 + t[1] / 1e6;
      expect(ms(c.endTime) - ms(c.startTime)).toBeCloseTo(50, 0);
    }
  });

  it('records no model calls when the request does not enable trace (the service reports no usage then)', async () => {
    expect(await readAnswer(await invoke(false))).toBe(ANSWER);
    const spans = telemetry.exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    expect(agentSpan(spans).attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it('an app that stops reading still ends the span, with the model calls read so far', async () => {
    const out = await invoke(true);
    let events = 0;
    for await (const _ of out.completion!) if (++events === 2) break; // one model call's input and output
    const spans = telemetry.exporter.getFinishedSpans();
    expect(agentSpan(spans).status.code).toBe(0);
    expect(spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat').map((s) => s.attributes['gen_ai.usage.input_tokens'])).toEqual([310]);
  });

  it('InvokeInlineAgent: named by the agent name; calls whose trace names no model are priced at the request\'s foundation model', async () => {
    const inline = await startBedrockAgentRuntimeEndpoint({ knowledgeBases: {}, agentSteps: STEPS.slice(0, 1), agentTraceNamesModel: false, answer: ANSWER });
    const c = new ar.BedrockAgentRuntimeClient({ endpoint: inline.url, region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 's' } });
    try {
      const out = await c.send(new ar.InvokeInlineAgentCommand({
        sessionId: 'sess-2', foundationModel: HAIKU, instruction: 'You handle refunds for the support desk politely.', agentName: 'refunds', inputText: 'Where is my refund?', enableTrace: true,
      }));
      expect(await readAnswer(out)).toBe(ANSWER);
    } finally {
      await inline.close();
    }
    const spans = telemetry.exporter.getFinishedSpans();
    const agent = agentSpan(spans);
    expect(agent.name).toBe('invoke_agent refunds');
    expect(agent.attributes).toMatchObject({ 'gen_ai.agent.name': 'refunds', 'gen_ai.conversation.id': 'sess-2' });
    expect(agent.attributes['gen_ai.request.model']).toBeUndefined();
    const [call, ...rest] = spans.filter((s) => s.parentSpanContext?.spanId === agent.spanContext().spanId);
    expect(rest).toHaveLength(0);
    expect(call!.attributes['gen_ai.request.model']).toBe(HAIKU);
    expect(call!.attributes['tokenledger.cost.usd']).toBeCloseTo(310 * 0.8e-6 + 25 * 4e-6, 12);
  });

  it('an error event reaches the app unchanged and marks the span', async () => {
    endpoint.breakNextStream('Rate exceeded');
    const err = await readAnswer(await invoke(true)).catch((e) => e);
    expect(err).toBeInstanceOf(ar.ThrottlingException);
    const span = agentSpan(telemetry.exporter.getFinishedSpans());
    expect(span.status.code).toBe(2);
    expect(span.attributes['error.type']).toBe('ThrottlingException');
  });
});
