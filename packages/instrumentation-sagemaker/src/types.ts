import type { SelfHostedEndpoint } from '@tokenledger/instrumentation-core';
import type { BedrockAgentRuntimeConfig } from '@tokenledger/retrieval';

export interface SageMakerConfig {
  /**
   * SageMaker endpoints: instance type and count, concurrency, model and route, for the `self_hosted`
   * price of each call (its duration's share of the instances' hourly price). Default: env
   * `TOKENLEDGER_SAGEMAKER_ENDPOINTS`, a JSON array of `{endpoint, instanceType?, instances?, concurrency?,
   * hourlyUsd?, model?, route?, provider?}`. Unlisted endpoints are recorded with tokens but `unpriced`.
   */
  endpoints?: SelfHostedEndpoint[];
}

/** Configuration of `createAwsServiceHooks`. */
export interface AwsServicesConfig {
  /** SageMaker Runtime endpoints (default: env `TOKENLEDGER_SAGEMAKER_ENDPOINTS`). */
  sageMaker?: SageMakerConfig;
  /** Bedrock Agent Runtime content capture (default: env `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`). */
  bedrockAgentRuntime?: BedrockAgentRuntimeConfig;
}
