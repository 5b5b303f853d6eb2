// SageMaker Runtime InvokeEndpoint / InvokeEndpointWithResponseStream through the aws-sdk instrumentation's
// hooks: model, operation and route from the body and configuration, usage from the container's body
// (estimated and marked when it reports none), TTFT for streams, priced as `self_hosted`.
import { metrics, type MeterProvider, type Span } from '@opentelemetry/api';
import type { AwsSdkRequestHookInformation, AwsSdkResponseHookInformation } from '@opentelemetry/instrumentation-aws-sdk';
import {
  type AwsServiceHooks,
  createGenAiMetrics,
  holdSpanUntilRead,
  parseSelfHostedEndpoints,
  recordCallResult,
  recordError,
  requestHash,
  type CallInfo,
  type CallResult,
  type GenAiMetrics,
  type SelfHostedEndpoint,
} from '@tokenledger/instrumentation-core';
import { estimateTokens } from '@tokenledger/pricing';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_INSTANCE_TYPE,
  ATTR_REQUEST_HASH,
  ATTR_ROUTE,
  PROVIDER_AWS_SAGEMAKER,
} from '@tokenledger/semconv';
import { bodyText, finalUsage, parseRequest, readResponseBody, StreamBodyReader, type BodyUsage } from './bodies.ts';
import type { SageMakerConfig } from './types.ts';

export const ENV_SAGEMAKER_ENDPOINTS = 'TOKENLEDGER_SAGEMAKER_ENDPOINTS';
const INVOKE = 'InvokeEndpoint';
const INVOKE_STREAM = 'InvokeEndpointWithResponseStream';

interface CallState {
  call: CallInfo;
  promptText: string;
  start: number;
}

/** The SageMakerRuntime hooks; reads the endpoint configuration now, so a bad variable fails at start. */
export function sageMakerHooks(config: SageMakerConfig = {}): AwsServiceHooks {
  const endpoints = config.endpoints ?? parseSelfHostedEndpoints(ENV_SAGEMAKER_ENDPOINTS, process.env[ENV_SAGEMAKER_ENDPOINTS], 'endpoint', PROVIDER_AWS_SAGEMAKER);
  const calls = new WeakMap<Span, CallState>();
  // Hooks have no meter of their own: the global provider's, re-read when the SDK replaces it.
  let provider: MeterProvider | undefined;
  let genAiMetrics: GenAiMetrics | undefined;
  const meters = () => {
    const current = metrics.getMeterProvider();
    if (current !== provider || !genAiMetrics) {
      provider = current;
      genAiMetrics = createGenAiMetrics(current.getMeter('@tokenledger/instrumentation-sagemaker', '0.1.0'));
    }
    return genAiMetrics;
  };

  const finish = (span: Span, st: CallState, body: BodyUsage, ttftS?: number) => {
    const { usage, estimated } = finalUsage(body, st.promptText, estimateTokens);
    const result: CallResult = { usage, tier: 'self_hosted', finishReasons: body.finishReason ? [body.finishReason] : undefined };
    recordCallResult(span, meters(), { ...st.call, estimated }, result, seconds(st.start), ttftS);
  };

  return {
    serviceName: 'SageMakerRuntime',
    preRequestHook(span, { request }: AwsSdkRequestHookInformation) {
      if (request.commandName !== INVOKE && request.commandName !== INVOKE_STREAM) return;
      const input = request.commandInput as { EndpointName?: string; Body?: unknown; InferenceComponentName?: string };
      const name = String(input.EndpointName);
      const selfHosted: SelfHostedEndpoint | undefined = endpoints.find((e) => e.match === name);
      const parsed = parseRequest(input.Body);
      const call: CallInfo = {
        provider: selfHosted?.provider ?? PROVIDER_AWS_SAGEMAKER,
        operation: parsed.operation,
        requestModel: selfHosted?.model ?? parsed.model ?? input.InferenceComponentName ?? name,
        selfHosted,
      };
      span.setAttributes({
        [ATTR_GEN_AI_PROVIDER_NAME]: call.provider,
        [ATTR_GEN_AI_OPERATION_NAME]: call.operation,
        [ATTR_GEN_AI_REQUEST_MODEL]: call.requestModel,
        [ATTR_REQUEST_HASH]: requestHash(call.provider, [name, bodyText(input.Body)]),
      });
      if (request.commandName === INVOKE_STREAM) span.setAttribute(ATTR_GEN_AI_REQUEST_STREAM, true);
      if (selfHosted?.route) span.setAttribute(ATTR_ROUTE, selfHosted.route);
      if (selfHosted?.instanceType) span.setAttribute(ATTR_INSTANCE_TYPE, selfHosted.instanceType);
      span.updateName(`${call.operation} ${call.requestModel}`);
      calls.set(span, { call, promptText: parsed.promptText, start: performance.now() });
    },
    responseHook(span, { response }: AwsSdkResponseHookInformation) {
      const st = calls.get(span);
      if (!st) return;
      const output = response.data;
      if (response.request.commandName === INVOKE) return finish(span, st, readResponseBody(output?.Body));
      if (output?.Body && typeof output.Body[Symbol.asyncIterator] === 'function') {
        // What was read is recorded when the app stops early too (the rest estimated).
        const reader = new StreamBodyReader();
        let ttftS: number | undefined;
        output.Body = holdSpanUntilRead(span, output.Body as AsyncIterable<any>, 'sagemaker', {
          event(e) {
            ttftS ??= seconds(st.start);
            const bytes = e?.PayloadPart?.Bytes;
            if (bytes instanceof Uint8Array) reader.add(bytes);
          },
          error: (err) => recordError(span, meters(), st.call, err, seconds(st.start)),
          end: () => finish(span, st, reader.done(), ttftS),
        });
      }
    },
    exceptionHook(span, _info, err) {
      const st = calls.get(span);
      if (st) recordError(span, meters(), st.call, err, seconds(st.start));
    },
  };
}

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}
