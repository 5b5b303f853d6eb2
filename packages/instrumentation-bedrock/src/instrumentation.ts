// The instrumentations the preload enables for AWS: the upstream AwsInstrumentation (one per process,
// its hooks dispatched per service, with the Bedrock middleware attached to the clients it patches.
import { createNoopMeter, diag } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { type AwsServiceHooks, dispatchAwsHooks } from '@tokenledger/instrumentation-core';
import { ENV_CAPTURE_MESSAGE_CONTENT } from '@tokenledger/semconv';
import { createAwsServiceHooks } from './aws-services.ts';
import { attachBedrockMiddleware } from './runtime/client-middleware.ts';
import { onBedrockRequest } from './runtime/request.ts';
import { restoreInputTokens } from './runtime/response.ts';
import type { BedrockInstrumentationConfig } from './types.ts';

/** Bedrock Runtime's hooks for the shared AwsInstrumentation. */
export function bedrockRuntimeHooks(captureContent: boolean): AwsServiceHooks {
  return { serviceName: 'BedrockRuntime', preRequestHook: (span, info) => onBedrockRequest(span, info, captureContent), responseHook: restoreInputTokens };
}

export function createBedrockInstrumentations(config: BedrockInstrumentationConfig = {}): Instrumentation[] {
  const captureMessageContent = config.captureMessageContent ?? process.env[ENV_CAPTURE_MESSAGE_CONTENT]?.toLowerCase() === 'true';
  const aws = new AwsInstrumentation({
    ...dispatchAwsHooks([bedrockRuntimeHooks(captureMessageContent), ...createAwsServiceHooks(config.awsServices)]),
    // One span per send(); the SDK's own HTTP requests are not separate spans.
    suppressInternalInstrumentation: true,
  });
  // The upstream's Bedrock metrics undercount (Converse input without cache tokens, nothing for
  // InvokeModel): ours replace them, so its meter stays a no-op.
  aws.setMeterProvider({ getMeter: () => createNoopMeter() });
  aws.setMeterProvider = () => {};
  guardUpstreamHooks(aws);
  attachBedrockMiddleware(aws, captureMessageContent);
  return [aws];
}

/**
 * The upstream Bedrock extension parses InvokeModel bodies with `JSON.parse(body)`, which throws into the
 * app when the body is a Uint8Array (the SDK's own type for it). Its hooks must never break a call: a
 * throwing request hook is retried with the body decoded, and otherwise skipped (reported to diag).
 */
function guardUpstreamHooks(aws: AwsInstrumentation): void {
  const ext = (aws as unknown as { servicesExtensions?: Record<string, (...a: any[]) => any> }).servicesExtensions;
  if (!ext?.requestPreSpanHook || !ext.responseHook) return;
  const pre = ext.requestPreSpanHook.bind(ext);
  const post = ext.responseHook.bind(ext);
  ext.requestPreSpanHook = (request: any, ...rest: any[]) => {
    try {
      return pre(request, ...rest);
    } catch (err) {
      const body = request?.commandInput?.body;
      if (body instanceof Uint8Array) {
        try {
          return pre({ ...request, commandInput: { ...request.commandInput, body: Buffer.from(body).toString('utf8') } }, ...rest);
        } catch {
          // fall through to the report below
        }
      }
      diag.warn('tokenledger: the aws-sdk instrumentation failed to read a request; span without its attributes', err);
      return { isIncoming: false };
    }
  };
  ext.responseHook = (...args: any[]) => {
    try {
      return post(...args);
    } catch (err) {
      diag.warn('tokenledger: the aws-sdk instrumentation failed to read a response', err);
      return undefined;
    }
  };
}
