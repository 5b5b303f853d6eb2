// Every AWS service these packages instrument besides Bedrock Runtime, as hooks for the one
// AwsInstrumentation of the process (built in instrumentation.ts).
import type { AwsServiceHooks } from '@tokenledger/instrumentation-core';
import { sageMakerHooks } from '@tokenledger/instrumentation-sagemaker';
import { bedrockAgentRuntimeHooks } from './agent-runtime/hooks.ts';
import { bedrockBatchHooks } from './batch/job-hooks.ts';
import type { AwsServicesConfig } from './types.ts';

/** SageMakerRuntime, BedrockAgentRuntime and Bedrock (batch jobs) hooks; reads their configuration now (bad config fails at start). */
export function createAwsServiceHooks(config: AwsServicesConfig = {}): AwsServiceHooks[] {
  return [sageMakerHooks(config.sageMaker), bedrockAgentRuntimeHooks(config.bedrockAgentRuntime), bedrockBatchHooks()];
}
