// Bedrock batch inference jobs (control plane, service `Bedrock`): the CreateModelInvocationJob span names
// the model, the `batch` price tier and the job, so the records imported later join it by job id.
import type { Span } from '@opentelemetry/api';
import type { AwsSdkRequestHookInformation, AwsSdkResponseHookInformation } from '@opentelemetry/instrumentation-aws-sdk';
import { ATTR_BATCH_JOB_ID, ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL, ATTR_PRICE_TIER, PROVIDER_AWS_BEDROCK } from '@tokenledger/semconv';
import type { AwsServiceHooks } from '@tokenledger/instrumentation-core';

const CREATE_JOB = 'CreateModelInvocationJob';

export function bedrockBatchHooks(): AwsServiceHooks {
  return {
    serviceName: 'Bedrock',
    preRequestHook(span: Span, { request }: AwsSdkRequestHookInformation) {
      if (request.commandName !== CREATE_JOB) return;
      const input = request.commandInput as { modelId?: string; jobName?: string };
      span.setAttributes({
        [ATTR_GEN_AI_PROVIDER_NAME]: PROVIDER_AWS_BEDROCK,
        [ATTR_GEN_AI_REQUEST_MODEL]: String(input.modelId),
        [ATTR_PRICE_TIER]: 'batch',
        [ATTR_BATCH_JOB_ID]: String(input.jobName),
      });
    },
    responseHook(span: Span, { response }: AwsSdkResponseHookInformation) {
      const arn = response.request.commandName === CREATE_JOB ? response.data?.jobArn : undefined;
      if (typeof arn === 'string') span.setAttribute(ATTR_BATCH_JOB_ID, arn);
    },
  };
}
