// Public API of @tokenledger/local-endpoints: local servers in each provider's wire format.
export { startBedrockEndpoint, type BedrockUsage, type BedrockEndpoint, type BedrockEndpointOptions, type BedrockFaults, type BedrockOperation, type BedrockRecordedRequest } from './bedrock.ts';
export { startOpenAIEndpoint, openAIError, type OpenAIEndpoint, type OpenAIEndpointOptions } from './openai.ts';
export { startAnthropicEndpoint, anthropicError, type AnthropicEndpoint, type AnthropicEndpointOptions } from './anthropic.ts';
export { startSageMakerEndpoint, type SageMakerEndpoint, type SageMakerEndpointOptions, type ContainerShape } from './sagemaker.ts';
export { startBedrockAgentRuntimeEndpoint, type AgentStep, type BedrockAgentRuntimeEndpoint, type BedrockAgentRuntimeOptions } from './bedrock-agent-runtime.ts';
export { startBedrockControlEndpoint } from './bedrock-control.ts';
export type { JsonSseServer } from './http-json-sse.ts';
export { startCloudWatchEndpoint, CLOUDWATCH_LIMITS, type CloudWatchEndpoint, type CloudWatchFaults, type RecordedDatum as CloudWatchRecordedDatum, type RecordedRequest as CloudWatchRecordedRequest } from './cloudwatch-endpoint.ts';
export { startEc2MetadataEndpoint, type InstanceIdentityDocument } from './ec2-metadata.ts';
export { startApplicationAutoScalingEndpoint, startAutoScalingEndpoint, type ScalingEndpoint, type ScalingRequest } from './autoscaling.ts';
