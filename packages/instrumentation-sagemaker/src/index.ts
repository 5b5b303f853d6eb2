// Public API of @tokenledger/instrumentation-sagemaker.
export { sageMakerHooks, ENV_SAGEMAKER_ENDPOINTS } from './sagemaker.ts';
export type { SageMakerConfig } from './types.ts';
