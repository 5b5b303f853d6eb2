import type { AwsServicesConfig } from '@tokenledger/instrumentation-sagemaker';

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
