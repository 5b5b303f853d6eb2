// Every AWS service these packages instrument besides Bedrock Runtime, as hooks for the one
// AwsInstrumentation of the process (built by @tokenledger/instrumentation-bedrock).
import { bedrockAgentRuntimeHooks } from '@tokenledger/retrieval';
import type { AwsServiceHooks } from './aws-hooks.ts';
import { bedrockBatchHooks } from './bedrock-batch.ts';
import { sageMakerHooks } from './sagemaker.ts';
import type { AwsServicesConfig } from './types.ts';

/** SageMakerRuntime, BedrockAgentRuntime and Bedrock (batch jobs) hooks; reads their configuration now (bad config fails at start). */
export function createAwsServiceHooks(config: AwsServicesConfig = {}): AwsServiceHooks[] {
  return [sageMakerHooks(config.sageMaker), bedrockAgentRuntimeHooks(config.bedrockAgentRuntime), bedrockBatchHooks()];
}
