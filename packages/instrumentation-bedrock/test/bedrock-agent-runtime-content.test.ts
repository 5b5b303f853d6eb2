import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as AgentRuntime from '@aws-sdk/client-bedrock-agent-runtime';
import { startBedrockAgentRuntimeEndpoint, type BedrockAgentRuntimeEndpoint } from '../../local-endpoints/src/bedrock-agent-runtime.ts';
import { dispatchAwsHooks } from '../../instrumentation-core/src/index.ts';
import { bedrockAgentRuntimeHooks } from '../src/index.ts';
import { setUpTracing } from '../../../test/support/otel.ts';

const telemetry = setUpTracing();
registerInstrumentations({ instrumentations: [new AwsInstrumentation({ ...dispatchAwsHooks([bedrockAgentRuntimeHooks({ captureContent: true })]) })] });
const ar = createRequire(import.meta.url)('@aws-sdk/client-bedrock-agent-runtime') as typeof AgentRuntime;

let endpoint: BedrockAgentRuntimeEndpoint;
beforeAll(async () => {
  endpoint = await startBedrockAgentRuntimeEndpoint({
    knowledgeBases: { KB1: [{ text: 'Refunds within 30 days.', uri: 's3://kb/refunds.md' }, { text: 'No refunds on gift cards.', uri: 's3://kb/gift.md' }] },
  });
});
afterAll(() => endpoint.close());

describe('Bedrock Agent Runtime with content capture opted in', () => {
  it('records the query text, and document ids with their scores', async () => {
    const client = new ar.BedrockAgentRuntimeClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 's' } });
    const out = await client.send(new ar.RetrieveCommand({ knowledgeBaseId: 'KB1', retrievalQuery: { text: 'gift card refunds' } }));
    const [span] = telemetry.exporter.getFinishedSpans();
    expect(span!.attributes['gen_ai.retrieval.query.text']).toBe('gift card refunds');
    const documents = JSON.parse(String(span!.attributes['gen_ai.retrieval.documents']));
    expect(documents).toEqual(out.retrievalResults!.map((r) => ({ id: r.location!.s3Location!.uri, score: r.score })));
    expect(documents[0].id).toBe('s3://kb/gift.md');
  });
});
