// Public API of @tokenledger/instrumentation-sagemaker.
export { sageMakerHooks, ENV_SAGEMAKER_ENDPOINTS } from './sagemaker.ts';
export { dispatchAwsHooks } from './aws-hooks.ts';
export type { AwsServiceHooks } from './aws-hooks.ts';
export type { SageMakerConfig } from './types.ts';
export { runBatchImport } from './batch-import.ts';
export type { BatchImportDeps } from './batch-import.ts';
export { bedrockBatchHooks } from './bedrock-batch.ts';
export { createAwsServiceHooks } from './aws-services.ts';
export type { AwsServicesConfig } from './types.ts';
