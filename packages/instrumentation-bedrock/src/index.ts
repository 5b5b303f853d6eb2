// Public API of @tokenledger/instrumentation-bedrock: every Bedrock service — Runtime (runtime/), Agent
// Runtime with knowledge bases, rerank and agents (agent-runtime/), batch jobs and `tokenledger batch
// import` (batch/) — and the process's one AwsInstrumentation that carries their hooks and SageMaker's.
export { createBedrockInstrumentations, bedrockRuntimeHooks } from './instrumentation.ts';
export { createAwsServiceHooks } from './aws-services.ts';
export { bedrockAgentRuntimeHooks } from './agent-runtime/hooks.ts';
export { bedrockBatchHooks } from './batch/job-hooks.ts';
export { runBatchImport, type BatchImportDeps } from './batch/import.ts';
export { promptChars, promptTokenAttributes, type PromptChars } from './runtime/prompt-breakdown.ts';
export type { AwsServicesConfig, BedrockAgentRuntimeConfig, BedrockInstrumentationConfig } from './types.ts';
