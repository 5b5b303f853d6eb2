import type { SageMakerConfig } from '@tokenledger/instrumentation-sagemaker';

/** Configuration of `createBedrockInstrumentations`. */
export interface BedrockInstrumentationConfig {
  /**
   * Record prompt and completion content (the GenAI input and output messages and system instructions).
   * Default: `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`, else false.
   */
  captureMessageContent?: boolean;
  /**
   * Hooks for the other AWS services sharing the process's one AwsInstrumentation (SageMaker Runtime,
   * Bedrock Agent Runtime, Bedrock batch jobs). Default: their own environment configuration.
   */
  awsServices?: AwsServicesConfig;
}

/** Configuration of `createAwsServiceHooks`. */
export interface AwsServicesConfig {
  /** SageMaker Runtime endpoints (default: env `TOKENLEDGER_SAGEMAKER_ENDPOINTS`). */
  sageMaker?: SageMakerConfig;
  /** Bedrock Agent Runtime content capture (default: env `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`). */
  bedrockAgentRuntime?: BedrockAgentRuntimeConfig;
}

/** Configuration of the Bedrock Agent Runtime hooks (`bedrockAgentRuntimeHooks`). */
export interface BedrockAgentRuntimeConfig {
  /** Record query text, document ids and scores. Default: env `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`. */
  captureContent?: boolean;
}
