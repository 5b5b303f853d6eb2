import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as BedrockModule from '@aws-sdk/client-bedrock';
import { startBedrockControlEndpoint } from '../../local-endpoints/src/bedrock-control.ts';
import type { JsonSseServer } from '../../local-endpoints/src/http-json-sse.ts';
import { setUpTracing } from '../../../test/support/otel.ts';
import { dispatchAwsHooks } from '../../instrumentation-core/src/index.ts';
import { createAwsServiceHooks } from '../src/index.ts';

const telemetry = setUpTracing();
registerInstrumentations({ instrumentations: [new AwsInstrumentation({ ...dispatchAwsHooks(createAwsServiceHooks()) })] });
const bedrock = createRequire(import.meta.url)('@aws-sdk/client-bedrock') as typeof BedrockModule;

let endpoint: JsonSseServer;
beforeAll(async () => {
  endpoint = await startBedrockControlEndpoint();
});
afterAll(() => endpoint.close());

describe('CreateModelInvocationJob', () => {
  it('names the model, the batch tier and the job ARN on the span', async () => {
    const client = new bedrock.BedrockClient({ endpoint: endpoint.origin, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 's' } });
    const out = await client.send(new bedrock.CreateModelInvocationJobCommand({
      jobName: 'nightly-triage', roleArn: 'arn:aws:iam::123456789012:role/batch', modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
      inputDataConfig: { s3InputDataConfig: { s3Uri: 's3://in/', s3InputFormat: 'JSONL' } },
      outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://out/' } },
    }));
    expect(endpoint.requests[0]!.body.jobName).toBe('nightly-triage');
    const [span] = telemetry.exporter.getFinishedSpans();
    expect(span!.attributes).toMatchObject({
      'rpc.method': 'CreateModelInvocationJob',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.request.model': 'anthropic.claude-3-5-haiku-20241022-v1:0',
      'tokenledger.price.tier': 'batch',
      'tokenledger.batch.job_id': out.jobArn,
    });
  });
});
